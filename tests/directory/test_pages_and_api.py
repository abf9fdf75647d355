"""The directory through the app: search for professionals, the editor, the review queue, the JSON API."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

import pytest

from avhopp.directory.catalogue.eligibility import CUSTODY_ONLY_UNMET, DRUG_FREE_CONDITION, DRUG_FREE_UNMET
from avhopp.directory.catalogue.service import publish_organization
from avhopp.tenants.registry.roles import Role
from tests.directory.conftest import COORDINATOR, KC, organization
from tests.platform.idp.conftest import csrf_token
from tests.support.people import (
    GOTEBORG,
    GOTEBORG_GRANSKARE,
    GOTEBORG_SOCIALSEKRETERARE,
    KC_REDAKTOR,
    NATIONELL_SAMORDNARE,
    person_in,
)

if TYPE_CHECKING:
    from tests.conftest import SignIn
    from tests.directory.conftest import Tenants


@pytest.mark.usefixtures("seeded")
async def test_a_case_officer_searches_with_a_situation_and_sees_reasons(sign_in: SignIn) -> None:
    browser = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    page = await browser.get("/katalog")
    assert page.status_code == 200
    results = await browser.get(
        "/katalog", params={"home_municipality_code": "1481", "age": "17", "include_not_eligible": "on"}
    )
    assert results.status_code == 200
    assert "Socialtjänsten, Mölndals kommun" in results.text
    # The Göteborg programme is listed as unable, with the reason naming both places.
    assert "Tar bara emot folkbokförda i Göteborg. Personen är folkbokförd i Mölndal." in results.text

    bad = await browser.get("/katalog", params={"home_municipality_code": "9999", "age": "200"})
    assert bad.status_code == 400
    assert 'href="#home_municipality_code"' in bad.text or 'href="#age"' in bad.text


async def test_the_search_api_names_each_bad_field(sign_in: SignIn) -> None:
    browser = await sign_in(person_in(GOTEBORG, Role.LINE_OPERATOR))
    token = csrf_token((await browser.get("/katalog")).text)
    headers = {"x-csrf-token": token, "accept": "application/json"}
    response = await browser.client.post(
        "/api/v1/directory/search",
        json={"situation": {"home_municipality_code": "0000", "age": 30}},
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "situation.home_municipality_code"
    response = await browser.client.post(
        "/api/v1/directory/search", json={"situation": {"home_municipality_code": "1480", "age": -3}}, headers=headers
    )
    assert response.json()["errors"][0]["field"] == "situation.age"
    ok = await browser.client.post(
        "/api/v1/directory/search",
        json={"situation": {"home_municipality_code": "1480", "age": 30}, "include_not_eligible": True},
        headers=headers,
    )
    assert ok.status_code == 200
    body = ok.json()
    assert set(body) == {"hits", "total", "page", "per_page", "pages", "facets"}


async def test_an_editor_proposes_and_the_coordinator_publishes(sign_in: SignIn, tenants: Tenants) -> None:
    owner = organization()
    async with tenants.acting(COORDINATOR) as session:
        await publish_organization(session, tenants.ids[KC], owner)
    editor = await sign_in(KC_REDAKTOR)
    form_page = await editor.get("/katalog/redigera/tjanster/ny")
    assert owner.name in form_page.text
    name = f"Samtalsstöd {uuid.uuid4().hex[:6]}"
    refused = await editor.post_form(
        form_page,
        "/katalog/redigera/tjanster/ny",
        {"organization_id": str(owner.id), "name": name, "description": "", "catchment_kind": "areas"},
    )
    assert refused.status_code == 400
    assert 'href="#description"' in refused.text
    assert 'href="#catchment_kind"' in refused.text
    sent = await editor.post_form(
        form_page,
        "/katalog/redigera/tjanster/ny",
        {
            "organization_id": str(owner.id),
            "name": name,
            "description": "Samtal för den som vill lämna.",
            "catchment_kind": "country",
            "interventions": "conversational_support",
            "phone_0_number": "031-123456",
        },
    )
    assert sent.status_code in {302, 303}

    reviewer = await sign_in(NATIONELL_SAMORDNARE)
    queue = await reviewer.get("/katalog/granskning")
    assert name in queue.text
    revision_path = re.search(r'href="(/katalog/granskning/[0-9a-f-]+)"[^>]*>' + re.escape(name), queue.text)
    assert revision_path is not None
    revision = await reviewer.get(revision_path.group(1))
    assert "Samtal för den som vill lämna." in revision.text
    assert '<th scope="row">Insatser</th>' in revision.text
    assert "Samtalsstöd" in revision.text
    assert "conversational_support" not in revision.text
    assert "<code>" not in revision.text
    decided = await reviewer.post_form(revision, revision_path.group(1), {"decision": "approve", "review_note": ""})
    assert decided.status_code in {302, 303}

    searcher = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    results = await searcher.get("/katalog", params={"text": name})
    assert name in results.text


async def test_a_reviewer_role_outside_the_national_coordinator_opens_nothing(sign_in: SignIn) -> None:
    browser = await sign_in(person_in(GOTEBORG, Role.DIRECTORY_REVIEWER))
    assert (await browser.get("/katalog/granskning")).status_code == 404
    api = await browser.client.get("/api/v1/directory/revisions", headers={"accept": "application/json"})
    assert api.status_code == 404


async def test_roles_without_the_permission_are_refused(sign_in: SignIn) -> None:
    browser = await sign_in(GOTEBORG_GRANSKARE)
    assert (await browser.get("/katalog")).status_code == 403
    assert (await browser.get("/katalog/redigera")).status_code == 403


@pytest.mark.usefixtures("seeded")
async def test_the_search_api_takes_drug_use_and_custody_and_refuses_an_unknown_code(sign_in: SignIn) -> None:
    browser = await sign_in(person_in(GOTEBORG, Role.LINE_OPERATOR))
    token = csrf_token((await browser.get("/katalog")).text)
    headers = {"x-csrf-token": token, "accept": "application/json"}

    async def verdicts(**situation: object) -> dict[str, tuple[str, list[str]]]:
        response = await browser.client.post(
            "/api/v1/directory/search",
            json={
                "text": "kriminalvården or passus",
                "situation": {"home_municipality_code": "0180", "age": 30, **situation},
                "include_not_eligible": True,
            },
            headers=headers,
        )
        assert response.status_code == 200, response.text
        return {
            hit["service"]["name"]: (hit["assessment"]["verdict"], [r["text"] for r in hit["assessment"]["reasons"]])
            for hit in response.json()["hits"]
        }

    kriminalvarden = "Stöd till avhoppare i häkte, anstalt och frivård"
    free = await verdicts()
    assert free[kriminalvarden][0] == "not_eligible"
    assert free[kriminalvarden][1][0] == CUSTODY_ONLY_UNMET
    assert (await verdicts(custody="on_probation"))[kriminalvarden][0] == "eligible"
    using = await verdicts(substance_use="active", payment="agreed")
    passus = next(name for name in using if name.startswith("Passus"))
    assert using[passus][0] == "not_eligible"
    assert using[passus][1][0] == DRUG_FREE_UNMET

    for field, code in (("substance_use", "sometimes"), ("custody", "house_arrest"), ("substance_use", "")):
        refused = await browser.client.post(
            "/api/v1/directory/search",
            json={"situation": {"home_municipality_code": "0180", "age": 30, field: code}},
            headers=headers,
        )
        assert refused.status_code == 400
        [error] = refused.json()["errors"]
        assert error["field"] == f"situation.{field}"
        assert error["message"].startswith("Okänd kod för")
        assert "Välj en av:" in error["message"]


@pytest.mark.usefixtures("seeded")
async def test_the_search_form_takes_drug_use_and_custody(sign_in: SignIn) -> None:
    browser = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    page = await browser.get("/katalog")
    assert 'name="substance_use"' in page.text
    assert 'name="custody"' in page.text
    situation = {"home_municipality_code": "0180", "age": "30", "text": "passus", "include_not_eligible": "on"}
    results = await browser.get("/katalog", params={**situation, "substance_use": "active"})
    assert results.status_code == 200
    assert DRUG_FREE_UNMET in results.text
    trying = await browser.get("/katalog", params={**situation, "substance_use": "trying_to_stop"})
    assert DRUG_FREE_CONDITION in trying.text

    bad = await browser.get("/katalog", params={**situation, "substance_use": "sometimes"})
    assert bad.status_code == 400
    assert 'href="#substance_use"' in bad.text


async def test_the_editor_offers_languages_and_municipalities_as_lists_of_checkboxes(
    sign_in: SignIn, tenants: Tenants
) -> None:
    owner = organization()
    async with tenants.acting(COORDINATOR) as session:
        await publish_organization(session, tenants.ids[KC], owner)
    editor = await sign_in(KC_REDAKTOR)
    form_page = await editor.get("/katalog/redigera/tjanster/ny")
    name = f"Språkstöd {uuid.uuid4().hex[:6]}"
    sent = await editor.post_form(
        form_page,
        "/katalog/redigera/tjanster/ny",
        {
            "organization_id": str(owner.id),
            "name": name,
            "description": "Samtal på flera språk.",
            "catchment_kind": "areas",
            "catchment_municipalities": ["1480", "1481"],
            "languages": ["sv", "ar", "smj"],
            "phone_0_number": "031-123456",
        },
    )
    bad = await editor.post_form(
        form_page,
        "/katalog/redigera/tjanster/ny",
        {
            "organization_id": str(owner.id),
            "name": name,
            "description": "Samtal.",
            "catchment_kind": "country",
            "languages": ["arabiska", "svenska"],
        },
    )

    assert 'type="checkbox" id="languages-' in form_page.text
    assert 'value="ar"' in form_page.text
    assert "Arabiska" in form_page.text
    assert 'id="catchment_municipalities-1480" name="catchment_municipalities" value="1480"' in form_page.text
    assert "multiple" not in form_page.text
    assert sent.status_code in {302, 303}
    assert bad.status_code == 400
    assert bad.text.count("Ange en språkkod enligt ISO 639") == 2, "once in the summary, once at the field"
