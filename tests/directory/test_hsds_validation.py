"""Offline validation against the vendored HSDS 3.1 schemas: it passes what is valid and catches what is not."""

from __future__ import annotations

import json
import socket
from importlib.resources import files
from pathlib import Path
from typing import Any, NoReturn, cast
from uuid import uuid4

import pytest

from avhopp.directory.catalogue.hsds.mapping import service_to_hsds
from avhopp.directory.catalogue.hsds.paging import page_of
from avhopp.directory.catalogue.hsds.taxonomy import hsds_taxonomies, hsds_taxonomy_terms
from avhopp.directory.catalogue.hsds.validation import (
    hsds_problems,
    local_schema_uri,
    openapi_response_problems,
    page_problems,
    schema_problems,
)
from avhopp.directory.catalogue.hsds.vendored import openapi_document, schema_names
from tests.directory.test_hsds_examples import ORGANIZATIONS, SERVICES

STANDARD = files("avhopp.directory.catalogue.hsds").joinpath("standard")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach the network fails the test."""

    def refuse(*_args: object, **_kwargs: object) -> NoReturn:
        raise AssertionError("validation tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def _service() -> dict[str, Any]:
    return {"id": str(uuid4()), "name": "Stödlinjen", "status": "active"}


def _services() -> list[dict[str, Any]]:
    return [
        service_to_hsds(service, ORGANIZATIONS[service.organization_id], include_internal=False) for service in SERVICES
    ]


def test_a_valid_service_passes() -> None:
    assert hsds_problems("service", _service()) == []


def test_a_service_without_status_fails() -> None:
    service = _service()
    del service["status"]
    assert hsds_problems("service", service) == ["(root): 'status' is a required property"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"status": "open"}, ("status",)),
        ({"id": "42"}, ("id",)),
        ({"minimum_age": "18"}, ("minimum_age",)),
        ({"email": "ingen-adress"}, ("email",)),
        ({"url": "inte en adress"}, ("url",)),
        ({"last_modified": "i går"}, ("last_modified",)),
        ({"phones": [{"id": str(uuid4())}]}, ("phones", 0)),
        ({"service_areas": [{"id": "x"}]}, ("service_areas", 0, "id")),
        (
            {"attributes": [{"id": str(uuid4()), "taxonomy_term": {"id": str(uuid4())}}]},
            ("attributes", 0, "taxonomy_term"),
        ),
    ],
)
def test_an_invalid_service_fails_where_it_is_wrong(change: dict[str, object], where: tuple[str | int, ...]) -> None:
    assert {problem.path for problem in schema_problems("service", _service() | change)} == {where}


def test_nested_references_resolve_across_files() -> None:
    location = {
        "id": str(uuid4()),
        "location_type": "physical",
        "addresses": [{"id": str(uuid4()), "address_1": "Storgatan 1"}],
    }
    problems = hsds_problems("location", location)
    assert problems == [
        f"addresses/0: '{field}' is a required property"
        for field in ("address_type", "city", "country", "postal_code", "state_province")
    ]


def test_an_unknown_schema_is_an_error() -> None:
    with pytest.raises(ValueError, match="no schema"):
        hsds_problems("servic", {})


def test_a_valid_page_passes() -> None:
    page = page_of(_services(), page_number=1, per_page=3)
    assert page_problems("service", page) == []
    assert (page["size"], page["total_pages"], page["first_page"], page["last_page"]) == (3, 2, True, False)
    assert page_problems("service", page_of([], page_number=1)) == []


def test_a_page_missing_its_fields_fails() -> None:
    page = page_of([_service()])
    del page["empty"]
    del page["contents"]
    assert page_problems("service", page) == [
        "(root): 'contents' is a required property",
        "(root): 'empty' is a required property",
    ]


def test_a_page_with_a_wrong_type_or_item_fails() -> None:
    page = page_of([_service(), {"id": str(uuid4()), "name": "Utan status"}])
    page["first_page"] = "ja"
    assert page_problems("service", page) == [
        "contents/1: 'status' is a required property",
        "first_page: 'ja' is not of type 'boolean'",
    ]


def test_a_page_that_contradicts_itself_fails() -> None:
    page = page_of([_service()])
    page["size"] = 2
    assert page_problems("service", page) == ["size: 2 but contents has 1 items"]


def test_taxonomy_pages_validate() -> None:
    assert page_problems("taxonomy", page_of(hsds_taxonomies())) == []
    assert page_problems("taxonomy_term", page_of(hsds_taxonomy_terms(), per_page=500)) == []
    assert openapi_response_problems("/taxonomies", page_of(hsds_taxonomies())) == []
    assert openapi_response_problems("/taxonomy_terms", page_of(hsds_taxonomy_terms(), per_page=500)) == []


def test_openapi_responses_resolve_offline_to_the_vendored_schemas() -> None:
    assert openapi_response_problems("/services", page_of(_services())) == []
    assert openapi_response_problems("/services/{id}", _services()[0]) == []
    broken = page_of([_service() | {"status": "open"}])
    assert openapi_response_problems("/services", broken) == [
        "contents/0/status: 'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']"
    ]
    # Every GET and POST response in openapi.json can be checked without the network.
    paths = cast("dict[str, Any]", openapi_document()["paths"])
    for path, operations in paths.items():
        for method in ("get", "post"):
            if method in operations:
                openapi_response_problems(path, {}, method=method)


def test_remote_references_map_to_vendored_files() -> None:
    base = "https://raw.githubusercontent.com/openreferral/specification/"
    assert local_schema_uri(f"{base}3.0/schema/compiled/service_list.json") == f"{base}3.1-dev/schema/service.json"
    assert local_schema_uri(f"{base}3.0/schema/taxonomy.json") == f"{base}3.1-dev/schema/taxonomy.json"
    with pytest.raises(LookupError):
        local_schema_uri("https://example.com/schema/service.json")
    with pytest.raises(LookupError):
        local_schema_uri(f"{base}3.0/schema/compiled/unknown.json")


SHARED = Path("/work/shared/standards/hsds-3.1")


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared copy of the standard is not here")
def test_the_vendored_files_are_unchanged() -> None:
    for source in [*SHARED.joinpath("schema").glob("*.json"), SHARED / "datapackage.json", SHARED / "LICENSE"]:
        relative = source.relative_to(SHARED)
        assert STANDARD.joinpath(*relative.parts).read_bytes() == source.read_bytes(), relative


def test_the_standard_is_vendored_with_licence_and_attribution() -> None:
    readme = STANDARD.joinpath("README.md").read_text(encoding="utf-8")
    assert "Human Services Data Specification: an Open Referral resource (https://openreferral.org/)" in readme
    assert "CC BY-SA 4.0" in readme
    assert "3.1-dev" in readme
    assert "Creative Commons" in STANDARD.joinpath("LICENSE").read_text(encoding="utf-8")
    assert {"service", "organization", "location", "taxonomy", "taxonomy_term", "service_at_location"} <= set(
        schema_names()
    )
    descriptor = json.loads(STANDARD.joinpath("datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
