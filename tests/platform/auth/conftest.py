"""The whole product's app with the built-in provider, and a browser-like client that logs in through it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pyotp
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from avhopp.app import build_app
from avhopp.platform.idp import ensure_identity_provider
from avhopp.platform.idp.admin import create_account
from avhopp.platform.settings import load_settings
from tests.platform.idp.conftest import BROWSER, csrf_token, form_action, totp_secret
from tests.platform.web.conftest import SECRET_KEY

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    import httpx
    from litestar import Litestar
    from sqlalchemy import Engine

    from avhopp.platform.settings import Settings
    from tests.support.postgres import TestDatabase

BASE_URL = "https://avhopp.test"


@dataclass
class Person:
    username: str
    password: str
    """The temporary password until the first login replaces it with the person's own."""
    user_id: uuid.UUID | None = None


@dataclass
class Browser:
    """A test client that follows the login like a browser, but shows each redirect."""

    client: AsyncTestClient[Litestar]
    settings: Settings
    role: str | None = None
    """The role the test gave this person, where it gave one."""
    user_id: uuid.UUID | None = None

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(path, headers=BROWSER, **kwargs)

    async def post_form(self, page: httpx.Response, action: str, data: dict[str, str | list[str]]) -> httpx.Response:
        return await self.client.post(action, data={"_csrf_token": csrf_token(page.text), **data}, headers=BROWSER)

    async def log_in(self, person: Person, start: str = "/auth/login") -> httpx.Response:
        """From /auth/login to the platform's redirect after the callback: a first sign-in, own password and TOTP."""
        to_provider = await self.get(start)
        login_page = await self.get(local_path(to_provider.headers["location"]))
        choose = await self.post_form(
            login_page,
            form_action_of(login_page),
            {"step": "password", "username": person.username, "password": person.password},
        )
        person.password = f"Eget lösenord för {person.username}"
        enrol = await self.post_form(
            choose,
            form_action_of(choose),
            {"step": "new_password", "new_password": person.password, "new_password_repeat": person.password},
        )
        secret = totp_secret(enrol.text)
        to_callback = await self.post_form(
            enrol, form_action_of(enrol), {"step": "enrol", "code": pyotp.TOTP(secret).now()}
        )
        return await self.get(local_path(to_callback.headers["location"]))


def form_action_of(page: httpx.Response) -> str:
    return form_action(page.text)


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.fixture
def product_settings(database: TestDatabase, tmp_path: Path) -> Settings:
    return load_settings(
        {
            "DATABASE_URL": database.owner_url.render_as_string(hide_password=False),
            "AVHOPP_SECRET_KEY": SECRET_KEY,
            "AVHOPP_DATA_DIR": str(tmp_path),
            "AVHOPP_PUBLIC_URL": BASE_URL,
        }
    )


@pytest.fixture
async def browser(product_settings: Settings, database: TestDatabase, owner_engine: Engine) -> AsyncIterator[Browser]:
    with owner_engine.begin() as connection:
        ensure_identity_provider(connection, product_settings, [])
    app = build_app(product_settings, database.app_url)
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        client.follow_redirects = False
        yield Browser(client, product_settings)


@pytest.fixture
def person(owner_engine: Engine) -> Person:
    username = f"person-{uuid.uuid4().hex[:10]}"
    with owner_engine.begin() as connection:
        _, password = create_account(connection, username, "Test Person", None)
    return Person(username, password)


def grant_membership(owner_engine: Engine, user_id: uuid.UUID, tenant_slug: str, roles: list[str]) -> uuid.UUID:
    """Make the person a member of the tenant, as tenant administration would."""
    with owner_engine.begin() as connection:
        tenant_id = connection.execute(
            text("SELECT id FROM tenant WHERE slug = :slug"), {"slug": tenant_slug}
        ).scalar_one()
        connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)})
        connection.execute(
            text("INSERT INTO membership (tenant_id, user_id, roles) VALUES (:tenant, :user, :roles)"),
            {"tenant": tenant_id, "user": user_id, "roles": roles},
        )
    return uuid.UUID(str(tenant_id))


def user_id_of(owner_engine: Engine, username: str) -> uuid.UUID:
    with owner_engine.connect() as connection:
        return uuid.UUID(
            str(
                connection.execute(
                    text(
                        "SELECT i.user_id FROM user_identity i JOIN idp_account a ON a.id::text = i.subject"
                        " WHERE a.username = :username"
                    ),
                    {"username": username},
                ).scalar_one()
            )
        )
