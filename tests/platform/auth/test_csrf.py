"""The CSRF check spares a machine client only: a valid bearer token and no session cookie.

Whoever adds an Authorization header to a request that a person's session cookie could
authenticate gets the check like everyone else.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pytest
from litestar import Request, post
from litestar.testing import AsyncTestClient

from avhopp.platform.app import create_app
from avhopp.platform.auth.sessions import SESSION_COOKIE
from avhopp.platform.idp import ensure_identity_provider
from avhopp.platform.idp.admin import create_machine_client
from avhopp.platform.scope.principal import principal_of
from avhopp.platform.web.parts import PartWeb
from avhopp.tenants.registry.service import People
from tests.platform.auth.conftest import BASE_URL
from tests.support.people import LINE_OPERATOR, sign_in_form

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from litestar import Litestar
    from sqlalchemy import Engine

    from avhopp.platform.settings import Settings
    from tests.support.people import NamedPerson
    from tests.support.postgres import TestDatabase


@post("/prov/samtal", opt={"permission": "line_contact:write"}, status_code=200)
async def record_call(request: Request[Any, Any, Any]) -> str:
    """What a telephony system might post: answers with who it was done as."""
    principal = principal_of(request)
    return (principal.client_id or str(principal.user_id)) if principal else ""


@pytest.fixture
async def client(
    product_settings: Settings,
    database: TestDatabase,
    named_people: tuple[NamedPerson, ...],  # noqa: ARG001 - the person whose cookie is borrowed
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = dataclasses.replace(product_settings, test_sign_in=True)
    app = create_app(settings, database.app_url, people=People(), parts=[PartWeb(name="probe", routes=[record_call])])
    async with AsyncTestClient(app, base_url=BASE_URL) as test_client:
        test_client.follow_redirects = False
        yield test_client


@pytest.fixture
async def bearer(
    client: AsyncTestClient[Litestar], product_settings: Settings, owner_engine: Engine
) -> tuple[str, dict[str, str]]:
    with owner_engine.begin() as connection:
        ensure_identity_provider(connection, product_settings, [])
        client_id, secret = create_machine_client(connection, "Telefoni", "stodlinjen", ["line_operator"])
    issued = await client.post("/idp/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    return client_id, {"authorization": f"Bearer {issued.json()['access_token']}"}


async def test_a_machine_client_posts_without_a_csrf_token(
    client: AsyncTestClient[Litestar], bearer: tuple[str, dict[str, str]]
) -> None:
    client_id, header = bearer

    response = await client.post("/prov/samtal", headers=header)

    assert response.status_code == 200
    assert response.text == client_id


async def test_a_bearer_token_beside_a_session_cookie_does_not_switch_the_check_off(
    client: AsyncTestClient[Litestar], bearer: tuple[str, dict[str, str]]
) -> None:
    path, form = sign_in_form(LINE_OPERATOR)
    assert (await client.post(path, data=form)).status_code == 204
    assert client.cookies.get(SESSION_COOKIE)
    _, header = bearer

    response = await client.post("/prov/samtal", headers=header)

    assert response.status_code == 403
