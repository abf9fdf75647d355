"""The HSDS API answers in the shapes of the vendored HSDS 3.1 schemas (validated offline); no internal numbers."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from avhopp.directory.catalogue.entry import Phone
from avhopp.directory.catalogue.hsds.package import PackageOrganization, read_package, write_package
from avhopp.directory.catalogue.hsds.validation import hsds_problems, page_problems
from avhopp.directory.catalogue.seed import seed_catalogue, seed_service_id
from avhopp.directory.catalogue.service import publish_organization, publish_service
from tests.directory.conftest import COORDINATOR, KC, organization, service

if TYPE_CHECKING:
    from pathlib import Path

    from litestar.testing import AsyncTestClient

    from tests.directory.conftest import Tenants

pytestmark = pytest.mark.usefixtures("seeded")


async def get_json(api: AsyncTestClient[Any], path: str, **params: Any) -> Any:
    response = await api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_root_names_version_and_profile(api: AsyncTestClient[Any]) -> None:
    body = await get_json(api, "/api/hsds/")
    assert body["version"] == "3.1"
    assert body["profile"]


async def test_service_pages_validate_against_the_schemas(api: AsyncTestClient[Any]) -> None:
    first = await get_json(api, "/api/hsds/services", per_page=100)
    assert page_problems("service", first) == []
    assert first["total_items"] >= 307
    assert first["size"] == 100
    assert (first["first_page"], first["last_page"]) == (True, False)
    last = await get_json(api, "/api/hsds/services", per_page=100, page=first["total_pages"])
    assert last["last_page"] is True
    assert page_problems("service", last) == []


async def test_a_service_by_id_is_fully_nested_and_valid(api: AsyncTestClient[Any]) -> None:
    kc = await get_json(api, f"/api/hsds/services/{seed_service_id('kc-goteborg')}")
    assert hsds_problems("service", kc) == []
    assert kc["service_areas"]
    assert kc["attributes"]
    missing = await api.get(f"/api/hsds/services/{uuid.uuid4()}")
    assert missing.status_code == 404


async def test_filters_are_cumulative(api: AsyncTestClient[Any]) -> None:
    def ids(page: dict[str, Any]) -> set[uuid.UUID]:
        return {uuid.UUID(item["id"]) for item in page["contents"]}

    words = "avhopp"
    by_words = ids(await get_json(api, "/api/hsds/services", search=words, per_page=100))
    assert seed_service_id("kc-goteborg") in by_words
    terms = await get_json(api, "/api/hsds/taxonomy_terms", per_page=100)
    white_power = next(term for term in terms["contents"] if term["code"] == "white_power")
    by_term = ids(await get_json(api, "/api/hsds/services", taxonomy_term_id=white_power["id"], per_page=100))
    assert seed_service_id("exit") in by_term
    assert seed_service_id("passus") not in by_term
    both = ids(
        await get_json(api, "/api/hsds/services", taxonomy_term_id=white_power["id"], search=words, per_page=100)
    )
    assert both == by_words & by_term


async def test_organizations_locations_and_taxonomies_validate(api: AsyncTestClient[Any]) -> None:
    organizations = await get_json(api, "/api/hsds/organizations", per_page=20)
    assert page_problems("organization", organizations) == []
    one = await get_json(api, f"/api/hsds/organizations/{organizations['contents'][0]['id']}")
    assert hsds_problems("organization", one) == []
    locations = await get_json(api, "/api/hsds/locations")
    assert page_problems("location", locations) == []
    taxonomies = await get_json(api, "/api/hsds/taxonomies")
    assert page_problems("taxonomy", taxonomies) == []
    taxonomy = await get_json(api, f"/api/hsds/taxonomies/{taxonomies['contents'][0]['id']}")
    assert hsds_problems("taxonomy", taxonomy) == []
    terms = await get_json(api, "/api/hsds/taxonomy_terms", taxonomy_id=taxonomy["id"])
    assert page_problems("taxonomy_term", terms) == []
    assert {term["taxonomy_id"] for term in terms["contents"]} == {taxonomy["id"]}


async def test_internal_numbers_are_not_exchanged(api: AsyncTestClient[Any], tenants: Tenants) -> None:
    owner = organization()
    internal = Phone(id=uuid.uuid4(), number="031-9999999", description="Jourtelefon", public=False)
    entry = service(owner, phones=(internal,))
    async with tenants.acting(COORDINATOR) as session:
        await publish_organization(session, tenants.ids[KC], owner)
        await publish_service(session, tenants.ids[KC], entry)
    body = await get_json(api, f"/api/hsds/services/{entry.id}")
    assert "031-9999999" not in str(body)


async def test_bad_paging_names_the_parameter(api: AsyncTestClient[Any]) -> None:
    response = await api.get("/api/hsds/services", params={"per_page": 0})
    assert response.status_code == 400
    assert "per_page" in response.text


@pytest.mark.parametrize("path", ["/api/hsds/services", "/api/hsds/organizations", "/api/hsds/locations"])
async def test_a_page_past_any_catalogue_is_refused_not_overflowed(api: AsyncTestClient[Any], path: str) -> None:
    # 2**70: as an offset it overflowed PostgreSQL's bigint, a 500 for anyone.
    response = await api.get(path, params={"page": 2**70})
    assert response.status_code == 400
    assert "page" in response.text


def test_the_seed_exports_as_a_valid_package_and_round_trips(tmp_path: Path) -> None:
    catalogue = [PackageOrganization(item.owner_slug, item.organization, item.services) for item in seed_catalogue()]
    write_package(tmp_path, catalogue, include_internal=True)
    assert (tmp_path / "datapackage.json").exists()
    assert list(read_package(tmp_path)) == catalogue
