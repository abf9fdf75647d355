"""Every form of the line, given bad input, answers with a message and saves nothing.

Omar Vägledare (and, for the settings, Eva Arbetsledare; for the public callback, an anonymous
visitor) sends each form with a NUL byte, 100 000 characters, or a personal identity number
written with other digits or dashes, in a field of the form.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from avhopp.directory.catalogue.seed import seed_service_id
from avhopp.platform.times import STOCKHOLM
from tests.platform.idp.conftest import BROWSER
from tests.support.digests import table_digests
from tests.support.people import ANONYM, LINE_OPERATOR, LINE_SUPERVISOR

if TYPE_CHECKING:
    import httpx
    from sqlalchemy import Engine

    from tests.conftest import SignIn
    from tests.platform.auth.conftest import Browser

pytestmark = pytest.mark.usefixtures("seeded")

NUL = "Ring\x00 efter sju"
ENDLESS = "ö" * 100_000
# 19811218-9876 (Skatteverket's test series) in full-width, Arabic-Indic and Devanagari digits,
# and with an en dash, a non-breaking hyphen and a minus sign.
IDENTITY_NUMBERS = [
    "１９８１１２１８－９８７６",
    "Han har ١٩٨١١٢١٨-٩٨٧٦",
    "८११२१८-९८७६",
    "811218–9876",
    "811218\u20119876",
    "811218\u22129876",
]
BAD = [NUL, ENDLESS, *IDENTITY_NUMBERS]
Form = dict[str, str | list[str]]


def local(moment: datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")


def callback_form() -> Form:
    now = datetime.now(STOCKHOLM)
    return {
        "phone_number": "070-123 45 67",
        "window_start": local(now + timedelta(hours=1)),
        "window_end": local(now + timedelta(hours=2)),
        "note": "Svarar själv.",
    }


def answered_with_a_message(response: httpx.Response, value: str) -> None:
    assert response.status_code == 400, (response.status_code, value[:40])
    assert response.headers["content-type"].startswith("text/html")
    # The field's own message on its form, or the platform's page naming the field for what no form takes.
    assert any(message in response.text for message in ("styrtecken", "högst", "personnummer")), value[:40]


async def test_every_form_of_the_line_refuses_bad_input_and_saves_nothing(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    operator = await sign_in(LINE_OPERATOR)
    start = await operator.get("/linjen")
    opened = await operator.post_form(start, "/linjen/kontakter", {"channel": "phone", "caller_type": "person"})
    path = opened.headers["location"]
    console = await operator.get(path)
    assert (await operator.post_form(console, f"{path}/aterringning", callback_form())).status_code == 200
    queue = await operator.get("/linjen/aterringningar")
    callback_path = re.findall(r'action="(/linjen/aterringningar/[0-9a-f-]+)"', queue.text)[0]
    supervisor = await sign_in(LINE_SUPERVISOR)
    statistics = await supervisor.get("/linjen/statistik")
    visitor = (await sign_in(ANONYM)).client
    ended: Form = {
        "record_threat": "not_asked",
        "record_group": "not_asked",
        "record_county": "not_asked",
        "record_needs": "not_asked",
        "outcomes": "information_given",
        "end": "1",
    }
    # (who, the page its token comes from, where the form goes, the form, the field given the bad value)
    forms: list[tuple[Browser, httpx.Response, str, Form, str]] = [
        (operator, start, "/linjen/kontakter", {"channel": "phone", "caller_type": "person"}, "caller_type"),
        (operator, console, f"{path}/sok", {"home_municipality_code": "1280", "age": "19"}, "text"),
        (operator, console, path, ended, "guidance_notes"),
        (operator, console, path, ended, "record_threat"),
        (
            operator,
            console,
            f"{path}/remisser",
            {"service_id": str(seed_service_id("kc-goteborg")), "consent_given": "on"},
            "safe_contact",
        ),
        (operator, console, f"{path}/aterringning", callback_form(), "note"),
        (operator, console, f"{path}/lyft", {}, "note"),
        (operator, queue, callback_path, {"action": "attempt", "outcome": "no_answer"}, "outcome"),
        (operator, queue, callback_path, {"action": "close", "status": "done"}, "status"),
        (supervisor, statistics, "/linjen/installningar", {"callback_expiry_days": "7"}, "note_retention_days"),
    ]
    before = table_digests(owner_engine)
    for who, page, action, form, field in forms:
        for value in BAD:
            answered_with_a_message(await who.post_form(page, action, form | {field: value}), value)
    for value in BAD:
        sent = await visitor.post("/hitta-stod/ring-mig", data=callback_form() | {"note": value}, headers=BROWSER)
        answered_with_a_message(sent, value)
        assert "set-cookie" not in sent.headers
    assert table_digests(owner_engine) == before
