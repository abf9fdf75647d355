"""An external issuer configured by URL: a second platform logs in through the first one's provider.

The first server's built-in provider plays the organisation's identity provider; the second
server knows it only by OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, and talks to it
over HTTP like to Keycloak or Entra ID.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy.dialects.postgresql import insert

from avhopp.app import build_app
from avhopp.platform.database import create_owner_engine
from avhopp.platform.idp.models import IdpClient
from avhopp.platform.sealing import digest
from avhopp.platform.settings import load_settings
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_login import sign_in
from tests.support.live_server import free_port, serving

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Page

    from tests.support.live_server import LiveServer

CLIENT_ID = "kommunens-avhopp"
CLIENT_SECRET = "extern-klienthemlighet-for-test"  # noqa: S105 - a test client's secret


@pytest.fixture(scope="module")
def second_platform(live_server: LiveServer) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    engine = create_owner_engine(live_server.database.owner_url)
    with engine.begin() as connection:
        connection.execute(
            insert(IdpClient)
            .values(
                client_id=CLIENT_ID,
                client_secret_hash=digest(CLIENT_SECRET),
                name="Extern plattform",
                redirect_uris=[f"{url}/auth/callback"],
                post_logout_redirect_uris=[f"{url}/"],
                grant_types=["authorization_code"],
                scope="openid profile email",
            )
            .on_conflict_do_nothing()
        )
    engine.dispose()
    settings = load_settings(
        live_server.settings_environ
        | {
            "AVHOPP_PORT": str(port),
            "OIDC_ISSUER": f"{live_server.url}/idp",
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        }
    )
    with serving(build_app(settings, live_server.database.app_url), settings):
        yield url


def test_login_through_an_issuer_configured_by_url(page: Page, live_server: LiveServer, second_platform: str) -> None:
    secret = sign_in(page, live_server, "vagledare", check=False)
    page.get_by_role("button", name="Logga ut").click()

    page.goto(second_platform)
    page.get_by_role("link", name="Logga in").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/idp/"))
    page.get_by_label("Användarnamn").fill("vagledare")
    page.get_by_label("Lösenord").fill(live_server.passwords["vagledare"])
    page.get_by_role("button", name="Logga in").click()
    # The provider refuses a code twice; the next time step's code is within its window.
    page.get_by_label("Kod").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Logga in").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(second_platform)}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Välkommen, Omar Said (demo)")
    expect(page.locator("header")).to_contain_text("Nationella stödlinjen för avhoppare (demo)")
    assert_accessible(page)
