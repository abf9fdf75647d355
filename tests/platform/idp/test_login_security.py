"""Signing in refuses clearly and kindly, locks out guessing, and reveals nothing about who has an account."""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING

import pyotp
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from avhopp.platform.idp.admin import reset_password, unlock
from avhopp.platform.idp.models import IdpAccount
from avhopp.platform.idp.passwords import check_password, check_unknown_user
from avhopp.platform.idp.provider import ProviderLimits
from tests.platform.idp.conftest import callback_params, next_code, totp_secret
from tests.support.rate_windows import wait_for_a_fresh_window

if TYPE_CHECKING:
    from typing import Any

    import httpx
    from sqlalchemy import Engine

    from tests.platform.idp.conftest import Account, Idp

WRONG = "Fel användarnamn eller lösenord."
LOCKED = "Inloggningen är tillfälligt spärrad"


def message(response: httpx.Response) -> str:
    """The first error message on the page (the error summary)."""
    found = re.search(
        r'<div class="ds-error-summary".*?<a class="ds-link" href="#\w+">([^<]+)</a>', response.text, re.DOTALL
    )
    return found.group(1) if found else ""


async def sign_out_of_provider(idp: Idp) -> None:
    idp.client.cookies.delete("avhopp_idp_session", domain="testserver.local", path="/idp")


async def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(idp: Idp, new_account: Any) -> None:
    account = new_account()
    page = await idp.start(idp.auth_request())

    wrong_password = await idp.password(page, account.username, "not-the-password")
    unknown_user = await idp.password(page, "nobody-by-this-name", "not-the-password")

    assert wrong_password.status_code == unknown_user.status_code == 400
    assert message(wrong_password) == message(unknown_user) == WRONG
    assert 'aria-invalid="true"' in wrong_password.text


async def test_empty_fields_are_named(idp: Idp) -> None:
    page = await idp.start(idp.auth_request())

    response = await idp.password(page, "", "")

    assert response.status_code == 400
    assert "Skriv ditt användarnamn." in response.text
    assert "Skriv ditt lösenord." in response.text


async def test_five_failures_lock_the_account_for_a_while_until_an_admin_unlocks_it(
    idp: Idp, new_account: Any, owner_engine: Engine
) -> None:
    account = new_account()
    page = await idp.start(idp.auth_request())

    answers = [await idp.password(page, account.username, f"wrong-{n}") for n in range(5)]
    locked_with_the_right_password = await idp.password(page, account.username, account.password)

    assert [message(answer) for answer in answers[:4]] == [WRONG] * 4
    assert message(answers[4]).startswith(LOCKED)
    assert message(locked_with_the_right_password).startswith(LOCKED)
    assert all(answer.status_code == 400 for answer in [*answers, locked_with_the_right_password])

    with owner_engine.begin() as connection:
        unlock(connection, account.username)
    unlocked = await idp.password(page, account.username, account.password)
    assert unlocked.status_code == 200
    assert 'name="step" value="new_password"' in unlocked.text


async def test_unknown_usernames_lock_the_same_way_without_creating_accounts(idp: Idp, owner_engine: Engine) -> None:
    with owner_engine.connect() as connection:
        accounts_before = connection.execute(select(func.count()).select_from(IdpAccount)).scalar_one()
    page = await idp.start(idp.auth_request())

    answers = [await idp.password(page, "ingen-sadan-person", f"wrong-{n}") for n in range(6)]

    assert [message(answer) for answer in answers[:4]] == [WRONG] * 4
    assert message(answers[4]).startswith(LOCKED)
    assert message(answers[5]).startswith(LOCKED)
    with owner_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(IdpAccount)).scalar_one() == accounts_before


async def enrolled(idp: Idp, account: Account) -> str:
    """Enrol TOTP at first sign-in, then leave the provider's session; returns the TOTP secret."""
    _, secret = await idp.sign_in_first_time(idp.auth_request(), account)
    await sign_out_of_provider(idp)
    return secret


async def code_page(idp: Idp, account: Account) -> httpx.Response:
    page = await idp.password(await idp.start(idp.auth_request()), account.username, account.password)
    assert 'name="step" value="totp"' in page.text
    return page


async def test_a_hash_with_old_parameters_is_replaced_at_sign_in(
    idp: Idp, new_account: Any, owner_engine: Engine
) -> None:
    """The runtime role stores the new hash through its function, as it may no longer write the column."""
    account = new_account()
    await enrolled(idp, account)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(account.password)
    with owner_engine.begin() as connection:
        connection.execute(update(IdpAccount).where(IdpAccount.id == account.id).values(password_hash=weak))

    await code_page(idp, account)

    with owner_engine.connect() as connection:
        stored = connection.execute(select(IdpAccount.password_hash).where(IdpAccount.id == account.id)).scalar_one()
    assert stored != weak
    assert check_password(stored, account.password).new_hash is None, "made with the current parameters"


async def test_a_wrong_code_is_refused_and_counts_towards_the_lockout(idp: Idp, new_account: Any) -> None:
    account = new_account()
    secret = await enrolled(idp, account)
    page = await code_page(idp, account)
    wrong = str((int(pyotp.TOTP(secret).now()) + 1) % 1_000_000).zfill(6)

    answers = [await idp.post_form(page, {"step": "totp", "code": wrong}) for _ in range(5)]

    assert all(answer.status_code == 400 for answer in answers)
    assert "Koden stämmer inte." in message(answers[0])
    assert message(answers[4]).startswith(LOCKED)
    # Locked: even the right code is refused now.
    after = await idp.post_form(page, {"step": "totp", "code": next_code(secret)})
    assert after.status_code == 400


async def test_a_code_is_accepted_only_once(idp: Idp, new_account: Any) -> None:
    account = new_account()
    secret = await enrolled(idp, account)
    code = next_code(secret)

    first = await idp.post_form(await code_page(idp, account), {"step": "totp", "code": code})
    await sign_out_of_provider(idp)
    again = await idp.post_form(await code_page(idp, account), {"step": "totp", "code": code})

    assert first.status_code == 303
    assert again.status_code == 400
    assert "Koden har redan använts." in message(again)


async def test_a_new_accounts_temporary_password_must_be_replaced_before_anything_else(
    idp: Idp, new_account: Any
) -> None:
    """Whoever saw the temporary password on its way to the person cannot keep using it."""
    account = new_account()
    temporary = account.password

    choose = await idp.password(await idp.start(idp.auth_request()), account.username, temporary)
    skipped = await idp.post_form(choose, {"step": "enrol", "code": "123456"})

    assert choose.status_code == 200
    assert 'name="step" value="new_password"' in choose.text
    assert 'name="step" value="enrol"' not in choose.text
    assert skipped.status_code == 400
    assert "Logga in igen" in message(skipped)
    assert (await idp.start(idp.auth_request())).status_code == 200, "no session before the password is replaced"

    await idp.sign_in_first_time(idp.auth_request(), account)
    await sign_out_of_provider(idp)
    assert message(await idp.password(await idp.start(idp.auth_request()), account.username, temporary)) == WRONG


async def test_an_admin_reset_asks_for_a_new_password_and_a_new_authenticator(
    idp: Idp, new_account: Any, owner_engine: Engine
) -> None:
    account = new_account()
    old_secret = await enrolled(idp, account)
    with owner_engine.begin() as connection:
        temporary = reset_password(connection, account.username, issuer=idp.issuer)

    old_password = await idp.password(await idp.start(idp.auth_request()), account.username, account.password)
    assert message(old_password) == WRONG

    auth = idp.auth_request()
    choose = await idp.password(await idp.start(auth), account.username, temporary)
    assert choose.status_code == 200
    assert 'name="step" value="new_password"' in choose.text
    assert choose.text.count('autocomplete="new-password"') == 2

    too_short = await idp.post_form(
        choose, {"step": "new_password", "new_password": "kort", "new_password_repeat": "kort"}
    )
    assert too_short.status_code == 400
    assert "minst 12 tecken" in message(too_short)
    different = await idp.post_form(
        choose,
        {"step": "new_password", "new_password": "en lång fras här", "new_password_repeat": "en annan fras här"},
    )
    assert "inte likadana" in message(different)
    same_as_temporary = await idp.post_form(
        choose, {"step": "new_password", "new_password": temporary, "new_password_repeat": temporary}
    )
    assert "det tillfälliga" in message(same_as_temporary)

    new_password = "korv med bröd och senap"  # noqa: S105 - a test password
    enrol = await idp.post_form(
        choose, {"step": "new_password", "new_password": new_password, "new_password_repeat": new_password}
    )
    assert enrol.status_code == 200
    new_secret = totp_secret(enrol.text)
    assert new_secret != old_secret
    done = await idp.post_form(enrol, {"step": "enrol", "code": pyotp.TOTP(new_secret).now()})
    assert done.status_code == 303
    assert (await idp.exchange(auth, callback_params(done)["code"])).status_code == 200

    await sign_out_of_provider(idp)
    with_new_password = await idp.password(await idp.start(idp.auth_request()), account.username, new_password)
    assert 'name="step" value="totp"' in with_new_password.text


async def test_a_reset_ends_the_provider_sessions(idp: Idp, new_account: Any, owner_engine: Engine) -> None:
    account = new_account()
    await idp.sign_in_first_time(idp.auth_request(), account)
    assert (await idp.start(idp.auth_request())).status_code == 302  # single sign-on

    with owner_engine.begin() as connection:
        reset_password(connection, account.username, issuer=idp.issuer)

    assert (await idp.start(idp.auth_request())).status_code == 200  # the login form again


async def test_a_step_without_its_login_state_starts_over(idp: Idp, new_account: Any) -> None:
    account = new_account()
    page = await idp.start(idp.auth_request())
    skipped = await idp.post_form(page, {"step": "totp", "code": "123456"})

    next_step = await idp.password(page, account.username, account.password)
    idp.client.cookies.set("avhopp_idp_login", "tampered", domain="testserver.local", path="/idp")
    tampered = await idp.post_form(next_step, {"step": "enrol", "code": "123456"})

    for response in (skipped, tampered):
        assert response.status_code == 400
        assert "Logga in igen" in message(response)


async def test_too_many_posts_from_one_address_get_429(idp: Idp) -> None:
    page = await idp.start(idp.auth_request())
    # Each refused post hashes once; on a loaded machine 31 of them can outlast what is left of the
    # window, and then part of them slide out of the count: start where they all fit, as timed here.
    started = time.perf_counter()
    check_unknown_user("fel")
    one_hash = time.perf_counter() - started
    limit = ProviderLimits().sign_in
    wait_for_a_fresh_window(limit, needed_seconds=min(limit.seconds, 10 + 31 * 2 * one_hash))
    statuses = [(await idp.password(page, "vem-som-helst", "fel")).status_code for _ in range(31)]

    assert set(statuses[:30]) == {400}
    assert statuses[30] == 429
    limited = await idp.post_form(page, {"step": "password"})
    assert limited.status_code == 429
    assert "För många försök" in limited.text
    assert limited.headers["retry-after"] == "60"


async def test_refusals_are_logged_by_account_id_without_secrets_or_usernames(
    idp: Idp, new_account: Any, logs: Any
) -> None:
    account = new_account()
    page = await idp.start(idp.auth_request())
    await idp.password(page, account.username, "Hemligt-fel-1")
    await idp.password(page, "okand-person-xyz", "Hemligt-fel-2")
    auth = idp.auth_request()
    temporary = account.password
    redirect, secret = await idp.sign_in_first_time(auth, account)
    code = callback_params(redirect)["code"]
    tokens = (await idp.exchange(auth, code)).json()
    await idp.exchange(auth, code)

    lines = [json.loads(line) for line in logs().splitlines() if line.startswith("{")]
    text = json.dumps(lines)
    events = {line["event"] for line in lines}
    assert {
        "idp.login_refused",
        "idp.totp_enrolled",
        "idp.signed_in",
        "idp.token_issued",
        "idp.token_refused",
    } <= events
    refusals = [line for line in lines if line["event"] == "idp.login_refused"]
    assert {line["reason"] for line in refusals} == {"wrong_password", "unknown_account"}
    assert any(line.get("account_id") == str(account.id) for line in refusals)
    for secret_value in (
        account.username,
        temporary,
        account.password,
        "Hemligt-fel-1",
        "Hemligt-fel-2",
        "okand-person-xyz",
        secret,
        code,
        tokens["access_token"],
        tokens["id_token"],
        idp.secret,
        "testclient",
    ):
        assert secret_value not in text
