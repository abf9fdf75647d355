"""Tenants, people and memberships for the authorization tests, written as the runtime role."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from avhopp.platform.database import RequestContext, context_session

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@pytest.fixture(scope="session")
def two_tenants(owner_engine: Engine) -> tuple[uuid.UUID, uuid.UUID]:
    with owner_engine.connect() as connection:
        rows = connection.execute(text("SELECT id FROM tenant WHERE active ORDER BY slug LIMIT 2")).scalars().all()
    return rows[0], rows[1]


async def new_user(sessions: async_sessionmaker[AsyncSession]) -> uuid.UUID:
    user_id = uuid.uuid4()
    async with context_session(sessions, RequestContext()) as session:
        await session.execute(
            text("INSERT INTO app_user (id, display_name) VALUES (:id, 'Testperson')"), {"id": user_id}
        )
    return user_id


async def set_roles(
    sessions: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, user_id: uuid.UUID, roles: Sequence[str]
) -> None:
    """Give the person exactly `roles` in the tenant (none: end the membership), as a tenant admin would."""
    async with context_session(sessions, RequestContext(tenant_id=tenant_id)) as session:
        if roles:
            await session.execute(
                text(
                    "INSERT INTO membership (tenant_id, user_id, roles) VALUES (:t, :u, :r)"
                    " ON CONFLICT (tenant_id, user_id) DO UPDATE SET roles = EXCLUDED.roles"
                ),
                {"t": tenant_id, "u": user_id, "r": list(roles)},
            )
        else:
            await session.execute(
                text("DELETE FROM membership WHERE tenant_id = :t AND user_id = :u"), {"t": tenant_id, "u": user_id}
            )
