"""A municipality's first administrator: invited by the national administrator, signed in with an authenticator.

Maria, a national administrator, invites the first administrator of Kiruna kommun, which has
none; Kalle accepts after signing in through the built-in provider with a password and a TOTP code,
invites a colleague, and confirms Kiruna's directory entry, which Lina, the reviewer, approves.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from avhopp.platform.database import create_owner_engine
from avhopp.platform.idp.admin import create_account
from avhopp.tenants.registry.roles import Role
from tests.e2e.conftest import assert_accessible, person_context
from tests.e2e.test_guidance_line import new_person
from tests.e2e.test_login import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.support.live_server import LiveServer

_LINK = re.compile(r"http://127\.0\.0\.1:\d+/inbjudan/[A-Za-z0-9_-]+")


def test_a_municipality_gets_its_first_administrator_who_confirms_its_entry(
    browser: Browser, live_server: LiveServer
) -> None:
    # Fresh accounts: each enrols its authenticator once, and other tests sign the demo people in.
    maria = new_person(live_server, "bra", [Role.NATIONAL_ADMIN])
    lina = new_person(live_server, "bra", [Role.DIRECTORY_REVIEWER])
    kalle = f"kalle-{uuid.uuid4().hex[:8]}"
    engine = create_owner_engine(live_server.database.owner_url)
    with engine.begin() as connection:
        # An account of the built-in provider and nothing else: no membership anywhere yet.
        _, password = create_account(connection, kalle, "Kalle Kiruna (e2e)", "kalle@kiruna.example")
    engine.dispose()
    live_server.passwords[kalle] = password

    national = person_context(browser).new_page()
    sign_in(national, live_server, maria, check=False)
    national.get_by_role("link", name="Anslutning av organisationer").click()
    national.get_by_label("Sök organisation").fill("Kiruna")
    national.get_by_role("button", name="Sök").click()
    expect(national.get_by_role("row", name=re.compile("Kiruna kommun"))).to_contain_text("Nej")
    assert_accessible(national)
    national.get_by_role("link", name="Kiruna kommun").click()
    national.get_by_label("E-postadress").fill("kalle@kiruna.example")
    national.get_by_role("button", name="Bjud in", exact=True).click()
    link = _LINK.search(national.locator(".app-secret").inner_text())
    assert link
    assert_accessible(national)

    kalle_page = person_context(browser).new_page()
    sign_in(kalle_page, live_server, kalle, check=False)
    kalle_page.goto(link.group(0))
    kalle_page.get_by_role("button", name="Gå med").click()
    expect(kalle_page.locator("header")).to_contain_text("Kiruna kommun")

    kalle_page.get_by_role("link", name="Personer och roller").click()
    kalle_page.get_by_label("Handläggare").last.check()
    kalle_page.get_by_role("button", name="Skapa inbjudan").click()
    expect(kalle_page.locator(".app-secret")).to_contain_text("/inbjudan/")

    kalle_page.get_by_role("link", name="Katalogen att bekräfta").click()
    expect(kalle_page.get_by_text("Att bekräfta").first).to_be_visible()
    expect(kalle_page.get_by_text("Källa").first).to_be_visible()
    assert_accessible(kalle_page)
    kalle_page.get_by_role("button", name=re.compile("Uppgifterna stämmer")).first.click()
    expect(kalle_page.get_by_role("status")).to_contain_text("Bekräftelsen är skickad")

    reviewer = person_context(browser).new_page()
    sign_in(reviewer, live_server, lina, check=False)
    reviewer.goto(f"{live_server.url}/katalog/granskning")
    reviewer.get_by_role("row", name=re.compile("Kiruna kommun")).get_by_role("link").first.click()
    reviewer.get_by_role("button", name="Godkänn och publicera").click()

    kalle_page.reload()
    expect(kalle_page.get_by_text("Alla organisationens uppgifter i katalogen är bekräftade.")).to_be_visible()
    national.goto(f"{live_server.url}/nationellt/organisationer?sok=Kiruna")
    expect(national.get_by_role("row", name=re.compile("Kiruna kommun"))).to_contain_text("Ja")
