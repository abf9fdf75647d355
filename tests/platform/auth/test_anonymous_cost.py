"""Anonymous requests to the platform's login routes write no permanent audit row, and leave no login behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import text

from tests.platform.web.test_app import BROWSER

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.platform.auth.conftest import Browser


def _scalar(owner_engine: Engine, sql: str, **values: object) -> int:
    with owner_engine.connect() as connection:
        return int(connection.execute(text(sql), values).scalar_one())


async def test_forged_callbacks_are_counted_not_recorded(browser: Browser, owner_engine: Engine) -> None:
    chain = "SELECT count(*) FROM audit_event WHERE chain = 'platform'"
    counts = (
        "SELECT COALESCE(sum(count), 0) FROM audit_anonymous_count WHERE action = 'auth.login_failed' AND reason = :r"
    )
    chain_before = _scalar(owner_engine, chain)
    counted_before = _scalar(owner_engine, counts, r="no_pending_login")

    for _ in range(4):
        response = await browser.client.get("/auth/callback?code=abc&state=forged", headers=BROWSER)
        assert response.status_code == 400

    assert _scalar(owner_engine, chain) == chain_before
    assert _scalar(owner_engine, counts, r="no_pending_login") == counted_before + 4


async def test_a_login_never_finished_is_deleted_when_the_next_one_starts(
    browser: Browser, owner_engine: Engine
) -> None:
    with owner_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO login_attempt (token_hash, state, nonce, code_verifier, return_to, expires_at)"
                " VALUES ('gammal', 's', 'n', 'v', '/', :expired)"
            ),
            {"expired": datetime.now(UTC) - timedelta(minutes=1)},
        )

    started = await browser.client.get("/auth/login", headers=BROWSER)

    assert started.status_code in {302, 303}
    assert _scalar(owner_engine, "SELECT count(*) FROM login_attempt WHERE token_hash = 'gammal'") == 0
    assert _scalar(owner_engine, "SELECT count(*) FROM login_attempt WHERE expires_at > now()") >= 1
