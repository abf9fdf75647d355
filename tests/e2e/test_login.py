"""A person logs in with password and TOTP, sees their role's menu, switches tenant and language, logs out."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pyotp
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.live_server import LiveServer


def fresh_code(secret: str, after: str | None = None) -> str:
    """A TOTP code, waiting for the next time step when the last one was already used."""
    totp = pyotp.TOTP(secret)
    code = totp.now()
    while code == after:
        time.sleep(1)
        code = totp.now()
    return code


def sign_in(page: Page, server: LiveServer, username: str, *, check: bool = True) -> str:
    """Log in for the first time through the built-in provider: an own password, then TOTP; return the secret."""
    page.goto(server.url)
    if check:
        assert_accessible(page)
    page.get_by_role("link", name="Logga in").click()
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(server.passwords[username])
    if check:
        assert_accessible(page)
    page.get_by_role("button", name="Logga in").click()
    server.passwords[username] = f"Eget lösenord för {username}"
    page.get_by_label("Nytt lösenord", exact=True).fill(server.passwords[username])
    page.get_by_label("Skriv det nya lösenordet igen").fill(server.passwords[username])
    if check:
        assert_accessible(page)
    page.get_by_role("button", name="Spara lösenordet").click()
    secret = re.sub(r"\s", "", page.locator(".app-secret").inner_text())
    if check:
        assert_accessible(page)
    page.get_by_label("Kod").fill(fresh_code(secret))
    page.get_by_role("button", name=re.compile("Bekräfta|Fortsätt")).click()
    return secret


def test_a_failed_login_shows_a_clear_swedish_message(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/auth/login")
    page.get_by_label("Användarnamn").fill("vagledare")
    page.get_by_label("Lösenord").fill("fel-lösenord")
    page.get_by_role("button", name="Logga in").click()

    expect(page.get_by_text("Fel användarnamn eller lösenord.").first).to_be_visible()
    assert_accessible(page)


def test_log_in_see_the_menu_switch_tenant_and_language_and_log_out(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "handlaggare")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Välkommen, Anna Lind (demo)")
    header = page.locator("header")
    expect(header).to_contain_text("Göteborgs Stad")
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_contain_text("Översikt")
    expect(page.get_by_text("Placeringssamordnare")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Du arbetar för").select_option(
        label="Kunskapscentrum mot organiserad brottslighet, Göteborg (demo)"
    )
    page.get_by_role("button", name="Byt").click()
    expect(page.locator("main")).to_contain_text("Kunskapscentrum mot organiserad brottslighet")
    expect(page.get_by_text("Placeringssamordnare")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name="In English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Anna Lind (demo)")
    assert_accessible(page)
    page.get_by_role("button", name="På svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("link", name="Logga in")).to_be_visible()
    page.goto(f"{live_server.url}/konto")
    expect(page.get_by_label("Användarnamn")).to_be_visible()


def test_the_menu_follows_the_role(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "admin", check=False)

    navigation = page.get_by_role("navigation", name="Huvudmeny")
    expect(navigation).to_contain_text("Organisationer")
    page.get_by_role("link", name="Organisationer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Organisationer")
    assert_accessible(page)
