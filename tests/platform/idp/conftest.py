"""The built-in provider in a running app, and a test client that plays browser and relying party."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import logging
import re
import secrets
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pyotp
import pytest
import structlog
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import false, literal, select

from avhopp.platform.app import create_app
from avhopp.platform.database import following_read
from avhopp.platform.idp import ensure_identity_provider, issuer_for, platform_client_secret
from avhopp.platform.idp.admin import create_account
from avhopp.platform.idp.keys import KeyStore
from avhopp.platform.logs import configure_logging
from avhopp.platform.telemetry import configure_telemetry
from tests.platform.web.conftest import platform_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    import httpx
    from litestar import Litestar
    from sqlalchemy import Connection, Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.scope.principal import Principal
    from avhopp.platform.settings import Settings
    from tests.support.postgres import TestDatabase

BASE_URL = "https://testserver.local"
CLIENT_ID = "avhopp-web"


class NoPeople:
    """The platform's people directory is not under test here: nobody has a platform session."""

    async def user_for_identity(self, *_: object) -> None:
        return None

    async def tenant_choices(self, *_: object) -> tuple[()]:
        return ()

    async def display_name(self, *_: object) -> None:
        return None

    async def principal(self, *_: object) -> None:
        return None

    principal_read = following_read(select(literal(None)).where(false()))

    def principal_from(self, *_: object) -> None:
        return None

    async def machine_principal(self, _session: object, machine: Principal) -> Principal:
        return machine


@dataclass
class Account:
    id: uuid.UUID
    username: str
    password: str
    """What the person types now: the temporary password until the first sign-in replaces it."""

    @property
    def own_password(self) -> str:
        """The password the person chooses at the first sign-in."""
        return f"Eget lösenord för {self.username}"


@dataclass
class Owner:
    """What the `avhopp` command hands to the `idp` group."""

    settings: Settings
    engine: Engine

    @contextmanager
    def owner_transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection


@dataclass(frozen=True)
class AuthRequest:
    """What a relying party sends to /authorize and remembers for the callback."""

    query: dict[str, str]
    verifier: str

    @property
    def url(self) -> str:
        return f"/idp/authorize?{urlencode(self.query)}"


@dataclass
class Idp:
    app: Litestar
    client: AsyncTestClient[Litestar]
    settings: Settings
    issuer: str
    callback: str
    secret: str
    keys: KeyStore

    def auth_request(self, **overrides: str | None) -> AuthRequest:
        verifier = secrets.token_urlsafe(48)
        query: dict[str, str | None] = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": self.callback,
            "scope": "openid profile email",
            "state": secrets.token_urlsafe(16),
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": s256(verifier),
            "code_challenge_method": "S256",
            **overrides,
        }
        return AuthRequest({name: value for name, value in query.items() if value is not None}, verifier)

    async def start(self, auth: AuthRequest) -> httpx.Response:
        return await self.client.get(auth.url, headers=BROWSER)

    async def post_form(self, page: httpx.Response, data: dict[str, str]) -> httpx.Response:
        """Submit the page's form, with its CSRF token, as a browser would."""
        return await self.client.post(
            form_action(page.text), data={"_csrf_token": csrf_token(page.text), **data}, headers=BROWSER
        )

    async def password(self, page: httpx.Response, username: str, password: str) -> httpx.Response:
        return await self.post_form(page, {"step": "password", "username": username, "password": password})

    async def new_password(self, page: httpx.Response, account: Account) -> httpx.Response:
        """Replace the temporary password with the person's own; the account's password is that from now on."""
        password = account.own_password
        answer = await self.post_form(
            page, {"step": "new_password", "new_password": password, "new_password_repeat": password}
        )
        account.password = password
        return answer

    async def sign_in_first_time(self, auth: AuthRequest, account: Account) -> tuple[httpx.Response, str]:
        """Temporary password, own password, then TOTP enrolment; returns the redirect to the client and the secret."""
        choose = await self.password(await self.start(auth), account.username, account.password)
        assert 'name="step" value="new_password"' in choose.text, choose.text
        enrol = await self.new_password(choose, account)
        assert enrol.status_code == 200, enrol.text
        secret = totp_secret(enrol.text)
        done = await self.post_form(enrol, {"step": "enrol", "code": pyotp.TOTP(secret).now()})
        return done, secret

    async def exchange(self, auth: AuthRequest, code: str, **overrides: str | None) -> httpx.Response:
        """The relying party's token request (client_secret_post)."""
        data: dict[str, str | None] = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.callback,
            "code_verifier": auth.verifier,
            "client_id": CLIENT_ID,
            "client_secret": self.secret,
            **overrides,
        }
        return await self.client.post(
            "/idp/token", data={name: value for name, value in data.items() if value is not None}
        )


BROWSER = {"accept": "text/html,application/xhtml+xml"}


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def csrf_token(page: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else ""


def form_action(page: str) -> str:
    found = re.search(r'<form[^>]*method="post" action="(/idp/[^"]+)"', page)
    assert found, "no form on the page"
    return html.unescape(found.group(1))


def totp_secret(page: str) -> str:
    found = re.search(r'<span class="app-secret">([^<]+)</span>', page)
    assert found, "no TOTP secret on the page"
    return "".join(found.group(1).split())


def next_code(secret: str) -> str:
    """A code for the next time step: accepted (one step of drift), and newer than any used so far."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def callback_params(response: httpx.Response) -> dict[str, str]:
    location = response.headers["location"]
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def settings(database: TestDatabase, tmp_path: Path) -> Settings:
    return platform_settings(database, tmp_path)


@pytest.fixture
def new_account(owner_engine: Engine) -> Any:
    def make(display_name: str = "Test Testsson", email: str | None = "test@example.se") -> Account:
        username = f"test-{uuid.uuid4().hex[:12]}"
        with owner_engine.begin() as connection:
            account_id, password = create_account(connection, username, display_name, email)
        return Account(account_id, username, password)

    return make


@pytest.fixture
async def idp(
    settings: Settings, database: TestDatabase, owner_engine: Engine, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Idp]:
    with owner_engine.begin() as connection:
        ensure_identity_provider(connection, settings, [])
    telemetry = configure_telemetry(
        None, span_processor=SimpleSpanProcessor(InMemorySpanExporter()), metric_reader=InMemoryMetricReader()
    )
    app = create_app(settings, database.app_url, people=NoPeople(), telemetry=telemetry)
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        # Redirects are what is under test: look at them, do not follow them.
        client.follow_redirects = False
        yield Idp(
            app=app,
            client=client,
            settings=settings,
            issuer=issuer_for(settings),
            callback=f"{settings.public_url}/auth/callback",
            secret=platform_client_secret(settings),
            keys=KeyStore(sessions, issuer_for(settings)),
        )


@pytest.fixture
def logs() -> Iterator[Any]:
    """The JSON log lines written during the test (at DEBUG, so libraries' chatter is included)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("DEBUG")
    written = io.StringIO()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(written)
    yield written.getvalue
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()
