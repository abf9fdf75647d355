"""Logging in to the platform through OIDC: sessions, time-outs, logout, CSRF, tenant switching, headers."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from avhopp.app import build_app
from avhopp.platform.auth.sessions import SESSION_COOKIE, active_session, token_hash
from avhopp.platform.database import RequestContext, context_of, context_session
from avhopp.platform.idp import ensure_identity_provider
from avhopp.platform.idp.admin import create_machine_client
from avhopp.platform.settings import load_settings
from avhopp.platform.web.redirects import safe_return_path
from avhopp.tenants.registry.service import People
from tests.platform.auth.conftest import BASE_URL, Browser, grant_membership, user_id_of
from tests.platform.idp.conftest import BROWSER, csrf_token
from tests.platform.web.conftest import SECRET_KEY

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.settings import Settings
    from tests.platform.auth.conftest import Person
    from tests.support.postgres import TestDatabase


def session_row(owner_engine: Engine, token: str) -> dict[str, object] | None:
    with owner_engine.connect() as connection:
        row = (
            connection.execute(text("SELECT * FROM web_session WHERE token_hash = :hash"), {"hash": token_hash(token)})
            .mappings()
            .one_or_none()
        )
    return dict(row) if row else None


async def test_login_starts_a_server_side_session_with_a_safe_cookie(
    browser: Browser, person: Person, owner_engine: Engine
) -> None:
    landing = await browser.log_in(person)

    assert landing.status_code == 302
    assert landing.headers["location"] == "/"
    cookie = next(value for value in landing.headers.get_list("set-cookie") if value.startswith(f"{SESSION_COOKIE}="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags
    token = browser.client.cookies[SESSION_COOKIE]
    row = session_row(owner_engine, token)
    assert row is not None
    assert row["ended_at"] is None
    assert token not in str(row.values())


async def test_the_session_cookie_lasts_as_long_as_the_browser_and_the_server_keeps_time(
    browser: Browser, person: Person
) -> None:
    """A cookie with Max-Age or Expires outlives a closed browser on a shared computer."""
    landing = await browser.log_in(person)

    cookie = next(value for value in landing.headers.get_list("set-cookie") if value.startswith(f"{SESSION_COOKIE}="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert not attributes & {"max-age", "expires"}


async def test_the_idle_and_absolute_time_outs_are_those_of_the_settings(
    database: TestDatabase, owner_engine: Engine, person: Person, tmp_path: Path
) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": database.owner_url.render_as_string(hide_password=False),
            "AVHOPP_SECRET_KEY": SECRET_KEY,
            "AVHOPP_DATA_DIR": str(tmp_path),
            "AVHOPP_PUBLIC_URL": BASE_URL,
            "AVHOPP_SESSION_IDLE_MINUTES": "5",
            "AVHOPP_SESSION_MAX_HOURS": "1",
        }
    )
    with owner_engine.begin() as connection:
        ensure_identity_provider(connection, settings, [])
    async with AsyncTestClient(build_app(settings, database.app_url), base_url=BASE_URL) as client:
        client.follow_redirects = False
        browser = Browser(client, settings)
        await browser.log_in(person)
        token = browser.client.cookies[SESSION_COOKIE]
        row = session_row(owner_engine, token)
        assert row is not None
        lifetime = row["expires_at"] - row["created_at"]  # type: ignore[operator]
        assert timedelta(minutes=59) < lifetime < timedelta(minutes=61)

        with owner_engine.begin() as connection:
            connection.execute(
                text("UPDATE web_session SET last_seen_at = now() - interval '4 minutes' WHERE token_hash = :hash"),
                {"hash": token_hash(token)},
            )
        assert (await browser.get("/konto")).status_code == 200
        with owner_engine.begin() as connection:
            connection.execute(
                text("UPDATE web_session SET last_seen_at = now() - interval '6 minutes' WHERE token_hash = :hash"),
                {"hash": token_hash(token)},
            )
        assert (await browser.get("/konto")).status_code == 302


async def test_login_returns_to_the_page_asked_for(browser: Browser, person: Person) -> None:
    landing = await browser.log_in(person, start="/auth/login?next=/konto")

    assert landing.headers["location"] == "/konto"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "", None])
def test_never_returns_to_another_site(target: str | None) -> None:
    assert safe_return_path(target) == "/"


async def test_a_new_person_without_membership_is_told_so(browser: Browser, person: Person) -> None:
    await browser.log_in(person)

    page = await browser.get("/")

    assert page.status_code == 200
    assert "Välkommen, Test Person" in page.text
    assert "Du har inget uppdrag på plattformen ännu" in page.text


async def test_an_idle_session_ends(browser: Browser, person: Person, owner_engine: Engine) -> None:
    await browser.log_in(person)
    with owner_engine.begin() as connection:
        connection.execute(
            text("UPDATE web_session SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = :hash"),
            {"hash": token_hash(browser.client.cookies[SESSION_COOKIE])},
        )

    page = await browser.get("/konto")
    api = await browser.client.get("/konto", headers={"accept": "application/json"})

    assert page.status_code == 302
    assert page.headers["location"] == "/auth/login?next=%2Fkonto"
    assert api.status_code == 401
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["code"] == "unauthenticated"


async def test_a_session_ends_after_its_absolute_time_however_active(
    browser: Browser, person: Person, owner_engine: Engine
) -> None:
    await browser.log_in(person)
    with owner_engine.begin() as connection:
        connection.execute(
            text("UPDATE web_session SET expires_at = now() - interval '1 second' WHERE token_hash = :hash"),
            {"hash": token_hash(browser.client.cookies[SESSION_COOKIE])},
        )

    assert (await browser.get("/konto")).status_code == 302


async def test_a_session_found_no_longer_live_leaves_nobody_acting(
    browser: Browser, person: Person, owner_engine: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # Its read names the person as it finds the row; finding it dead must give that back.
    await browser.log_in(person)
    token = browser.client.cookies[SESSION_COOKIE]
    with owner_engine.begin() as connection:
        connection.execute(
            text("UPDATE web_session SET ended_at = now() WHERE token_hash = :hash"), {"hash": token_hash(token)}
        )

    async with context_session(sessions, RequestContext()) as session:
        found = await active_session(session, token, timedelta(minutes=30), People().principal_read)
        acting = (await session.execute(text("SELECT current_setting('app.user_id', true)"))).scalar_one()
        context = context_of(session)

    assert found is None
    assert acting == ""
    assert context == RequestContext()


async def test_logout_needs_the_csrf_token_and_then_ends_both_sessions(
    browser: Browser, person: Person, owner_engine: Engine
) -> None:
    await browser.log_in(person)
    token = browser.client.cookies[SESSION_COOKIE]
    page = await browser.get("/konto")

    forged = await browser.client.post("/auth/logout", headers=BROWSER)
    assert forged.status_code == 403
    assert session_row(owner_engine, token)["ended_at"] is None  # type: ignore[index]

    done = await browser.client.post("/auth/logout", data={"_csrf_token": csrf_token(page.text)}, headers=BROWSER)

    assert done.status_code == 302
    assert done.headers["location"].startswith(f"{BASE_URL}/idp/logout?")
    assert "id_token_hint=" in done.headers["location"]
    row = session_row(owner_engine, token)
    assert row is not None
    assert row["ended_at"] is not None
    assert row["id_token"] is None
    browser.client.cookies.set(SESSION_COOKIE, token)
    assert (await browser.get("/konto")).status_code == 302


async def test_switching_to_an_own_tenant_and_not_to_another(
    browser: Browser, person: Person, owner_engine: Engine
) -> None:
    await browser.log_in(person)
    user_id = user_id_of(owner_engine, person.username)
    lerum = grant_membership(owner_engine, user_id, "kommun-1441", ["case_officer"])
    grant_membership(owner_engine, user_id, "kommun-1484", ["case_officer"])
    with owner_engine.connect() as connection:
        foreign = connection.execute(text("SELECT id FROM tenant WHERE slug = 'kommun-1480'")).scalar_one()
    page = await browser.get("/konto")

    refused = await browser.post_form(page, "/konto/organisation", {"tenant_id": str(foreign)})
    unknown = await browser.post_form(page, "/konto/organisation", {"tenant_id": str(uuid.uuid4())})
    switched = await browser.post_form(page, "/konto/organisation", {"tenant_id": str(lerum)})
    home = await browser.get("/")

    assert refused.status_code == unknown.status_code == 404
    assert refused.text.replace(refused.headers["x-request-id"], "") == unknown.text.replace(
        unknown.headers["x-request-id"], ""
    )
    assert switched.status_code == 302
    assert "Lerums kommun" in home.text
    assert "Handläggare" in home.text


async def test_pages_carry_strict_security_headers(browser: Browser) -> None:
    page = await browser.get("/")
    static = await browser.get("/static/app.css")

    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["strict-transport-security"].startswith("max-age=")
    assert page.headers["cache-control"] == "no-store"
    assert static.headers["cache-control"].startswith("public")
    assert 'href="/static/app.css?v=' in page.text


async def test_a_bearer_token_that_is_not_one_is_refused(browser: Browser) -> None:
    response = await browser.client.get("/konto", headers={"authorization": "Bearer not-a-token"})

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_a_callback_that_does_not_match_a_login_is_refused_without_a_500(browser: Browser) -> None:
    response = await browser.client.get("/auth/callback?code=abc&state=forged", headers=BROWSER)

    assert response.status_code == 400
    assert "Något i förfrågan stämmer inte" in response.text


async def test_an_unreachable_issuer_gives_a_friendly_refusal(database: TestDatabase, tmp_path: Path) -> None:
    settings: Settings = load_settings(
        {
            "DATABASE_URL": database.owner_url.render_as_string(hide_password=False),
            "AVHOPP_SECRET_KEY": SECRET_KEY,
            "AVHOPP_DATA_DIR": str(tmp_path),
            "OIDC_ISSUER": "http://127.0.0.1:1/realms/okand",
            "OIDC_CLIENT_ID": "avhopp",
            "OIDC_CLIENT_SECRET": "hemligt",
        }
    )
    async with AsyncTestClient(build_app(settings, database.app_url)) as client:
        response = await client.get("/auth/login", headers=BROWSER, follow_redirects=False)

    assert response.status_code == 503
    assert "Tjänsten är inte tillgänglig just nu" in response.text


async def test_a_machine_token_is_verified_before_any_handler(browser: Browser, owner_engine: Engine) -> None:
    with owner_engine.begin() as connection:
        client_id, secret = create_machine_client(connection, "Telefonisystem", "stodlinjen", ["line_operator"])
    issued = await browser.client.post(
        "/idp/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    token = issued.json()["access_token"]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    valid = await browser.client.get("/konto", headers={"authorization": f"Bearer {token}"})
    forged = await browser.client.get("/konto", headers={"authorization": f"Bearer {tampered}"})

    assert issued.status_code == 200
    assert valid.status_code == 403, "a verified machine client is no person: refused, not unauthenticated"
    assert forged.status_code == 401
