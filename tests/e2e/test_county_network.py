"""A county network in the browser (issue 15's "Done when"): Västra Götaland's coordinator runs it.

Karin, network coordinator at Länsstyrelsen i Västra Götalands län, opens the county's space, invites
Göteborg, Borås, the police region Väst and an operation, plans a meeting with an agenda, publishes
its minutes with an action item, uploads a document through the form, sees the county's needs, and
brings and answers an anonymised consultation (a personnummer in the question is refused first);
every page passes axe. The walk is a list of steps over one `Walk`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from avhopp.platform.database import create_owner_engine
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.registry.provisioning import TenantSpec, provision_tenants
from avhopp.tenants.registry.roles import Role
from avhopp.tenants.registry.service import TenantKind
from tests.e2e.conftest import assert_accessible, follow, person_context
from tests.e2e.test_guidance_line import new_person
from tests.e2e.test_login import sign_in

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Browser, Page

    from tests.support.live_server import LiveServer

POLICE_VAST = TenantSpec(
    "polisen-vast", TenantKind.OTHER_AUTHORITY, "Polisregion Väst, avhopparverksamheten (e2e)", county_code="14"
)
"""The demo has no police region Väst; the walk adds it as the platform's provisioning would."""
MEMBERS = (
    ("Göteborgs Stad", "Socialtjänst", "Avhopparsamordnare, socialtjänsten"),
    ("Borås kommun", "Socialtjänst", "Socialtjänsten, avhopparfrågor"),
    (POLICE_VAST.name, "Polisen", "Personsäkerhetsenheten"),
    ("Kunskapscentrum mot organiserad brottslighet, Göteborg (demo)", "Avhopparverksamhet", "Verksamhetens samordnare"),
)
PDF = b"%PDF-1.7\n% Lansrapport\n" + b"0" * 200


@dataclass
class Walk:
    """What the steps share: the coordinator's page, the server, and where the space and meeting are."""

    page: Page
    server: LiveServer
    space_url: str = ""
    meeting_url: str = ""
    notes: dict[str, str] = field(default_factory=dict)


def open_the_county_space(walk: Walk) -> None:
    page = walk.page
    page.get_by_role("link", name="Länsnätverk").first.click()
    expect(page.get_by_role("heading", name="Länsnätverk", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Slag av nätverk").select_option(label="Länets nätverk")
    page.get_by_label("Namn").fill("Länsnätverket Västra Götaland")
    page.get_by_role("button", name="Öppna nätverket").click()
    expect(page.get_by_role("heading", name="Länsnätverket Västra Götaland")).to_be_visible()
    walk.space_url = page.url
    assert_accessible(page)


def invite_the_members(walk: Walk) -> None:
    page = walk.page
    for organisation, role, function in MEMBERS:
        page.get_by_label("Organisation", exact=True).select_option(label=organisation)
        page.get_by_label("Roll i nätverket").select_option(label=role)
        page.get_by_label(re.compile("^Kontaktfunktion")).fill(function)
        page.get_by_role("button", name="Bjud in", exact=True).click()
        expect(page.get_by_role("row", name=re.compile(re.escape(organisation)))).to_contain_text(function)
    assert_accessible(page)


def hold_a_meeting_with_an_agenda(walk: Walk) -> None:
    page = walk.page
    day = datetime.now(STOCKHOLM).date() + timedelta(days=14)
    page.get_by_label("Rubrik").fill("Länsnätverkets höstmöte")
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Börjar (svensk tid)").fill("09:00")
    page.get_by_label("Slutar (svensk tid)").fill("11:30")
    page.get_by_label("Plats").fill("Länsstyrelsen, sal 3")
    page.locator("#agenda_1").fill("Behov i länet")
    page.locator("#agenda_1_by").select_option(label="Göteborgs Stad")
    page.locator("#agenda_2").fill("Hur når vi fler som vill lämna?")
    page.get_by_role("button", name="Planera mötet").click()
    expect(page.get_by_role("heading", name="Länsnätverkets höstmöte")).to_be_visible()
    expect(page.get_by_role("list").filter(has_text="Behov i länet")).to_contain_text("Göteborgs Stad")
    walk.meeting_url = page.url
    assert_accessible(page)


def publish_minutes_with_an_action_item(walk: Walk) -> None:
    page = walk.page
    page.get_by_label("Protokoll", exact=True).fill("Genomgång av behoven i länet.\nBeslut om gemensam kartläggning.")
    page.locator("#outcome_1_kind").select_option(label="Åtgärd")
    page.locator("#outcome_1").fill("Sammanställ kommunernas behov till nästa möte")
    page.locator("#outcome_1_responsible").select_option(label="Borås kommun")
    page.locator("#outcome_1_due").fill((datetime.now(STOCKHOLM).date() + timedelta(days=40)).isoformat())
    page.get_by_role("button", name="Spara utkastet").click()
    expect(page.locator("#minutes-heading")).to_contain_text("Utkast")
    assert_accessible(page)
    page.get_by_text("Justera protokollet").click()
    page.get_by_role("button", name="Ja, justera").click()
    page.get_by_text("Publicera protokollet").click()
    page.get_by_role("button", name="Ja, publicera").click()
    expect(page.locator("#minutes-heading")).to_contain_text("Publicerat")
    expect(page.get_by_text("Sammanställ kommunernas behov till nästa möte")).to_contain_text("Borås kommun")
    assert_accessible(page)


def upload_a_document(walk: Walk) -> None:
    page = walk.page
    page.goto(walk.meeting_url)
    page.get_by_label("Dokumentets namn").fill("Länsrapport 2026")
    page.get_by_label("Fil", exact=True).set_input_files(
        {"name": "lansrapport.pdf", "mimeType": "application/pdf", "buffer": b"MZ not a document"}
    )
    page.get_by_role("button", name="Ladda upp", exact=True).click()
    expect(page.locator("#document_file-error")).to_contain_text("Dokumentet ska vara en PDF, PNG eller JPEG")
    assert_accessible(page)
    page.get_by_label("Fil", exact=True).set_input_files(
        {"name": "lansrapport.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Ladda upp", exact=True).click()
    expect(page.get_by_role("link", name="Länsrapport 2026")).to_be_visible()
    page.goto(walk.space_url)
    expect(page.get_by_role("link", name="Länsrapport 2026")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Länsrapport 2026")).to_contain_text("version 1")
    assert_accessible(page)


def see_the_overview(walk: Walk) -> None:
    page = walk.page
    page.goto(f"{walk.server.url}/natverk")
    expect(page.get_by_role("heading", name="Nästa möte")).to_be_visible()
    expect(page.get_by_role("heading", name="Nya dokument")).to_be_visible()
    expect(page.get_by_role("link", name="Länsrapport 2026")).to_be_visible()
    expect(page.get_by_role("heading", name="Protokoll att justera")).to_be_visible()
    expect(page.get_by_text("medlemsorganisationer: 4")).to_be_visible()
    assert_accessible(page)


def see_the_needs_in_the_county(walk: Walk) -> None:
    page = walk.page
    page.goto(walk.space_url)
    page.get_by_role("link", name="Behov i länet").click()
    expect(page.get_by_role("heading", name="Behov i länet", level=1)).to_be_visible()
    expect(page.get_by_text("Länsnätverket Västra Götaland · Västra Götalands län")).to_be_visible()
    expect(page.get_by_text(re.compile("Kontakter med stödlinjen som gällde länet"))).to_contain_text("0")
    assert_accessible(page)


def answer_an_anonymised_consultation(walk: Walk) -> None:
    page = walk.page
    page.goto(walk.space_url)
    page.locator("#consultations-link").click()
    follow(page, page.locator("#new-consultation"))
    assert_accessible(page)
    page.get_by_label("Ålder").select_option(index=2)
    page.get_by_label("Fas").select_option(index=2)
    page.get_by_label("Län eller kommun").select_option(label="Västra Götalands län")
    page.get_by_label("Din fråga till nätverket").fill("Hon är född 19121212\u20111212 och behöver boende. Hur gör ni?")
    page.get_by_role("button", name="Ta upp ärendet").click()
    expect(page.get_by_text("Ingenting är sparat")).to_be_visible()
    expect(page.locator("#question-error")).to_contain_text("personnummer")
    assert_accessible(page)
    page.get_by_label("Din fråga till nätverket").fill(
        "Personen behöver boende i ett annat län men saknar skyddad adress. Hur gör ni?"
    )
    page.get_by_role("button", name="Ta upp ärendet").click()
    expect(page.get_by_role("heading", name="Ärendekonsultation")).to_be_visible()
    page.get_by_label("Ditt råd").fill("Ta kontakt med grannlänets samordnare och begär placering via plattformen.")
    page.get_by_role("button", name="Skicka svar").click()
    expect(page.get_by_text("Ta kontakt med grannlänets samordnare")).to_be_visible()
    page.get_by_text("Avsluta konsultationen", exact=True).click()
    page.get_by_role("button", name="Ja, avsluta konsultationen").click()
    expect(page.locator("#consultation-closed")).to_be_visible()
    assert_accessible(page)


STEPS: list[Callable[[Walk], None]] = [
    open_the_county_space,
    invite_the_members,
    hold_a_meeting_with_an_agenda,
    publish_minutes_with_an_action_item,
    upload_a_document,
    see_the_overview,
    see_the_needs_in_the_county,
    answer_an_anonymised_consultation,
]
"""The walk, in order."""


def test_a_county_coordinator_runs_the_vastra_gotaland_network(browser: Browser, live_server: LiveServer) -> None:
    engine = create_owner_engine(live_server.database.owner_url)
    with engine.begin() as connection:
        provision_tenants(connection, [POLICE_VAST])
    engine.dispose()
    karin = new_person(live_server, "lansstyrelsen-14", [Role.NETWORK_COORDINATOR])
    page = person_context(browser).new_page()
    sign_in(page, live_server, karin, check=False)
    walk = Walk(page, live_server)
    for step in STEPS:
        step(walk)
