"""The test sign-in: a real session for a named person, and never mounted outside the test settings."""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from avhopp.app import build_app
from avhopp.platform.auth.sessions import SESSION_COOKIE, token_hash
from avhopp.platform.auth.sign_in_for_tests import TEST_ISSUER, TEST_SIGN_IN_PATH, SignInForTestsRefusedError
from avhopp.platform.settings import load_settings
from tests.platform.auth.conftest import BASE_URL
from tests.support.people import ANONYM, GOTEBORG_SOCIALSEKRETERARE, MALMO, NamedPerson, person_in, sign_in_form

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine

    from avhopp.platform.settings import Settings
    from tests.conftest import SignIn
    from tests.support.postgres import TestDatabase


async def test_a_named_person_gets_a_real_session_acting_for_their_tenant(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    browser = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    account = await browser.get("/konto")

    assert account.status_code == 200
    assert GOTEBORG_SOCIALSEKRETERARE.display_name in account.text
    assert "Göteborgs" in account.text
    with owner_engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT s.issuer, s.user_id, t.slug FROM web_session s JOIN tenant t ON t.id = s.acting_tenant_id"
                " WHERE s.token_hash = :hash"
            ),
            {"hash": token_hash(browser.client.cookies[SESSION_COOKIE])},
        ).one()
    assert tuple(row) == (TEST_ISSUER, GOTEBORG_SOCIALSEKRETERARE.user_id, GOTEBORG_SOCIALSEKRETERARE.tenant)


async def test_a_person_of_two_tenants_acts_for_the_one_asked_for(sign_in: SignIn) -> None:
    both = NamedPerson(
        "tva-kommuner", "Tove Två (test)", (*GOTEBORG_SOCIALSEKRETERARE.memberships, *person_in(MALMO).memberships)
    )
    browser = await sign_in(both, MALMO)
    assert "Malmö stad" in (await browser.get("/konto")).text


async def test_the_sign_in_refuses_strangers_and_foreign_tenants(
    sign_in: SignIn, owner_engine: Engine, test_settings: Settings, database: TestDatabase
) -> None:
    await sign_in(GOTEBORG_SOCIALSEKRETERARE)  # the person exists; only the tenant is wrong below
    with owner_engine.connect() as connection:
        malmo = connection.execute(text("SELECT id FROM tenant WHERE slug = :s"), {"s": MALMO}).scalar_one()
    async with AsyncTestClient(build_app(test_settings, database.app_url), base_url=BASE_URL) as client:
        path, form = sign_in_form(GOTEBORG_SOCIALSEKRETERARE, malmo)
        foreign = await client.post(path, data=form)
        stranger = await client.post(TEST_SIGN_IN_PATH, data={"user_id": str(uuid.uuid4())})
        assert SESSION_COOKIE not in client.cookies
    assert foreign.status_code == stranger.status_code == 403


def test_no_setting_from_the_environment_turns_it_on(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "AVHOPP_DATA_DIR": str(tmp_path),
            "AVHOPP_TEST_SIGN_IN": "true",
            "TEST_SIGN_IN": "1",
            "AVHOPP_PUBLIC_URL": BASE_URL,
        }
    )
    assert settings.test_sign_in is False


async def test_the_product_app_has_no_test_sign_in(product_settings: Settings, database: TestDatabase) -> None:
    app = build_app(product_settings, database.app_url)
    assert all(not route.path.startswith("/test") for route in app.routes)
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        response = await client.post(TEST_SIGN_IN_PATH, data={"user_id": str(GOTEBORG_SOCIALSEKRETERARE.user_id)})
    assert response.status_code in {403, 404, 405}
    assert SESSION_COOKIE not in response.cookies


@pytest.mark.parametrize(
    "public_url",
    ["https://avhopp.example.se", "http://127.0.0.1:8000", "https://test.avhopp.se", "https://avhopp.test.se"],
)
def test_the_app_refuses_to_start_with_it_outside_the_test_settings(
    product_settings: Settings, database: TestDatabase, public_url: str
) -> None:
    settings = dataclasses.replace(product_settings, public_url=public_url, test_sign_in=True)
    with pytest.raises(SignInForTestsRefusedError):
        build_app(settings, database.app_url)


async def test_an_anonymous_visitor_has_no_session(sign_in: SignIn) -> None:
    visitor = await sign_in(ANONYM)
    assert (await visitor.get("/konto")).status_code in {302, 303, 401}
    assert SESSION_COOKIE not in visitor.client.cookies
