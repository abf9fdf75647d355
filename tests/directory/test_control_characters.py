"""Control characters and endless values in the directory's and the line's inputs: a clear 400, nothing stored.

A NUL byte used to reach PostgreSQL and come back as a 500 from the HSDS search, the public
page, the professionals' search and the line's forms; other control characters were stored.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from avhopp.directory.catalogue.service import publish_organization
from avhopp.platform.text_input import MAX_PARAMETER_LENGTH, MAX_VALUE_LENGTH
from avhopp.platform.times import STOCKHOLM
from tests.directory.conftest import COORDINATOR, KC, organization, service
from tests.platform.idp.conftest import BROWSER, csrf_token
from tests.support.digests import table_digests
from tests.support.people import ANONYM, GOTEBORG_SOCIALSEKRETERARE, KC_REDAKTOR, LINE_OPERATOR

if TYPE_CHECKING:
    import httpx
    from sqlalchemy import Engine

    from tests.conftest import SignIn
    from tests.directory.conftest import Tenants
    from tests.platform.auth.conftest import Browser

pytestmark = pytest.mark.usefixtures("seeded")

# NUL, a bell, an escape (terminal colours in a log), DEL and a C1 control (CSI).
BAD = ["a\x00b", "a\x07b", "a\x1b[31mb", "a\x7fb", "a\x9bb"]
TOO_LONG_PARAMETER = "ö" * (MAX_PARAMETER_LENGTH + 1)
TOO_LONG_VALUE = "ö" * (MAX_VALUE_LENGTH + 1)


def refused_as_problem(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert [error["field"] for error in problem["errors"]] == [field]
    assert f"”{field}”" in problem["errors"][0]["message"]


def refused_as_page(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert f"Fältet ”{field}”" in response.text


def local(moment: datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("who", [ANONYM, GOTEBORG_SOCIALSEKRETERARE], ids=["anonymous", "signed-in"])
async def test_the_hsds_search_refuses_control_characters_and_endless_values(
    sign_in: SignIn, owner_engine: Engine, who: Any
) -> None:
    browser = await sign_in(who)
    before = table_digests(owner_engine)
    for path in ("/api/hsds/services", "/api/hsds/organizations"):
        for value in [*BAD, TOO_LONG_PARAMETER]:
            refused_as_problem(await browser.client.get(path, params={"search": value}), "search")
        assert (await browser.client.get(path, params={"search": "stöd"})).status_code == 200
    assert table_digests(owner_engine) == before


async def test_the_public_page_refuses_them_with_a_swedish_page(sign_in: SignIn, owner_engine: Engine) -> None:
    visitor = (await sign_in(ANONYM)).client
    search = {"home_municipality_code": "1481", "age": "17"}
    before = table_digests(owner_engine)
    for value in [*BAD, TOO_LONG_VALUE]:
        response = await visitor.post("/hitta-stod", data=search | {"text": value}, headers=BROWSER)
        refused_as_page(response, "text")
        assert "set-cookie" not in response.headers
    now = datetime.now(STOCKHOLM)
    callback = {
        "phone_number": "070-765 43 21",
        "window_start": local(now + timedelta(hours=1)),
        "window_end": local(now + timedelta(hours=3)),
        "note": "Ring\x00 efter sju",
    }
    refused_as_page(await visitor.post("/hitta-stod/ring-mig", data=callback, headers=BROWSER), "note")
    assert table_digests(owner_engine) == before


async def test_the_professionals_search_refuses_them_in_the_form_and_the_api(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    page = await officer.get("/katalog")
    headers = {"x-csrf-token": csrf_token(page.text), "accept": "application/json"}
    situation = {"home_municipality_code": "1480", "age": 30}
    before = table_digests(owner_engine)
    for value in BAD:
        form: dict[str, str | list[str]] = {"home_municipality_code": "1481", "age": "17", "text": value}
        refused_as_page(await officer.get("/katalog", params=form), "text")
        api = officer.client
        refused_as_problem(await api.post("/api/v1/directory/search", json={"text": value}, headers=headers), "text")
        nested = {"situation": situation | {"home_municipality_code": f"14{value}80"}}
        refused_as_problem(
            await api.post("/api/v1/directory/search", json=nested, headers=headers), "situation.home_municipality_code"
        )
    long_text = await officer.client.post("/api/v1/directory/search", json={"text": TOO_LONG_VALUE}, headers=headers)
    refused_as_problem(long_text, "text")
    deep = b'{"situation": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    too_deep = await officer.client.post(
        "/api/v1/directory/search", content=deep, headers=headers | {"content-type": "application/json"}
    )
    assert too_deep.status_code == 400
    assert "nivåer" in too_deep.json()["errors"][0]["message"]
    assert table_digests(owner_engine) == before


async def test_a_proposal_with_a_control_character_deep_inside_stores_nothing(
    sign_in: SignIn, owner_engine: Engine, tenants: Tenants
) -> None:
    owner = organization()
    async with tenants.acting(COORDINATOR) as session:
        await publish_organization(session, tenants.ids[KC], owner)
    editor = await sign_in(KC_REDAKTOR)
    page = await editor.get("/katalog/redigera/organisationer/ny")
    headers = {"x-csrf-token": csrf_token(page.text), "accept": "application/json"}
    proposal = msgspec.to_builtins(service(owner))
    proposal["phones"][0]["number"] = "031-12\x0034 56"
    before = table_digests(owner_engine)

    api = await editor.client.post("/api/v1/directory/revisions", json={"service": proposal}, headers=headers)
    form = await editor.post_form(
        page,
        "/katalog/redigera/organisationer/ny",
        {"name": f"Verksamheten\x1b {uuid.uuid4().hex[:6]}", "description": "Stöd.", "operation_type": "non_authority"},
    )

    refused_as_problem(api, "service.phones[0].number")
    refused_as_page(form, "name")
    assert table_digests(owner_engine) == before


async def open_contact(operator: Browser) -> tuple[httpx.Response, str]:
    start = await operator.get("/linjen")
    opened = await operator.post_form(
        start, "/linjen/kontakter", {"channel": "chat", "caller_type": "professional", "professional_kind": "school"}
    )
    path = opened.headers["location"]
    return await operator.get(path), path


async def test_the_line_forms_refuse_them_and_keep_what_was_saved(sign_in: SignIn, owner_engine: Engine) -> None:
    operator = await sign_in(LINE_OPERATOR)
    console, path = await open_contact(operator)
    now = datetime.now(STOCKHOLM)
    callback: dict[str, str | list[str]] = {
        "phone_number": "070-123 45 67",
        "window_start": local(now + timedelta(minutes=5)),
        "window_end": local(now + timedelta(hours=1)),
    }
    before = table_digests(owner_engine)
    for value in BAD:
        notes: dict[str, str | list[str]] = {
            "guidance_notes": f"Gav råd.{value}",
            "outcomes": "information_given",
            "end": "1",
        }
        refused_as_page(await operator.post_form(console, path, notes), "guidance_notes")
        search: dict[str, str | list[str]] = {"home_municipality_code": "1280", "age": "19", "text": value}
        refused_as_page(await operator.post_form(console, f"{path}/sok", search), "text")
        asked = await operator.post_form(console, f"{path}/aterringning", callback | {"note": value})
        refused_as_page(asked, "note")
    too_long: dict[str, str | list[str]] = {"guidance_notes": TOO_LONG_VALUE, "outcomes": "information_given"}
    refused_as_page(await operator.post_form(console, path, too_long), "guidance_notes")
    assert table_digests(owner_engine) == before

    # Several lines and a tab are what a text area holds: they are saved.
    saved = await operator.post_form(
        console, path, {"guidance_notes": "Gav råd.\r\nRing\tskolan.", "outcomes": "information_given"}
    )
    assert saved.status_code == 200
