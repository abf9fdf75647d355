"""The auditor's page: own tenant only, filters, refusals recorded, and no personal data in the trail."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from avhopp.platform.app import create_app
from avhopp.platform.audit import Action, AuditEvent, record_alone
from avhopp.platform.auth.sessions import SESSION_COOKIE, token_hash
from avhopp.platform.idp import ensure_identity_provider
from avhopp.platform.idp.admin import create_account
from avhopp.platform.settings import load_settings
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.registry.service import People
from tests.platform.auth.conftest import BASE_URL, Browser, Person, grant_membership, user_id_of
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import GOTEBORG_GRANSKARE, MALMO

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.conftest import SignIn
    from tests.support.postgres import TestDatabase

NAME = "Greta Granskare"
EMAIL = "greta.granskare@example.se"
OWN = "kommun-1441"


@pytest.fixture
async def browser(database: TestDatabase, owner_engine: Engine, tmp_path: Path) -> AsyncIterator[Browser]:
    settings = load_settings(
        {
            "DATABASE_URL": database.owner_url.render_as_string(hide_password=False),
            "AVHOPP_SECRET_KEY": SECRET_KEY,
            "AVHOPP_DATA_DIR": str(tmp_path),
            "AVHOPP_PUBLIC_URL": BASE_URL,
        }
    )
    with owner_engine.begin() as connection:
        ensure_identity_provider(connection, settings, [])
    app = create_app(settings, database.app_url, people=People())
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        client.follow_redirects = False
        yield Browser(client, settings)


@pytest.fixture
def person(owner_engine: Engine) -> Person:
    username = f"greta-{uuid.uuid4().hex[:10]}"
    with owner_engine.begin() as connection:
        _, password = create_account(connection, username, NAME, EMAIL)
    return Person(username, password)


async def sign_in_acting_for(browser: Browser, person: Person, owner_engine: Engine, role: str) -> uuid.UUID:
    """Log in, become a member of OWN with `role`, and act for it (as the tenant switcher would)."""
    await browser.log_in(person)
    person.user_id = user_id_of(owner_engine, person.username)
    tenant = grant_membership(owner_engine, person.user_id, OWN, [role])
    with owner_engine.begin() as connection:
        connection.execute(
            text("UPDATE web_session SET acting_tenant_id = :tenant WHERE token_hash = :hash"),
            {"tenant": tenant, "hash": token_hash(browser.client.cookies[SESSION_COOKIE])},
        )
    return tenant


def tenant_id(owner_engine: Engine, slug: str) -> uuid.UUID:
    with owner_engine.connect() as connection:
        found = connection.execute(text("SELECT id FROM tenant WHERE slug = :slug"), {"slug": slug}).scalar_one()
    return uuid.UUID(str(found))


def trail_rows(owner_engine: Engine, condition: str, **params: object) -> list[dict[str, object]]:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.audit_verify', 'on', true)"))
        rows = connection.execute(text(f"SELECT * FROM audit_event WHERE {condition} ORDER BY id"), params)
        return [dict(row) for row in rows.mappings()]


async def test_an_auditor_sees_and_filters_the_own_tenants_trail_only(
    sign_in: SignIn, owner_engine: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    auditor = GOTEBORG_GRANSKARE
    browser = await sign_in(auditor)
    own = tenant_id(owner_engine, auditor.tenant)
    marker = uuid.uuid4().hex[:8]
    colleague = uuid.uuid4()
    await record_alone(sessions, AuditEvent(Action.PERSON_READ, own, auditor.user_id, reason=f"read_{marker}"))
    await record_alone(sessions, AuditEvent(Action.ACCESS_REFUSED, own, colleague, reason=f"refused_{marker}"))
    other = tenant_id(owner_engine, MALMO)
    await record_alone(sessions, AuditEvent(Action.PERSON_READ, other, reason=f"foreign_{marker}"))
    tomorrow = (datetime.now(STOCKHOLM).date() + timedelta(days=2)).isoformat()

    everything = await browser.get("/granskning")
    by_action = await browser.get("/granskning", params={"handelse": Action.ACCESS_REFUSED})
    by_person = await browser.get("/granskning", params={"person": str(auditor.user_id)})
    by_date = await browser.get("/granskning", params={"fran": tomorrow})
    today = await browser.get(
        "/granskning", params={"fran": datetime.now(STOCKHOLM).date().isoformat(), "till": tomorrow}
    )
    empty_fields = await browser.get("/granskning", params={"person": "", "handelse": "", "fran": "", "till": ""})
    bad_date = await browser.get("/granskning", params={"fran": "igår"})

    assert everything.status_code == 200
    assert f"read_{marker}" in everything.text
    assert f"refused_{marker}" in everything.text
    assert f"foreign_{marker}" not in everything.text
    assert "Läste personuppgifter" in everything.text
    assert auditor.display_name in everything.text
    assert f"refused_{marker}" in by_action.text
    assert f"read_{marker}" not in by_action.text
    assert f"read_{marker}" in by_person.text
    assert f"refused_{marker}" not in by_person.text
    assert f"read_{marker}" not in by_date.text
    assert "Inga händelser matchar urvalet." in by_date.text
    assert f"read_{marker}" in today.text
    assert empty_fields.status_code == 200
    assert bad_date.status_code == 400
    viewed = trail_rows(
        owner_engine,
        "chain = :chain AND action = 'audit.viewed' AND actor_user_id = :user",
        chain=str(own),
        user=auditor.user_id,
    )
    assert len(viewed) == 7 - 1  # every view but the refused one


# A full login: the test is about what the login itself leaves in the trail.
@pytest.mark.usefixtures("clean_database")
async def test_others_are_refused_and_the_refusal_and_the_session_are_recorded_without_personal_data(
    browser: Browser, person: Person, owner_engine: Engine
) -> None:
    own = await sign_in_acting_for(browser, person, owner_engine, "case_officer")
    page = await browser.get("/granskning")
    await browser.post_form(page, "/auth/logout", {})

    assert page.status_code == 403
    refused = trail_rows(owner_engine, "chain = :chain AND actor_user_id = :user", chain=str(own), user=person.user_id)
    assert [(row["action"], row["object_id"], row["reason"]) for row in refused] == [
        ("authz.refused", "GET /granskning", "audit:read"),
        ("auth.logout", None, None),
    ]
    login = trail_rows(owner_engine, "chain = 'platform' AND actor_user_id = :user", user=person.user_id)
    assert [row["action"] for row in login] == ["auth.login_succeeded"]
    everything = " ".join(str(row) for row in trail_rows(owner_engine, "true"))
    for personal in (NAME, "Greta", person.username, EMAIL):
        assert personal not in everything
