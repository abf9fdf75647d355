"""What the runtime role may not do, even if an SQL injection let an attacker speak for it (migration 0018).

Each test runs as the runtime role, the role the web app and the jobs use.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from avhopp.platform.database import RequestContext, context_session

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

INSUFFICIENT_PRIVILEGE, UNIQUE_VIOLATION = "42501", "23505"
GOTEBORG = "kommun-1480"


def tenant_id(owner_engine: Engine, slug: str) -> uuid.UUID:
    with owner_engine.connect() as connection:
        found: uuid.UUID = connection.execute(text("SELECT id FROM tenant WHERE slug = :s"), {"s": slug}).scalar_one()
    return found


async def refused(sessions: async_sessionmaker[AsyncSession], context: RequestContext, statement: str) -> str:
    """The SQLSTATE with which the runtime role's statement is refused."""
    with pytest.raises(DBAPIError) as error:
        async with context_session(sessions, context) as session:
            await session.execute(text(statement))
    return str(error.value.orig.sqlstate)  # type: ignore[union-attr]


async def test_a_tenants_kind_cannot_be_changed(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    goteborg = tenant_id(owner_engine, GOTEBORG)
    statement = f"UPDATE tenant SET kind = 'national_coordinator' WHERE id = '{goteborg}'"

    assert await refused(sessions, RequestContext(tenant_id=goteborg), statement) == INSUFFICIENT_PRIVILEGE
    with owner_engine.connect() as connection:
        kind = connection.execute(text("SELECT kind FROM tenant WHERE id = :t"), {"t": goteborg}).scalar_one()
    assert kind == "municipality"


async def test_a_tenant_can_still_be_deactivated(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with context_session(sessions, RequestContext()) as session:
        changed = await session.execute(text("UPDATE tenant SET active = active WHERE slug = :s"), {"s": GOTEBORG})
    assert changed.rowcount == 1  # type: ignore[attr-defined]


async def test_a_login_identity_cannot_be_inserted(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    # What an attacker would do: link an issuer and subject they control to someone who exists.
    statement = (
        "INSERT INTO user_identity (user_id, issuer, subject)"
        " SELECT id, 'https://angripare.example', 'angriparen' FROM app_user LIMIT 1"
    )

    assert await refused(sessions, RequestContext(), statement) == INSUFFICIENT_PRIVILEGE
    with owner_engine.connect() as connection:
        linked = connection.execute(
            text("SELECT count(*) FROM user_identity WHERE issuer = 'https://angripare.example'")
        ).scalar_one()
    assert linked == 0


async def test_a_first_login_links_a_new_person_and_never_takes_over_an_identity(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    issuer, subject = "https://idp.example", f"sub-{uuid.uuid4().hex}"
    first_login = text("SELECT register_first_login(:issuer, :subject, 'Ny Person', NULL)")
    async with context_session(sessions, RequestContext()) as session:
        user_id = await session.scalar(first_login, {"issuer": issuer, "subject": subject})

    with pytest.raises(DBAPIError) as again:
        async with context_session(sessions, RequestContext()) as session:
            await session.scalar(first_login, {"issuer": issuer, "subject": subject})

    assert again.value.orig.sqlstate == UNIQUE_VIOLATION  # type: ignore[union-attr]
    with owner_engine.connect() as connection:
        owners = connection.execute(
            text("SELECT user_id FROM user_identity WHERE issuer = :i AND subject = :s"), {"i": issuer, "s": subject}
        ).scalars()
        assert list(owners) == [user_id]


async def test_audit_links_cannot_be_inserted_directly(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    goteborg = tenant_id(owner_engine, GOTEBORG)
    statement = (
        "INSERT INTO audit_event (chain, seq, tenant_id, occurred_at, action, prev_hash, hash)"
        f" VALUES ('{goteborg}', 999999, '{goteborg}', now(), 'login.succeeded', repeat('0', 64), repeat('0', 64))"
    )

    assert await refused(sessions, RequestContext(tenant_id=goteborg), statement) == INSUFFICIENT_PRIVILEGE
