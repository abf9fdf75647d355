"""One case walked in Chromium, on a phone-sized screen for its officer, every page checked with axe.

A referral from the guidance line is accepted in the workspace, its intake done with a deputy;
the person consents to sharing with an operation (kc-goteborg) and with the police, whose
security officer records a threat assessment; a cooperation meeting agrees an action plan; the
phases change; a late follow-up escalates to the unit head; revoking the operation's consent
shuts it out; the case is closed; and after retention its identity is erased.

The referral is written as the line leaves one (the line's own pages have their browser test),
and the two jobs (reminders, erasure) are run directly with the clock's facts moved: a
follow-up's due date, and the case's last entry.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from playwright.sync_api import expect
from sqlalchemy import text

from avhopp.directory.catalogue.seed import seed_service_id
from avhopp.platform.audit.chain import chain_key
from avhopp.platform.database import (
    RequestContext,
    context_session,
    create_app_engine,
    create_owner_engine,
    session_factory,
)
from avhopp.platform.times import STOCKHOLM, swedish_date
from avhopp.tenants.cases.jobs import for_every_case_tenant
from avhopp.tenants.cases.reminders import remind_follow_ups
from avhopp.tenants.cases.retention import erase_expired
from avhopp.tenants.cases.service import FOLLOW_UP_QUESTIONS
from tests.e2e.conftest import assert_accessible, follow, person_context
from tests.e2e.test_guidance_line import new_person
from tests.e2e.test_login import sign_in

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from playwright.sync_api import Browser, BrowserContext, Page
    from sqlalchemy import Connection
    from sqlalchemy.ext.asyncio import AsyncSession

    from tests.support.live_server import LiveServer

GOTEBORG, KC, POLICE, LINE = "kommun-1480", "kc-goteborg", "polisen-bergslagen", "stodlinjen"
KC_NAME = "Kunskapscentrum mot organiserad brottslighet, Göteborg (demo)"
POLICE_NAME = "Polisregion Bergslagen, avhopparverksamheten (demo)"
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def as_owner(server: LiveServer, work: Callable[[Connection], object]) -> object:
    engine = create_owner_engine(server.database.owner_url)
    try:
        with engine.begin() as connection:
            return work(connection)
    finally:
        engine.dispose()


def tenant_id(connection: Connection, slug: str) -> uuid.UUID:
    return uuid.UUID(str(connection.execute(text("SELECT id FROM tenant WHERE slug = :s"), {"s": slug}).scalar_one()))


def refer_to_goteborg(server: LiveServer) -> None:
    """A contact on the guidance line and the referral it sent, with what the caller agreed to share."""

    def write(connection: Connection) -> None:
        line, goteborg = tenant_id(connection, LINE), tenant_id(connection, GOTEBORG)
        operator = connection.execute(text("SELECT id FROM app_user ORDER BY id LIMIT 1")).scalar_one()
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(line)})
        contact = connection.execute(
            text(
                "INSERT INTO line_contact (tenant_id, operator_id, channel, caller_type)"
                " VALUES (:line, :operator, 'phone', 'person') RETURNING id"
            ),
            {"line": line, "operator": operator},
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO line_referral (tenant_id, contact_id, target_tenant_id, service_id, consent_given,"
                " shared_information, safe_contact, sent_by)"
                " VALUES (:line, :contact, :target, :service, true, :shared, :safe, :operator)"
            ),
            {
                "line": line,
                "contact": contact,
                "target": goteborg,
                "service": seed_service_id("socialtjanst-1480"),
                "shared": "Vill lämna ett kriminellt nätverk i Göteborg.",
                "safe": "Sms efter klockan 18.",
                "operator": operator,
            },
        )

    as_owner(server, write)


def run_job(server: LiveServer, work: Callable[[AsyncSession, uuid.UUID, datetime], Awaitable[int]]) -> int:
    """Run one of the cases' jobs for every tenant now, as the job runtime would (on a thread of its own:
    Playwright's loop runs on this one)."""

    async def run() -> int:
        engine = create_app_engine(server.database.app_url, pool_size=1)
        try:
            async with context_session(
                session_factory(engine, audit_key=chain_key(server.settings_environ["AVHOPP_SECRET_KEY"])),
                RequestContext(),
            ) as session:
                return await for_every_case_tenant(session, datetime.now(UTC), work)
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.app-scroll, .app-tabs ul'))
    .slice(0, 5).map(e => e.outerHTML.slice(0, 80))"""


def fits_the_screen(page: Page) -> None:
    """Nothing makes the page scroll sideways on a phone (wide tables and the tabs scroll inside their box)."""
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, (page.url, page.evaluate(WIDER_THAN_THE_SCREEN))


def checked(page: Page) -> None:
    assert_accessible(page)
    fits_the_screen(page)


def tab(page: Page, name: str) -> None:
    follow(page, page.get_by_role("navigation", name="Ärendets delar").get_by_role("link", name=name, exact=True))
    expect(page.get_by_role("heading", level=2).first).to_be_visible()


def signed_in(browser: Browser, server: LiveServer, username: str, **options: object) -> tuple[BrowserContext, Page]:
    context = person_context(browser, **options)
    page = context.new_page()
    sign_in(page, server, username, check=False)
    return context, page


def test_a_case_from_a_line_referral_to_erasure(browser: Browser, live_server: LiveServer) -> None:  # noqa: PLR0915 - one walk
    officer = new_person(live_server, GOTEBORG, ["case_officer"])
    deputy = new_person(live_server, GOTEBORG, ["case_officer"])
    head = new_person(live_server, GOTEBORG, ["case_unit_head"])
    operation = new_person(live_server, KC, ["case_officer"])
    police = new_person(live_server, POLICE, ["security_officer"])
    refer_to_goteborg(live_server)
    today = swedish_date()

    # The referral, accepted in the workspace, becomes a draft whose intake names a deputy.
    officer_context, page = signed_in(browser, live_server, officer, viewport=PHONE)
    follow(page, page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Ärenden", exact=True))
    checked(page)
    page.get_by_role("link", name=re.compile("Remiss till")).click()
    expect(page.get_by_text("Vill lämna ett kriminellt nätverk i Göteborg.")).to_be_visible()
    checked(page)
    page.get_by_role("button", name="Acceptera och öppna ett ärende").click()
    expect(page.get_by_role("heading", name="Inledande bedömning", level=2)).to_be_visible()
    checked(page)
    page.get_by_label("Namn", exact=True).fill("Dana Dahl")
    page.get_by_label("Personnummer eller samordningsnummer (om det är känt)").fill("19811228-9874")
    page.get_by_role("group", name="Personen", exact=True).get_by_label("Sekretessmarkering").check()
    expect(page.get_by_label("Adress")).to_be_hidden()
    expect(page.get_by_text("Därför sparas ingen adress i ärendet")).to_be_visible()
    page.get_by_label("Gruppen personen lämnar").select_option(label="Andra kriminella grupper och nätverk")
    page.get_by_label("Akut boende").check()
    page.get_by_label("Ersättare").select_option(label=f"Test {deputy}")
    page.get_by_role("button", name="Spara bedömningen").click()
    expect(page.get_by_text(f"Test {deputy}: Ersättare")).to_be_visible()
    case_url = page.url
    checked(page)
    tab(page, "Person")
    page.get_by_role("button", name="Visa personuppgifterna").click()
    expect(page.get_by_text("Dana Dahl")).to_be_visible()
    expect(page.get_by_text("Ingen adress sparas: personen har skyddade personuppgifter")).to_be_visible()
    checked(page)

    # Consent to the operation (with the signed document) and to the police.
    tab(page, "Samtycken")
    checked(page)
    page.locator("#organisations").get_by_label(KC_NAME).check()
    for category in ("Identitet och kontaktuppgifter", "Handlingsplan", "Uppföljning"):
        page.locator("#categories").get_by_label(category).check()
    page.get_by_label("Syfte med delningen").fill("Stöd i vardagen och boende")
    page.get_by_label("Gäller från och med").fill(today.isoformat())
    page.get_by_label("Gäller till (första dagen det inte gäller)").fill((today + timedelta(days=365)).isoformat())
    page.get_by_label("Bevittnat av").fill("Handläggaren")
    page.get_by_label("Undertecknat samtycke (valfritt)").set_input_files(
        {"name": "samtycke.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Registrera samtycket").click()
    expect(page.get_by_role("heading", name=KC_NAME)).to_be_visible()
    page.locator("#organisations").get_by_label(POLICE_NAME).check()
    page.locator("#contributors").get_by_label(POLICE_NAME).check()
    page.locator("#categories").get_by_label("Hot- och riskbedömning").check()
    page.get_by_label("Syfte med delningen").fill("Hot- och riskbedömning")
    page.get_by_label("Gäller från och med").fill(today.isoformat())
    page.get_by_label("Gäller till (första dagen det inte gäller)").fill((today + timedelta(days=365)).isoformat())
    page.get_by_label("Bevittnat av").fill("Handläggaren")
    page.get_by_role("button", name="Registrera samtycket").click()
    expect(page.get_by_role("heading", name=POLICE_NAME)).to_be_visible()
    checked(page)

    # The police are asked for an assessment and their security officer records it.
    tab(page, "Hotbedömning")
    page.get_by_label("Polisregion").select_option(label=POLICE_NAME)
    page.get_by_role("button", name="Begär bedömningen").click()
    expect(page.get_by_text("Polisen har inte gjort bedömningen ännu.")).to_be_visible()
    checked(page)
    police_context, police_page = signed_in(browser, live_server, police)
    follow(police_page, police_page.get_by_role("link", name="Hotbedömningar"))
    assert_accessible(police_page)
    follow(police_page, police_page.locator("table a").first)
    assert_accessible(police_page)
    police_page.get_by_label("Allvarlig, konkret hotbild").check()
    police_page.get_by_label("Regional").check()
    police_page.locator("#area_kind").get_by_label("Län").check()
    police_page.get_by_label("Västra Götalands län").check()
    police_page.get_by_label("Polisen tar huvudansvaret (skyddat vittne eller allvarligt hot)").check()
    police_page.get_by_label("Ny bedömning senast").fill((today + timedelta(days=90)).isoformat())
    police_page.get_by_role("button", name="Registrera bedömningen").click()
    expect(police_page.get_by_text("Inga bedömningar väntar på er.")).to_be_visible()
    police_context.close()
    page.reload()
    expect(page.get_by_text("Västra Götalands län")).to_be_visible()

    # The work begins; a cooperation meeting agrees the plan.
    tab(page, "Skeden")
    page.get_by_label("Nästa skede").select_option(label="Akut skede")
    page.get_by_role("button", name="Byt skede").click()
    expect(page.get_by_text("Utkast (inledande bedömning) → Akut skede")).to_be_visible()
    checked(page)
    tab(page, "Handlingsplan")
    page.get_by_label("Mötet hölls").fill(today.isoformat())
    page.get_by_label("Personen deltog").check()
    page.locator("#organisations").get_by_label(KC_NAME).check()
    first, second = page.locator("fieldset[id='interventions[0]']"), page.locator("fieldset[id='interventions[1]']")
    first.get_by_label("Insats", exact=True).select_option(label="Samtalsstöd")
    first.get_by_label("Ansvarig organisation").select_option(label=KC_NAME)
    first.get_by_label("Start").fill(today.isoformat())
    second.get_by_label("Insats", exact=True).select_option(label="Akut boende")
    second.get_by_label("Ansvarig organisation").select_option(label="Göteborgs Stad")
    second.get_by_label("Start").fill(today.isoformat())
    page.get_by_role("button", name="Spara mötet och handlingsplanen").click()
    expect(page.get_by_role("heading", name="Samtalsstöd")).to_be_visible()
    checked(page)

    # The operation joins the case and updates its own intervention.
    operation_context, operation_page = signed_in(browser, live_server, operation)
    follow(operation_page, operation_page.get_by_role("link", name="Delade ärenden"))
    assert_accessible(operation_page)
    operation_page.get_by_role("button", name=re.compile("Gå med i teamet")).click()
    operation_page.get_by_role("navigation", name="Ärendets delar").get_by_role("link", name="Handlingsplan").click()
    operation_page.get_by_label("Ny status").select_option(label="Pågår")
    operation_page.get_by_role("button", name=re.compile("Spara status")).click()
    expect(operation_page.get_by_text("Pågår").first).to_be_visible()
    assert_accessible(operation_page)
    expect(operation_page.get_by_role("link", name="Samtycken")).to_have_count(0)

    tab(page, "Skeden")
    page.get_by_label("Nästa skede").select_option(label="Stabiliserande skede")
    page.get_by_role("button", name="Byt skede").click()
    expect(page.get_by_text("Akut skede → Stabiliserande skede")).to_be_visible()

    # The six-month follow-up is left more than two weeks late: the reminder job tells the unit head.
    def six_months_late(connection: Connection) -> None:
        connection.execute(
            text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id(connection, GOTEBORG))}
        )
        connection.execute(
            text("UPDATE case_follow_up SET due_on = :day WHERE months_after = 6"), {"day": today - timedelta(days=20)}
        )

    as_owner(live_server, six_months_late)
    assert run_job(live_server, remind_follow_ups) >= 2
    head_context, head_page = signed_in(browser, live_server, head)
    head_page.get_by_role("link", name=re.compile("Notiser, .* oläst")).click()
    head_page.get_by_role("link", name="En uppföljning är mer än två veckor sen").first.click()
    expect(head_page.get_by_text("Uppföljningar som är mer än två veckor sena")).to_be_visible()
    assert_accessible(head_page)
    head_context.close()
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Ärenden", exact=True).click()
    expect(page.get_by_text("(försenad)")).to_be_visible()
    page.goto(case_url)
    tab(page, "Uppföljning")
    follow(page, page.get_by_role("link", name=re.compile("Registrera")).first)
    checked(page)
    page.get_by_label("Datum då uppföljningen gjordes").fill(datetime.now(STOCKHOLM).date().isoformat())
    for question in FOLLOW_UP_QUESTIONS:
        page.locator(f"#{question}").get_by_label("Vet inte").check()
    page.get_by_text("Stäng uppföljningen", exact=True).click()
    page.get_by_role("button", name="Ja, stäng uppföljningen").click()
    expect(page.get_by_text("Gjord")).to_be_visible()

    # The person withdraws the consent to the operation: it loses access at once.
    tab(page, "Samtycken")
    follow(page, page.get_by_role("article").filter(has_text=KC_NAME).get_by_role("link", name="Återkalla samtycket"))
    checked(page)
    page.get_by_role("button", name="Ja, återkalla samtycket").click()
    expect(page.get_by_text(re.compile(r"^Återkallat \d"))).to_be_visible()
    operation_page.reload()
    expect(operation_page.get_by_role("heading", name="Sidan finns inte")).to_be_visible()
    operation_context.close()

    # Closing asks first.
    tab(page, "Skeden")
    page.get_by_label("Nästa skede").select_option(label="Långsiktigt skede")
    page.get_by_role("button", name="Byt skede").click()
    page.get_by_label("Nästa skede").select_option(label="Avslutat, genomfört")
    page.get_by_role("button", name="Byt skede").click()
    expect(page.get_by_role("heading", name="Avsluta ärendet?")).to_be_visible()
    checked(page)
    page.get_by_role("button", name="Ja, avsluta ärendet").click()
    expect(page.get_by_text("Långsiktigt skede → Avslutat, genomfört")).to_be_visible()

    # Retention runs out five years after the last entry: the identity and the document go.
    def five_years_ago(connection: Connection) -> None:
        connection.execute(
            text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id(connection, GOTEBORG))}
        )
        connection.execute(
            text("UPDATE case_file SET last_entry_at = now() - interval '5 years 1 day' WHERE closed_at IS NOT NULL")
        )

    as_owner(live_server, five_years_ago)
    assert run_job(live_server, erase_expired) == 1
    page.goto(case_url)
    expect(page.get_by_text("Personuppgifter gallrade")).to_be_visible()
    tab(page, "Person")
    page.get_by_role("button", name="Visa personuppgifterna").click()
    expect(page.get_by_text("Personuppgifterna är gallrade")).to_be_visible()
    expect(page.get_by_text("Dana Dahl")).to_have_count(0)
    checked(page)
    tab(page, "Samtycken")
    expect(page.get_by_role("link", name="Ladda ned")).to_have_count(0)
    officer_context.close()
