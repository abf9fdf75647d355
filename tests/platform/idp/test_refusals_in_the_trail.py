"""What the built-in provider refuses lands in the audit trail; what anyone can repeat is counted instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.platform.audit.chain import chain_key
from avhopp.platform.audit.verify import verify_chains
from tests.platform.idp.conftest import next_code
from tests.platform.web.conftest import SECRET_KEY

if TYPE_CHECKING:
    from typing import Any

    from sqlalchemy import Engine

    from tests.platform.idp.conftest import Idp


def trail_of(owner_engine: Engine, account_id: object) -> list[tuple[str, str]]:
    """The platform chain's events about the account, oldest first."""
    with owner_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT action, reason FROM audit_event"
                " WHERE chain = 'platform' AND object_type = 'idp_account' AND object_id = :id ORDER BY seq"
            ),
            {"id": str(account_id)},
        )
        return [(row.action, row.reason) for row in rows]


def counted(owner_engine: Engine, action: str, reason: str) -> int:
    with owner_engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT COALESCE(sum(count), 0) FROM audit_anonymous_count WHERE action = :a AND reason = :r"),
                {"a": action, "r": reason},
            ).scalar_one()
        )


def platform_chain_length(owner_engine: Engine) -> int:
    with owner_engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM audit_event WHERE chain = 'platform'")).scalar_one())


async def test_wrong_passwords_and_the_lock_are_recorded_and_attempts_while_locked_are_counted(
    idp: Idp, new_account: Any, owner_engine: Engine
) -> None:
    account = new_account()
    page = await idp.start(idp.auth_request())
    locked_before = counted(owner_engine, "idp.sign_in_refused", "locked")
    unknown_before = counted(owner_engine, "idp.sign_in_refused", "unknown_account")

    for attempt in range(5):
        await idp.password(page, account.username, f"fel-{attempt}")
    chain_after_lock = platform_chain_length(owner_engine)
    for _ in range(3):
        await idp.password(page, account.username, account.password)
    await idp.password(page, "ingen-har-detta-namn", "fel")

    assert trail_of(owner_engine, account.id) == [("idp.sign_in_refused", "wrong_password")] * 5 + [
        ("idp.account_locked", "too_many_failures")
    ]
    # Knocking on a locked account, or with a name nobody has, adds nothing to the permanent trail.
    assert platform_chain_length(owner_engine) == chain_after_lock
    assert counted(owner_engine, "idp.sign_in_refused", "locked") == locked_before + 3
    assert counted(owner_engine, "idp.sign_in_refused", "unknown_account") == unknown_before + 1
    with owner_engine.begin() as connection:
        assert all(report.intact for report in verify_chains(connection, chain_key(SECRET_KEY)))


async def test_a_wrong_code_is_recorded_by_account_id_only(idp: Idp, new_account: Any, owner_engine: Engine) -> None:
    account = new_account()
    _, secret = await idp.sign_in_first_time(idp.auth_request(), account)
    await idp.client.get("/idp/logout")
    idp.client.cookies.clear()
    code_page = await idp.password(await idp.start(idp.auth_request()), account.username, account.password)
    assert 'name="step" value="totp"' in code_page.text

    wrong = "000000" if next_code(secret) != "000000" else "111111"
    await idp.post_form(code_page, {"step": "totp", "code": wrong})

    assert trail_of(owner_engine, account.id)[-1] == ("idp.sign_in_refused", "wrong_code")
    with owner_engine.connect() as connection:
        stored = connection.execute(
            text("SELECT row_to_json(audit_event)::text FROM audit_event WHERE object_id = :id"),
            {"id": str(account.id)},
        ).scalars()
        assert not any(account.username in row or wrong in row for row in stored)
