"""Notifications in Chromium: the header's count, the list, marking read, turning e-mail off; all accessible."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect
from sqlalchemy import text

from avhopp.platform.database import create_owner_engine
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_guidance_line import new_person
from tests.e2e.test_login import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.live_server import LiveServer

KC = "kc-goteborg"


def notify(server: LiveServer, username: str, links: list[str]) -> None:
    """Notifications of a new referral for the person, as the line's job leaves them."""
    engine = create_owner_engine(server.database.owner_url)
    try:
        with engine.begin() as connection:
            user_id, tenant_id = connection.execute(
                text(
                    "SELECT u.id, m.tenant_id FROM app_user u JOIN membership m ON m.user_id = u.id"
                    " WHERE u.display_name = :name"
                ),
                {"name": f"Test {username}"},
            ).one()
            connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
            for link in links:
                connection.execute(
                    text(
                        "INSERT INTO notification (tenant_id, user_id, kind, link)"
                        " VALUES (:t, :u, 'line_referral_received', :link)"
                    ),
                    {"t": tenant_id, "u": user_id, "link": link},
                )
    finally:
        engine.dispose()


def test_the_header_leads_to_the_list_where_notifications_are_marked_read(page: Page, live_server: LiveServer) -> None:
    officer = new_person(live_server, KC, ["case_officer"])
    notify(live_server, officer, ["/arenden/remisser", "/konto"])
    sign_in(page, live_server, officer, check=False)

    page.get_by_role("link", name="Notiser, 2 olästa").click()
    expect(page.get_by_role("heading", name="Notiser", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Markera som läst").first.click()
    expect(page.get_by_role("link", name="Notiser, 1 oläst")).to_be_visible()

    page.get_by_label("Skicka e-post till mig när jag får en ny notis").uncheck()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_label("Skicka e-post till mig när jag får en ny notis")).not_to_be_checked()
    page.get_by_role("button", name="Markera alla som lästa").click()
    expect(page.get_by_role("link", name="Notiser, inga olästa")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Ny remiss från stödlinjen").first.click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/(arenden/remisser|konto)$"))
