"""The line's pages through the app: console, callbacks, statistics with charts, audited review, public callbacks."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from avhopp.directory.catalogue.vocabulary import ThreatLevel
from avhopp.directory.line.service import ContactRecord, Opening, record_contact, start_contact
from avhopp.directory.line.vocabulary import CallerType, Channel, Outcome, Unanswered
from avhopp.directory.line.web.callbacks import PUBLIC_CALLBACK_LIMIT
from avhopp.platform.disclosure.exports import XLSX_TYPE
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.registry.roles import Role
from tests.platform.idp.conftest import BROWSER
from tests.support.people import (
    ANONYM,
    GOTEBORG,
    LINE_OPERATOR,
    LINE_SUPERVISOR,
    NATIONELL_SAMORDNARE,
    person_in,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.conftest import SignIn
    from tests.directory.conftest import Tenants

pytestmark = pytest.mark.usefixtures("seeded")


# A number no other test books, so that this test finds its own callback among theirs.
NUMBER = "070-314 15 92"


def local(moment: datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")


async def test_who_calls_is_never_assumed(sign_in: SignIn) -> None:
    operator = await sign_in(LINE_OPERATOR)
    start = await operator.get("/linjen")
    assert 'name="caller_type" value="person" checked' not in start.text
    unchosen = await operator.post_form(start, "/linjen/kontakter", {"channel": "chat"})
    assert unchosen.status_code == 400
    assert "Välj vem som hör av sig." in unchosen.text


async def test_an_operator_opens_searches_records_and_asks_for_a_callback(sign_in: SignIn) -> None:  # noqa: PLR0915 - one walk
    operator = await sign_in(LINE_OPERATOR)
    start = await operator.get("/linjen")
    assert "Fråga aldrig efter namn eller personnummer" in start.text
    opened = await operator.post_form(
        start, "/linjen/kontakter", {"channel": "chat", "caller_type": "professional", "professional_kind": "school"}
    )
    console_path = opened.headers["location"]
    console = await operator.get(console_path)
    assert "Ring 112" in console.text or "ringa 112" in console.text
    searched = await operator.post_form(console, f"{console_path}/sok", {"home_municipality_code": "1280", "age": "19"})
    assert "Socialtjänsten, Malmö stad" in searched.text
    refused = await operator.post_form(
        console, console_path, {"guidance_notes": "Personnummer 811218-9876", "outcomes": "information_given"}
    )
    assert refused.status_code == 400
    assert "personnummer" in refused.text
    unanswered = await operator.post_form(
        console, console_path, {"guidance_notes": "Gav råd.", "outcomes": "information_given", "end": "1"}
    )
    assert unanswered.status_code == 400
    assert 'href="#record_threat"' in unanswered.text
    assert "Gav råd." in unanswered.text
    answers: dict[str, str | list[str]] = {
        "record_threat": "not_asked",
        "record_group": "unknown",
        "record_county": "12",
    }
    saved = await operator.post_form(
        console,
        console_path,
        answers
        | {"record_needs": "guidance", "guidance_notes": "Gav råd.", "outcomes": "information_given", "end": "1"},
    )
    assert saved.status_code in {302, 303}

    now = datetime.now(STOCKHOLM)
    past = await operator.post_form(
        console,
        f"{console_path}/aterringning",
        {
            "phone_number": NUMBER,
            "window_start": local(now - timedelta(hours=3)),
            "window_end": local(now - timedelta(hours=2)),
        },
    )
    assert past.status_code == 400
    assert 'href="#window_end"' in past.text
    queued = await operator.post_form(
        console,
        f"{console_path}/aterringning",
        {
            "phone_number": NUMBER,
            "window_start": local(now - timedelta(minutes=5)),
            "window_end": local(now + timedelta(hours=1)),
        },
    )
    # The console comes back with the callback listed (booked, without its number) and the fields emptied.
    assert queued.status_code == 200
    assert "Återuppringningen är bokad." in queued.text
    assert NUMBER not in queued.text
    queue = await operator.get("/linjen/aterringningar")
    assert NUMBER in queue.text
    assert "Dags att ringa" in queue.text
    reminded = await operator.get("/linjen")
    assert "Återuppringningar att ringa nu" in reminded.text

    # The outcome is chosen every time: none is preselected, and a try without one changes nothing.
    # Other tests' callbacks may share the queue: take the form that follows this one's number.
    own_form = rf'{re.escape(NUMBER)}</strong>.*?action="(/linjen/aterringningar/[0-9a-f-]+)"'
    found = re.search(own_form, queue.text, re.DOTALL)
    assert found
    callback_path = found.group(1)
    assert '<option value="">Välj hur det gick</option>' in queue.text
    unchosen = await operator.post_form(queue, callback_path, {"action": "attempt"})
    assert unchosen.status_code == 400
    assert "Välj hur försöket gick." in unchosen.text
    assert NUMBER in unchosen.text
    tried = await operator.post_form(queue, callback_path, {"action": "attempt", "outcome": "no_answer"})
    assert tried.status_code in {302, 303}
    still = await operator.get("/linjen/aterringningar")
    assert NUMBER in still.text
    reached = await operator.post_form(still, callback_path, {"action": "attempt", "outcome": "reached"})
    assert reached.status_code in {302, 303}
    after = await operator.get("/linjen/aterringningar")
    assert NUMBER in after.text  # only an explicit close erases the number
    unclosed = await operator.post_form(after, callback_path, {"action": "close"})
    assert unclosed.status_code == 400
    assert "Välj om den är klar eller avbruten." in unclosed.text
    closed = await operator.post_form(after, callback_path, {"action": "close", "status": "done"})
    assert closed.status_code in {302, 303}
    assert NUMBER not in (await operator.get("/linjen/aterringningar")).text


async def test_statistics_render_charts_and_the_national_view_hides_small_figures(
    sign_in: SignIn, tenants: Tenants
) -> None:
    async with tenants.acting(LINE_OPERATOR.tenant) as session:
        line = tenants.ids[LINE_OPERATOR.tenant]
        contact = await start_contact(session, line, LINE_OPERATOR.user_id, Opening(Channel.CHAT, CallerType.PERSON))
        outcomes = frozenset({Outcome.INFORMATION_GIVEN})
        await record_contact(
            session,
            line,
            contact,
            ContactRecord(
                "01", Unanswered.UNKNOWN, ThreatLevel.NONE, frozenset({Unanswered.UNKNOWN}), outcomes, "", end=True
            ),
        )
    supervisor = await sign_in(LINE_SUPERVISOR)
    own = await supervisor.get("/linjen/statistik")
    assert own.status_code == 200
    assert "<svg" in own.text
    assert 'role="img"' in own.text
    assert "Inga tal är dolda" in own.text
    assert "<caption>Vem hörde av sig</caption>" in own.text  # the table beside the chart
    analyst = await sign_in(NATIONELL_SAMORDNARE)
    national = await analyst.get("/linjen/statistik")
    assert national.status_code == 200
    assert "Antal från 1 till 4 visas inte (..)" in national.text
    # One contact in twelve weeks: every table that counts it is too detailed to show.
    assert "Tabellen är för detaljerad för att visas" in national.text
    assert 'href="/linjen/statistik/xlsx"' in national.text
    elsewhere = await sign_in(person_in(GOTEBORG, Role.NATIONAL_ANALYST))
    assert (await elsewhere.get("/linjen/statistik")).status_code == 404
    assert (await elsewhere.get("/linjen/statistik/xlsx")).status_code == 404


async def test_statistics_export_as_files_with_their_metadata_and_are_audited(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    analyst = await sign_in(NATIONELL_SAMORDNARE)
    excel = await analyst.get("/linjen/statistik/xlsx")
    assert excel.status_code == 200
    assert excel.headers["content-type"].startswith(XLSX_TYPE)
    assert 'attachment; filename="stodlinjens-statistik-' in excel.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(excel.content))
    assert workbook.sheetnames[:2] == ["Om statistiken", "Kontakter per vecka"]
    about = {row[0]: row[1] for row in workbook["Om statistiken"].iter_rows(values_only=True)}
    assert about["Statistik"] == "Stödlinjens statistik"
    assert "Antal från 1 till 4 visas inte" in str(about["Röjandekontroll"])
    assert str(about["Uttaget"]).endswith("svensk tid (Europe/Stockholm)")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d", str(about["Period"]))
    assert "Definition: Kontakt" in about
    table = await analyst.get("/linjen/statistik/csv")
    assert table.status_code == 200
    assert table.content.startswith("\ufeffStatistik,Stödlinjens statistik".encode())
    assert "Röjandekontroll" in table.content.decode("utf-8-sig")
    with owner_engine.connect() as connection:
        formats = connection.execute(
            text(
                "SELECT reason FROM audit_event WHERE actor_user_id = :u AND action = 'statistics.exported'"
                " AND object_id = 'line_statistics' ORDER BY seq"
            ),
            {"u": NATIONELL_SAMORDNARE.user_id},
        ).scalars()
        assert list(formats)[-2:] == ["xlsx", "csv"]


async def test_reviewing_contacts_is_read_only_and_audited(sign_in: SignIn, owner_engine: Engine) -> None:
    supervisor = await sign_in(LINE_SUPERVISOR)
    listing = await supervisor.get("/linjen/granskning")
    assert listing.status_code == 200
    first = re.search(r'href="(/linjen/granskning/[0-9a-f-]+)"', listing.text)
    if first is not None:
        assert (await supervisor.get(first.group(1))).status_code == 200
    with owner_engine.connect() as connection:
        reads = connection.execute(
            text("SELECT count(*) FROM audit_event WHERE actor_user_id = :u AND action = 'person.read'"),
            {"u": LINE_SUPERVISOR.user_id},
        ).scalar_one()
    assert reads >= 1


async def test_a_line_role_outside_the_line_opens_nothing(sign_in: SignIn) -> None:
    browser = await sign_in(person_in(GOTEBORG, Role.LINE_OPERATOR, Role.LINE_SUPERVISOR))
    for path in ("/linjen", "/linjen/aterringningar", "/linjen/granskning", "/linjen/remisser"):
        assert (await browser.get(path)).status_code == 404


async def test_anyone_can_ask_for_a_callback_without_a_cookie(sign_in: SignIn) -> None:
    visitor = (await sign_in(ANONYM)).client
    now = datetime.now(STOCKHOLM)
    form = {
        "phone_number": "070-765 43 21",
        "window_start": local(now + timedelta(hours=1)),
        "window_end": local(now + timedelta(hours=3)),
    }
    page = await visitor.get("/hitta-stod", headers=BROWSER)
    assert "Stödlinjen: råd, vägledning och hjälp vidare" in page.text
    assert "måndag" in page.text
    sent = await visitor.post("/hitta-stod/ring-mig", data=form, headers=BROWSER)
    assert sent.status_code == 200
    assert "Tack. Vi ringer" in sent.text
    assert "set-cookie" not in sent.headers
    bad = await visitor.post("/hitta-stod/ring-mig", data=form | {"phone_number": "nej"}, headers=BROWSER)
    assert bad.status_code == 400
    assert 'href="#callback_phone_number"' in bad.text
    statuses = [
        (await visitor.post("/hitta-stod/ring-mig", data=form, headers=BROWSER)).status_code
        for _ in range(PUBLIC_CALLBACK_LIMIT.requests)
    ]
    assert statuses[-1] == 429
