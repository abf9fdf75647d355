"""A placement walked in Chromium: request, shortlist, a declined offer, an accepted one, the police told,
a transfer of payment responsibility proposed by the home municipality and agreed by the receiving one, move-out.

The case is prepared through the cases' service (its own walk has its browser test): its intake
names the coded affiliation and its consent covers housing and names the two receiving
organisations. Every placement page is checked with axe, the officer's on a phone-sized screen.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING

from playwright.sync_api import expect
from sqlalchemy import text

from avhopp.platform.audit.chain import chain_key
from avhopp.platform.database import RequestContext, context_session, create_app_engine, session_factory
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.service import (
    Actor,
    Category,
    ConsentInput,
    ContactSource,
    IntakeUpdate,
    NewCase,
    PersonDetails,
    TargetGroup,
    complete_intake,
    open_case,
    record_consent,
)
from tests.e2e.conftest import follow
from tests.e2e.test_case_walk import PHONE, as_owner, checked, signed_in, tenant_id
from tests.e2e.test_guidance_line import new_person

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from sqlalchemy import Connection

    from tests.support.live_server import LiveServer

GOTEBORG, MALMO, OPERATION, POLICE = "kommun-1480", "kommun-1280", "konsultationsteamet-malmo", "polisen-bergslagen"
OREBRO = "kommun-1880"
TODAY = swedish_date()


def user_id(server: LiveServer, username: str) -> uuid.UUID:
    def read(connection: Connection) -> uuid.UUID:
        found = connection.execute(text("SELECT id FROM app_user WHERE display_name = :n"), {"n": f"Test {username}"})
        return uuid.UUID(str(found.scalar_one()))

    return as_owner(server, read)  # type: ignore[return-value]


def prepared_case(server: LiveServer, officer: str) -> None:
    """A Göteborg case whose consent covers housing and names Malmö and the operation."""

    def read(connection: Connection) -> dict[str, uuid.UUID]:
        return {slug: tenant_id(connection, slug) for slug in (GOTEBORG, MALMO, OPERATION)}

    ids: dict[str, uuid.UUID] = as_owner(server, read)  # type: ignore[assignment]
    actor = Actor(ids[GOTEBORG], user_id(server, officer))
    secret = server.settings_environ["AVHOPP_SECRET_KEY"]

    async def prepare() -> None:
        engine = create_app_engine(server.database.app_url, pool_size=1)
        try:
            context = RequestContext(tenant_id=actor.tenant_id, user_id=actor.user_id)
            async with context_session(session_factory(engine, audit_key=chain_key(secret)), context) as session:
                case_id = await open_case(
                    session, secret, actor, NewCase(ContactSource.PERSON, PersonDetails(name="Erik Ek"))
                )
                update = IntakeUpdate(person=PersonDetails(name="Erik Ek"), affiliation=TargetGroup.MC_GANG)
                await complete_intake(session, secret, actor, case_id, update)
                consent = ConsentInput(
                    organisations=(ids[MALMO], ids[OPERATION]),
                    categories=(Category.HOUSING, Category.IDENTITY),
                    purpose="Boende i en annan kommun",
                    valid_from=TODAY - timedelta(days=1),
                    valid_until=TODAY + timedelta(days=365),
                    witnessed_by="Handläggaren",
                )
                await record_consent(session, actor, case_id, consent, secret)
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, prepare()).result()


def register_unit(page: Page, municipality: str, locality: str, position: tuple[str, str], address: str) -> None:
    follow(page, page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Bostäder för placering"))
    checked(page)
    page.get_by_label("Bostadstyp").select_option(label="Jourlägenhet")
    page.get_by_label("Antal personer bostaden rymmer").fill("3")
    page.get_by_label("Ledig från").fill(TODAY.isoformat())
    page.get_by_label("Kostnad per månad (kr)").fill("6000")
    page.get_by_label("Kommun", exact=True).select_option(label=municipality)
    page.get_by_label("Tätort", exact=True).fill(locality)
    page.get_by_label("Tätortens latitud").fill(position[0])
    page.get_by_label("Tätortens longitud").fill(position[1])
    page.get_by_label("Adress", exact=True).fill(address)
    page.get_by_role("button", name="Registrera", exact=True).click()
    expect(page.get_by_role("cell", name=f"{locality}, {municipality}")).to_be_visible()
    checked(page)


def offer_in(page: Page, municipality: str) -> None:
    page.get_by_role("button", name="Hämta förslag").click()
    expect(page.get_by_role("heading", name="Förslag")).to_be_visible()
    checked(page)
    page.get_by_role("listitem").filter(has_text=municipality).get_by_role("button", name="Skicka erbjudande").click()
    expect(page.get_by_text("Väntar på svar")).to_be_visible()
    checked(page)


def open_payment(page: Page) -> None:
    """The municipality's payment month, then the one placement's payment page."""
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Betalningsansvar för placeringar"
    ).click()
    expect(page.get_by_text("kvarskrivning")).to_be_visible()
    checked(page)
    page.get_by_role("link", name=re.compile("visa placeringens betalningsansvar")).click()
    expect(page.get_by_role("heading", name="Betalningsansvar för en placering")).to_be_visible()
    checked(page)


def test_a_placement_from_request_to_move_out(browser: Browser, live_server: LiveServer) -> None:  # noqa: PLR0915 - one walk
    officer = new_person(live_server, GOTEBORG, ["case_officer"])
    malmo = new_person(live_server, MALMO, ["placement_coordinator"])
    operation = new_person(live_server, OPERATION, ["placement_coordinator"])
    police = new_person(live_server, POLICE, ["security_officer"])
    goteborg = new_person(live_server, GOTEBORG, ["placement_coordinator"])
    orebro = new_person(live_server, OREBRO, ["placement_coordinator"])
    prepared_case(live_server, officer)

    malmo_context, malmo_page = signed_in(browser, live_server, malmo)
    register_unit(malmo_page, "Malmö", "Malmö", ("55.60", "13.00"), "Malmögatan 3")
    operation_context, operation_page = signed_in(browser, live_server, operation)
    register_unit(operation_page, "Örebro", "Örebro", ("59.27", "15.21"), "Örebrovägen 9, lgh 1102")

    # The officer asks for a placement from the case, on a phone.
    officer_context, page = signed_in(browser, live_server, officer, viewport=PHONE)
    follow(page, page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Placeringar", exact=True))
    checked(page)
    page.get_by_label("Ärende").select_option(index=1)
    page.get_by_label("Antal personer i hushållet").fill("2")
    page.get_by_label("Tidigaste inflyttningsdag").fill(TODAY.isoformat())
    page.get_by_role("button", name="Begär placering").click()
    expect(page.locator("#no_assessment_reason-error")).to_contain_text("ingen registrerad hot- och riskbedömning")
    checked(page)
    page.get_by_label("Om ingen hotbedömning finns: varför behövs ingen?").fill(
        "Polisen har sagt att ingen formell bedömning behövs."
    )
    page.get_by_role("button", name="Begär placering").click()
    expect(page.get_by_role("heading", name="Begäran om placering")).to_be_visible()
    request_url = page.url
    offer_in(page, "Malmö")

    # Malmö declines with a coded reason.
    malmo_page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Erbjudanden om placering").click()
    expect(malmo_page.get_by_text("2 personer")).to_be_visible()
    checked(malmo_page)
    malmo_page.get_by_label("Skäl").select_option(label="Vi har inte kapacitet just nu")
    malmo_page.get_by_role("button", name="Avböj").click()
    expect(malmo_page.get_by_text("Avböjt")).to_be_visible()
    checked(malmo_page)

    # The officer offers the operation's unit in Örebro, which accepts.
    page.goto(request_url)
    expect(page.get_by_text("Vi har inte kapacitet just nu")).to_be_visible()
    offer_in(page, "Örebro")
    follow(
        operation_page,
        operation_page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Erbjudanden om placering"),
    )
    checked(operation_page)
    operation_page.get_by_role("button", name="Anta").click()
    expect(operation_page.get_by_role("heading", name=re.compile("Placering i Örebro"))).to_be_visible()
    checked(operation_page)

    # The police region of Örebro is told, with neither address nor identity.
    police_context, police_page = signed_in(browser, live_server, police)
    police_page.goto(f"{live_server.url}/notiser")
    expect(police_page.get_by_text("En person under ert skydd har flyttat in i er region")).to_be_visible()
    expect(police_page.get_by_text("Örebrovägen")).to_have_count(0)
    checked(police_page)

    # Göteborg, the home municipality, proposes that Örebro, where the placement is, pays from today.
    goteborg_context, goteborg_page = signed_in(browser, live_server, goteborg, viewport=PHONE)
    open_payment(goteborg_page)
    goteborg_page.get_by_label("Första dagen mottagande kommun betalar").fill(TODAY.isoformat())
    goteborg_page.get_by_role("button", name="Skicka förslaget").click()
    expect(goteborg_page.get_by_text("Ert förslag väntar på svar från den andra kommunen.")).to_be_visible()
    expect(goteborg_page.get_by_role("button", name="Ja, godkänn överföringen")).to_have_count(0)
    checked(goteborg_page)

    # Örebro is told (no personal data) and agrees; agreeing asks first.
    orebro_context, orebro_page = signed_in(browser, live_server, orebro)
    orebro_page.goto(f"{live_server.url}/notiser")
    expect(
        orebro_page.get_by_text("En kommun föreslår att betalningsansvaret för en placering förs över")
    ).to_be_visible()
    open_payment(orebro_page)
    orebro_page.locator("summary", has_text="Godkänn överföringen").click()
    orebro_page.get_by_role("button", name="Ja, godkänn överföringen").click()
    expect(orebro_page.get_by_text("Överenskommen")).to_be_visible()
    checked(orebro_page)
    goteborg_page.reload()
    expect(goteborg_page.get_by_text("därefter mottagande kommun")).to_be_visible()

    # The officer opens the address (logged) and, later, records the move-out.
    page.goto(request_url)
    expect(page.get_by_text("Placerad")).to_be_visible()
    follow(page, page.get_by_role("link", name="Visa placeringen"))
    checked(page)
    page.get_by_role("button", name="Visa adressen").click()
    expect(page.get_by_text("Örebrovägen 9, lgh 1102")).to_be_visible()
    page.get_by_label("Utflyttningsdag").fill(TODAY.isoformat())
    # Ending a placement asks first.
    page.locator("summary", has_text="Registrera utflyttning").click()
    page.get_by_role("button", name="Ja, registrera utflyttningen").click()
    expect(page.get_by_text(f"utflyttad {TODAY.isoformat()}")).to_be_visible()
    checked(page)
    for context in (
        officer_context,
        malmo_context,
        operation_context,
        police_context,
        goteborg_context,
        orebro_context,
    ):
        context.close()
