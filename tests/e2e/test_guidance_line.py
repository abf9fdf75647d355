"""The guidance line in Chromium: a contact becomes a referral that an operation accepts in its case workspace,
and the line sees it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from playwright.sync_api import expect
from sqlalchemy import text

from avhopp.platform.database import create_owner_engine
from avhopp.platform.idp.admin import create_account
from tests.e2e.conftest import assert_accessible, person_context
from tests.e2e.test_login import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.support.live_server import LiveServer


def new_person(server: LiveServer, tenant_slug: str, roles: list[str]) -> str:
    """A fresh account (each enrols its authenticator once) that is a member of the tenant."""
    username = f"e2e-{uuid.uuid4().hex[:8]}"
    engine = create_owner_engine(server.database.owner_url)
    try:
        with engine.begin() as connection:
            account_id, password = create_account(connection, username, f"Test {username}", None)
            user_id = connection.execute(
                text("INSERT INTO app_user (display_name) VALUES (:name) RETURNING id"),
                {"name": f"Test {username}"},
            ).scalar_one()
            issuer = connection.execute(text("SELECT DISTINCT issuer FROM user_identity LIMIT 1")).scalar_one()
            connection.execute(
                text("INSERT INTO user_identity (user_id, issuer, subject) VALUES (:user, :issuer, :subject)"),
                {"user": user_id, "issuer": issuer, "subject": str(account_id)},
            )
            tenant = connection.execute(
                text("SELECT id FROM tenant WHERE slug = :slug"), {"slug": tenant_slug}
            ).scalar_one()
            connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})
            connection.execute(
                text("INSERT INTO membership (tenant_id, user_id, roles) VALUES (:t, :u, :r)"),
                {"t": tenant, "u": user_id, "r": roles},
            )
    finally:
        engine.dispose()
    server.passwords[username] = password
    return username


def test_a_contact_is_referred_accepted_and_the_line_sees_it(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    operator = new_person(live_server, "stodlinjen", ["line_operator"])
    sign_in(page, live_server, operator, check=False)
    page.get_by_role("link", name="Stödlinjen", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Anhörig").check()
    page.get_by_role("button", name="Starta kontakten").click()
    expect(page.get_by_text("Akut fara: be personen ringa 112")).to_be_visible()
    page.get_by_label("Kommun där personen är folkbokförd").select_option(label="Göteborg")
    page.get_by_label("Ålder").fill("30")
    page.get_by_role("button", name="Sök vem som kan hjälpa").click()
    assert_accessible(page)
    page.locator("#remiss").get_by_label("Avhopparverksamheten i Göteborg").check()
    page.get_by_label("Personen har samtyckt till remissen och till det som delas").check()
    page.get_by_label("Det personen vill att verksamheten ska veta").fill("Vill lämna ett nätverk, behöver boende.")
    page.get_by_label("Hur och när personen kan kontaktas säkert").fill("Sms efter klockan 18.")
    page.get_by_role("button", name="Skicka remissen").click()
    expect(page.locator("#remisser")).to_contain_text("Skickad")

    receiving = person_context(browser)
    receiver_page = receiving.new_page()
    officer = new_person(live_server, "kc-goteborg", ["case_officer"])
    sign_in(receiver_page, live_server, officer, check=False)
    receiver_page.get_by_role("link", name="Remisser från stödlinjen").click()
    assert_accessible(receiver_page)
    receiver_page.locator("tbody tr", has_text="Skickad").get_by_role("link").first.click()
    expect(receiver_page.get_by_text("Vill lämna ett nätverk, behöver boende.")).to_be_visible()
    assert_accessible(receiver_page)
    receiver_page.get_by_role("button", name="Acceptera och öppna ett ärende").click()
    expect(receiver_page.get_by_role("heading", name="Inledande bedömning")).to_be_visible()
    receiving.close()

    page.goto(f"{live_server.url}/linjen/remisser")
    expect(page.get_by_role("table")).to_contain_text("Accepterad")
    assert_accessible(page)
