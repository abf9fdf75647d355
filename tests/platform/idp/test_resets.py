"""Reset links: the person sets a new password or authenticator, proving the other factor; each link works once.

Tried from the attacker's side too: whoever holds the link (the administrator, someone who took
it on the way) gets nowhere without the person's other factor, and a used, replaced or expired
link is refused exactly like one that never existed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pyotp
import pytest
from sqlalchemy import text

from avhopp.platform.idp.admin import AdminError, prune_spent
from avhopp.platform.idp.resets import ResetKind, start_reset
from tests.platform.idp.conftest import BROWSER, callback_params, csrf_token, next_code, totp_secret
from tests.platform.idp.test_login_security import message
from tests.platform.idp.test_refusals_in_the_trail import trail_of

if TYPE_CHECKING:
    import uuid
    from typing import Any

    import httpx
    from sqlalchemy import Engine

    from tests.platform.idp.conftest import Account, Idp

GONE = "Länken gäller inte"


async def _enrolled(idp: Idp, new_account: Any) -> tuple[Account, str]:
    """An account that has signed in once: its own password, an authenticator, a live provider session."""
    account = new_account()
    done, secret = await idp.sign_in_first_time(idp.auth_request(), account)
    assert "code" in callback_params(done)
    return account, secret


def _start(owner_engine: Engine, account_id: uuid.UUID, kind: ResetKind, now: datetime | None = None) -> str:
    with owner_engine.begin() as connection:
        return start_reset(connection, account_id, kind, now)


def _row(owner_engine: Engine, account_id: uuid.UUID) -> Any:
    with owner_engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT a.password_hash, a.totp_secret_encrypted, a.failed_attempts, a.locked_until,"
                " (SELECT count(*) FROM idp_browser_session s WHERE s.account_id = a.id AND s.ended_at IS NULL)"
                " AS sessions, (SELECT token_hash FROM idp_reset r WHERE r.account_id = a.id) AS token_hash"
                " FROM idp_account a WHERE a.id = :a"
            ),
            {"a": account_id},
        ).one()


def _hidden(page: httpx.Response, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page.text)
    assert found, f"no {name} on the page"
    return found.group(1)


def _plain(response: httpx.Response) -> str:
    """The page without the per-request CSRF token and nonces."""
    return re.sub(r'(value|nonce)="[^"]*"', "", response.text)


async def _post_blind(idp: Idp, token: str, data: dict[str, str]) -> httpx.Response:
    """A post to a link whose page showed no form (a refused one), with the CSRF token of the sign-in page."""
    page = await idp.start(idp.auth_request())
    return await idp.client.post(
        f"/idp/aterstall/{token}", data={"_csrf_token": csrf_token(page.text), **data}, headers=BROWSER
    )


async def test_a_password_reset_asks_for_the_authenticator_and_works_once(
    idp: Idp, new_account: Any, owner_engine: Engine
) -> None:
    account, secret = await _enrolled(idp, new_account)
    before = _row(owner_engine, account.id)
    token = _start(owner_engine, account.id, ResetKind.PASSWORD)
    link = f"/idp/aterstall/{token}"
    new = "Ett helt nytt lösenord i vår"

    page = await idp.client.get(link, headers=BROWSER)
    without_code = await idp.post_form(page, {"step": "new_password", "new_password": new, "new_password_repeat": new})
    wrong_code = await idp.post_form(
        page, {"step": "new_password", "code": "000000", "new_password": new, "new_password_repeat": new}
    )
    counted = _row(owner_engine, account.id)
    unchanged = counted.password_hash == before.password_hash
    done = await idp.post_form(
        page, {"step": "new_password", "code": next_code(secret), "new_password": new, "new_password_repeat": new}
    )
    after = _row(owner_engine, account.id)
    again = await idp.client.get(link, headers=BROWSER)
    unknown = await idp.client.get(f"/idp/aterstall/{'x' * 43}", headers=BROWSER)
    replayed = await _post_blind(idp, token, {"step": "new_password", "code": next_code(secret)})

    assert page.status_code == 200
    assert "Kod från autentiseringsappen" in page.text
    assert 'name="new_password"' in page.text
    assert without_code.status_code == 400
    assert message(without_code) == "Skriv koden från din autentiseringsapp."
    assert wrong_code.status_code == 400
    assert message(wrong_code) == "Koden stämmer inte. Skriv den kod som appen visar just nu."
    assert counted.failed_attempts == 1, "a wrong code at a link counts towards the lockout"
    assert unchanged
    assert done.status_code == 200
    assert "Ändringen är sparad" in done.text
    assert after.password_hash != before.password_hash
    assert after.failed_attempts == 0
    assert before.sessions == 1
    assert after.sessions == 0, "the provider's sessions end with the reset"
    assert again.status_code == unknown.status_code == replayed.status_code == 404
    assert _plain(again) == _plain(unknown), "a used link is refused like one that never existed"
    assert GONE in replayed.text
    assert trail_of(owner_engine, account.id) == [
        ("idp.sign_in_refused", "reset_wrong_code"),
        ("idp.reset_completed", "password"),
    ], "the refused code and the finished reset are in the trail, in that order"

    # The new password signs in, with the same authenticator.
    idp.client.cookies.clear()
    signed_in = await idp.password(await idp.start(idp.auth_request()), account.username, new)
    assert 'name="step" value="totp"' in signed_in.text


async def test_an_authenticator_reset_asks_for_the_password_and_connects_a_new_app(
    idp: Idp, new_account: Any, owner_engine: Engine
) -> None:
    account, old_secret = await _enrolled(idp, new_account)
    before = _row(owner_engine, account.id)
    token = _start(owner_engine, account.id, ResetKind.AUTHENTICATOR)
    link = f"/idp/aterstall/{token}"

    page = await idp.client.get(link, headers=BROWSER)
    wrong = await idp.post_form(page, {"step": "password", "password": "inte-lösenordet-alls"})
    forged_state = await idp.post_form(page, {"step": "enrol", "state": "AAAA", "code": "123456"})
    enrol = await idp.post_form(page, {"step": "password", "password": account.password})
    new_secret = totp_secret(enrol.text)
    state = _hidden(enrol, "state")
    without_state = await idp.post_form(enrol, {"step": "enrol", "code": pyotp.TOTP(new_secret).now()})
    wrong_code = await idp.post_form(enrol, {"step": "enrol", "state": state, "code": pyotp.TOTP(old_secret).now()})
    unchanged = _row(owner_engine, account.id)
    done = await idp.post_form(enrol, {"step": "enrol", "state": state, "code": pyotp.TOTP(new_secret).now()})
    after = _row(owner_engine, account.id)
    again = await idp.client.get(link, headers=BROWSER)

    assert page.status_code == 200
    assert 'name="password"' in page.text
    assert 'name="new_password"' not in page.text
    assert wrong.status_code == 400
    assert message(wrong) == "Lösenordet stämmer inte."
    assert forged_state.status_code == 400, "a forged enrolment state connects nothing"
    assert enrol.status_code == 200
    assert new_secret != old_secret
    assert without_state.status_code == 400
    assert wrong_code.status_code == 400
    assert message(wrong_code) == "Koden stämmer inte. Skriv den kod som appen visar just nu."
    assert unchanged.totp_secret_encrypted == before.totp_secret_encrypted
    assert done.status_code == 200
    assert "Ändringen är sparad" in done.text
    assert after.totp_secret_encrypted not in {None, before.totp_secret_encrypted}
    assert after.sessions == 0
    assert again.status_code == 404
    assert trail_of(owner_engine, account.id) == [
        ("idp.sign_in_refused", "reset_wrong_password"),
        ("idp.sign_in_refused", "reset_wrong_enrolment_code"),
        ("idp.reset_completed", "authenticator"),
    ]

    idp.client.cookies.clear()
    totp_page = await idp.password(await idp.start(idp.auth_request()), account.username, account.password)
    old_code = await idp.post_form(totp_page, {"step": "totp", "code": pyotp.TOTP(old_secret).now()})
    new_code = await idp.post_form(totp_page, {"step": "totp", "code": next_code(new_secret)})
    assert old_code.status_code == 400, "the old app's codes no longer sign in"
    assert "code" in callback_params(new_code)


async def test_an_expired_or_replaced_link_is_refused_like_an_unknown_one(
    idp: Idp, new_account: Any, owner_engine: Engine
) -> None:
    account, _ = await _enrolled(idp, new_account)
    expired = _start(owner_engine, account.id, ResetKind.PASSWORD, datetime.now(UTC) - timedelta(hours=3))
    expired_page = await idp.client.get(f"/idp/aterstall/{expired}", headers=BROWSER)
    replaced = _start(owner_engine, account.id, ResetKind.PASSWORD)
    current = _start(owner_engine, account.id, ResetKind.AUTHENTICATOR)
    replaced_page = await idp.client.get(f"/idp/aterstall/{replaced}", headers=BROWSER)
    unknown_page = await idp.client.get(f"/idp/aterstall/{'y' * 43}", headers=BROWSER)
    too_long = await idp.client.get(f"/idp/aterstall/{'z' * 500}", headers=BROWSER)
    current_page = await idp.client.get(f"/idp/aterstall/{current}", headers=BROWSER)
    with owner_engine.connect() as connection:
        outstanding = connection.execute(
            text("SELECT count(*) FROM idp_reset WHERE account_id = :a"), {"a": account.id}
        ).scalar_one()

    assert expired_page.status_code == replaced_page.status_code == unknown_page.status_code == 404
    assert too_long.status_code == 404
    assert _plain(expired_page) == _plain(replaced_page) == _plain(unknown_page)
    assert GONE in unknown_page.text
    assert outstanding == 1, "one outstanding reset per account"
    assert current_page.status_code == 200, "the newest link works"
    assert 'name="password"' in current_page.text


async def test_wrong_codes_at_a_link_lock_the_account_as_at_sign_in(
    idp: Idp, new_account: Any, owner_engine: Engine
) -> None:
    account, secret = await _enrolled(idp, new_account)
    token = _start(owner_engine, account.id, ResetKind.PASSWORD)
    page = await idp.client.get(f"/idp/aterstall/{token}", headers=BROWSER)
    new = "Ett helt nytt lösenord i vår"
    answers = [
        await idp.post_form(
            page, {"step": "new_password", "code": "000000", "new_password": new, "new_password_repeat": new}
        )
        for _ in range(5)
    ]
    right_but_locked = await idp.post_form(
        page, {"step": "new_password", "code": next_code(secret), "new_password": new, "new_password_repeat": new}
    )

    assert "spärrad" in message(answers[-1])
    assert _row(owner_engine, account.id).locked_until is not None
    assert right_but_locked.status_code == 400
    assert "spärrad" in message(right_but_locked)


def test_a_password_reset_needs_an_authenticator_to_ask_for(new_account: Any, owner_engine: Engine) -> None:
    account = new_account()  # never signed in: no authenticator yet

    with pytest.raises(AdminError, match="ingen autentiseringsapp"):
        _start(owner_engine, account.id, ResetKind.PASSWORD)
    token = _start(owner_engine, account.id, ResetKind.AUTHENTICATOR)

    assert token


def test_links_are_pruned_a_day_after_they_expired(new_account: Any, owner_engine: Engine) -> None:
    old, current = new_account(), new_account()
    _start(owner_engine, old.id, ResetKind.AUTHENTICATOR, datetime.now(UTC) - timedelta(days=2))
    _start(owner_engine, current.id, ResetKind.AUTHENTICATOR)

    with owner_engine.begin() as connection:
        prune_spent(connection)
        left = set(connection.execute(text("SELECT account_id FROM idp_reset")).scalars())

    assert old.id not in left
    assert current.id in left
