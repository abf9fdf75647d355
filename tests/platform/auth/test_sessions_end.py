"""A stolen session cookie stops working at once when what vouched for its person changes.

A person logs in through the built-in provider, then signs in a second time in the same
browser by single sign-on, so that they hold two platform sessions and the provider's own.
An administrator then resets their password or authenticator, or deactivates the account
(`avhopp idp ...`, as operators do): whoever holds a copy of any of those cookies is out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from avhopp.platform.auth.sessions import SESSION_COOKIE
from avhopp.platform.idp import idp_cli
from tests.platform.auth.conftest import local_path, user_id_of
from tests.platform.idp.conftest import BROWSER, Owner

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.platform.auth.conftest import Browser, Person

IDP_SESSION_COOKIE = "avhopp_idp_session"


async def single_sign_on(browser: Browser) -> str:
    """A new platform session through the provider's session, without a form; returns its cookie."""
    browser.client.cookies.delete(SESSION_COOKIE)
    to_provider = await browser.get("/auth/login")
    signed_on = await browser.get(local_path(to_provider.headers["location"]))
    assert signed_on.status_code == 302, "single sign-on"
    landing = await browser.get(local_path(signed_on.headers["location"]))
    assert landing.status_code == 302
    return browser.client.cookies[SESSION_COOKIE]


async def signed_in_twice(browser: Browser, person: Person) -> tuple[str, str, str]:
    """Two platform sessions and the provider's: the cookies a thief would copy."""
    await browser.log_in(person)
    first = browser.client.cookies[SESSION_COOKIE]
    second = await single_sign_on(browser)
    provider = browser.client.cookies[IDP_SESSION_COOKIE]
    assert first != second
    return first, second, provider


async def platform_session_works(browser: Browser, cookie: str) -> bool:
    browser.client.cookies.set(SESSION_COOKIE, cookie)
    return (await browser.get("/konto")).status_code == 200


async def provider_session_works(browser: Browser, cookie: str) -> bool:
    browser.client.cookies.delete(SESSION_COOKIE)
    browser.client.cookies.set(IDP_SESSION_COOKIE, cookie, domain="avhopp.test", path="/idp")
    to_provider = await browser.get("/auth/login")
    return (await browser.get(local_path(to_provider.headers["location"]))).status_code == 302


@pytest.mark.parametrize("command", ["reset-password", "reset-authenticator", "deactivate"])
async def test_an_administrators_change_to_the_account_ends_every_session_of_the_person(
    browser: Browser, person: Person, owner_engine: Engine, command: str
) -> None:
    first, second, provider = await signed_in_twice(browser, person)
    assert await platform_session_works(browser, first)
    assert await platform_session_works(browser, second)

    done = CliRunner().invoke(idp_cli, [command, person.username], obj=Owner(browser.settings, owner_engine))

    assert done.exit_code == 0, done.output
    assert "utloggad överallt" in done.output
    assert not await platform_session_works(browser, first)
    assert not await platform_session_works(browser, second)
    assert not await provider_session_works(browser, provider)


async def test_a_reactivated_account_gets_none_of_its_old_sessions_back(
    browser: Browser, person: Person, owner_engine: Engine
) -> None:
    first, second, provider = await signed_in_twice(browser, person)
    owner = Owner(browser.settings, owner_engine)
    runner = CliRunner()

    assert runner.invoke(idp_cli, ["deactivate", person.username], obj=owner).exit_code == 0
    assert runner.invoke(idp_cli, ["reactivate", person.username], obj=owner).exit_code == 0

    assert not await platform_session_works(browser, first)
    assert not await platform_session_works(browser, second)
    assert not await provider_session_works(browser, provider)


async def test_a_deactivated_person_is_signed_out_for_good(
    browser: Browser, person: Person, owner_engine: Engine
) -> None:
    """Deactivated on the platform itself (whichever provider vouches for them), then reactivated."""
    await browser.log_in(person)
    cookie = browser.client.cookies[SESSION_COOKIE]
    user_id = user_id_of(owner_engine, person.username)

    with owner_engine.begin() as connection:
        connection.execute(text("UPDATE app_user SET active = false WHERE id = :id"), {"id": user_id})
    refused = await browser.client.get("/konto", headers=BROWSER)
    with owner_engine.begin() as connection:
        connection.execute(text("UPDATE app_user SET active = true WHERE id = :id"), {"id": user_id})

    assert refused.status_code == 302
    assert not await platform_session_works(browser, cookie)
