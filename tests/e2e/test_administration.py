"""Administration and review in Chromium at a phone's width: nothing scrolls sideways, dangerous actions confirm."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

import msgspec
import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from avhopp.platform.database import create_owner_engine
from tests.directory.conftest import organization
from tests.e2e.conftest import assert_accessible, person_context
from tests.e2e.test_guidance_line import new_person
from tests.e2e.test_login import sign_in

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

    from avhopp.directory.catalogue.entry import OrganizationEntry
    from tests.support.live_server import LiveServer

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = person_context(browser, viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


def assert_fits_the_phone(page: Page) -> None:
    """Nothing on the page is wider than the phone's screen: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """limit => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit && !e.parentElement.closest('.app-scroll'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
        PHONE["width"],
    )
    assert width <= PHONE["width"], f"{page.url} is {width} px wide: {wide}"


def test_finding_support_after_a_search_fits_a_phone(phone: Page, live_server: LiveServer) -> None:
    phone.goto(f"{live_server.url}/hitta-stod")
    assert_fits_the_phone(phone)
    phone.get_by_label("Vilken kommun bor du i?").select_option(label="Mölndal")
    phone.get_by_label("Hur gammal är du?").fill("17")
    phone.get_by_role("button", name="Sök", exact=True).click()
    expect(phone.get_by_role("heading", name="Socialtjänsten, Mölndals kommun")).to_be_visible()
    assert_fits_the_phone(phone)


def _proposed(server: LiveServer, entry: OrganizationEntry) -> None:
    """A new organisation proposed by Göteborg's competence centre, awaiting review."""
    engine = create_owner_engine(server.database.owner_url)
    try:
        with engine.begin() as connection:
            tenant = connection.execute(text("SELECT id FROM tenant WHERE slug = 'kc-goteborg'")).scalar_one()
            connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})
            connection.execute(
                text(
                    "INSERT INTO directory_revision (tenant_id, subject, subject_id, document)"
                    " VALUES (:t, 'organization', :id, CAST(:document AS jsonb))"
                ),
                {"t": tenant, "id": entry.id, "document": msgspec.json.encode(entry).decode()},
            )
    finally:
        engine.dispose()


def test_the_review_queue_and_a_proposal_fit_a_phone(phone: Page, live_server: LiveServer) -> None:
    name = f"Stödverksamheten för unga vuxna i Västra Götaland {uuid.uuid4().hex[:6]}"
    _proposed(
        live_server,
        organization(
            name=name,
            website="https://www.exempel-verksamhet-for-avhoppare.example/om-oss/kontakta-oss/mottagningen",
            email="mottagningen.for.avhoppare@exempel-verksamhet.example",
        ),
    )
    reviewer = new_person(live_server, "bra", ["directory_reviewer"])
    sign_in(phone, live_server, reviewer, check=False)
    phone.goto(f"{live_server.url}/katalog/granskning")
    expect(phone.get_by_role("heading", name="Granskning av katalogen")).to_be_visible()
    assert_fits_the_phone(phone)
    assert_accessible(phone)
    phone.get_by_role("link", name=name).click()
    expect(phone.get_by_role("row", name="Webbplats")).to_be_visible()
    assert_fits_the_phone(phone)
    assert_accessible(phone)


def test_an_administrator_confirms_before_deactivating_or_removing_on_a_phone(
    phone: Page, live_server: LiveServer
) -> None:
    admin = new_person(live_server, "bra", ["platform_admin", "tenant_admin"])
    member = new_person(live_server, "bra", ["auditor"])
    sign_in(phone, live_server, admin, check=False)

    phone.goto(f"{live_server.url}/organisationer")
    assert_fits_the_phone(phone)
    assert_accessible(phone)
    phone.get_by_label("Sök organisation").fill("Kiruna")
    phone.get_by_role("button", name="Sök", exact=True).click()
    expect(phone.get_by_role("status")).to_contain_text("1 organisationer")
    phone.get_by_role("button", name="Stäng av Kiruna kommun").click()
    expect(phone.get_by_role("heading", name="Stänga av Kiruna kommun?")).to_be_visible()
    expect(phone.get_by_text("Ingen kan längre arbeta för organisationen")).to_be_visible()
    assert_fits_the_phone(phone)
    assert_accessible(phone)
    phone.get_by_role("link", name="Avbryt").click()
    expect(phone.get_by_role("heading", name="Organisationer", exact=True)).to_be_visible()

    phone.goto(f"{live_server.url}/organisation/personer")
    assert_fits_the_phone(phone)
    assert_accessible(phone)
    phone.get_by_role("button", name=f"Ta bort ur organisationen – Test {member}").click()
    expect(phone.get_by_role("heading", name=f"Ta bort Test {member} ur organisationen?")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("button", name="Ja, ta bort personen").click()
    expect(phone.get_by_role("status")).to_contain_text("Personen är borttagen ur organisationen")
    expect(phone.get_by_text(f"Test {member}")).to_have_count(0)
    assert_fits_the_phone(phone)


def test_a_password_reset_link_from_the_administrator_to_the_person_on_a_phone(
    phone: Page, browser: Browser, live_server: LiveServer
) -> None:
    admin = new_person(live_server, "bra", ["tenant_admin"])
    member = new_person(live_server, "bra", ["auditor"])
    person = person_context(browser, viewport=PHONE).new_page()
    secret = sign_in(person, live_server, member, check=False)
    expect(person.get_by_role("button", name="Logga ut")).to_be_visible()
    sign_in(phone, live_server, admin, check=False)

    phone.goto(f"{live_server.url}/organisation/personer")
    phone.get_by_role("button", name=f"Nytt lösenord – Test {member}").click()
    expect(phone.get_by_role("heading", name=f"Återställa lösenordet för Test {member}?")).to_be_visible()
    expect(phone.get_by_text("Du ser aldrig det nya lösenordet.")).to_be_visible()
    assert_fits_the_phone(phone)
    assert_accessible(phone)
    phone.get_by_role("button", name="Ja, skapa en länk för nytt lösenord").click()
    expect(phone.get_by_role("status")).to_contain_text(f"Länken för nytt lösenord till Test {member} är skapad")
    link = phone.locator(".app-secret").inner_text().strip()
    assert_fits_the_phone(phone)
    assert_accessible(phone)

    person.goto(link)
    expect(person.get_by_role("heading", name="Välj ett nytt lösenord")).to_be_visible()
    assert_fits_the_phone(person)
    assert_accessible(person)
    new_password = f"Ett nytt eget lösenord för {member}"
    person.get_by_label("Kod från autentiseringsappen").fill("000000")
    person.get_by_label("Nytt lösenord", exact=True).fill(new_password)
    person.get_by_label("Skriv det nya lösenordet igen").fill(new_password)
    person.get_by_role("button", name="Spara lösenordet").click()
    expect(person.get_by_text("Koden stämmer inte.").first).to_be_visible()
    assert_accessible(person)
    person.get_by_label("Kod från autentiseringsappen").fill(pyotp.TOTP(secret).at(time.time() + 30))
    person.get_by_label("Nytt lösenord", exact=True).fill(new_password)
    person.get_by_label("Skriv det nya lösenordet igen").fill(new_password)
    person.get_by_role("button", name="Spara lösenordet").click()
    expect(person.get_by_role("status")).to_contain_text("Ändringen är sparad och du är utloggad överallt")
    assert_accessible(person)
    person.goto(link)
    expect(person.get_by_role("heading", name="Länken gäller inte")).to_be_visible()
    # Signed out everywhere: the account page asks for a sign-in, which takes the new password.
    person.goto(f"{live_server.url}/konto")
    expect(person.get_by_role("heading", name="Logga in")).to_be_visible()
    person.get_by_label("Användarnamn").fill(member)
    person.get_by_label("Lösenord").fill(new_password)
    person.get_by_role("button", name="Logga in").click()
    expect(person.get_by_role("heading", name="Engångskod")).to_be_visible()
    person.context.close()
