"""The tally's policy from the attacker's side: only a job (a tenant and no person) reads or writes, its own rows.

Migration 0049 wrote the policy's two tests (the tenant, and no person) as one index key; these
tests pin that who reads and writes which rows did not change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from avhopp.platform.database import RequestContext, context_session

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_INSERT = text(
    "INSERT INTO followup_stat_tally (tenant_id, dimension, first, second, count)"
    " VALUES (:tenant, 'phase', 'a', 'b', 1)"
)
_ROWS = text("SELECT tenant_id FROM followup_stat_tally ORDER BY id LIMIT 50")
_MARKED = "dimension = 'phase' AND first = 'a' AND second = 'b'"
"""The rows this file writes: other tests' tallies may be there too."""


@pytest.fixture
async def two_tenants(
    owner_engine: Engine, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[tuple[UUID, UUID]]:
    """Two tenants with a tally row each, written and removed as their jobs do."""
    with owner_engine.connect() as connection:
        first, second = connection.execute(
            text("SELECT id FROM tenant WHERE kind = 'municipality' ORDER BY slug LIMIT 2")
        ).scalars()
    for tenant in (first, second):
        async with context_session(sessions, RequestContext(tenant_id=tenant)) as session:
            await session.execute(_INSERT, {"tenant": tenant})
    yield first, second
    for tenant in (first, second):
        async with context_session(sessions, RequestContext(tenant_id=tenant)) as session:
            await session.execute(text(f"DELETE FROM followup_stat_tally WHERE {_MARKED}"))


async def test_a_job_reads_and_writes_its_own_tenants_tally_only(
    sessions: async_sessionmaker[AsyncSession], two_tenants: tuple[UUID, UUID]
) -> None:
    first, second = two_tenants
    async with context_session(sessions, RequestContext(tenant_id=first)) as session:
        assert set((await session.execute(_ROWS)).scalars()) == {first}
        assert await session.scalar(text(f"SELECT count(*) FROM followup_stat_tally WHERE {_MARKED}")) == 1
    with pytest.raises(DBAPIError, match="row-level security"):
        async with context_session(sessions, RequestContext(tenant_id=first)) as session:
            await session.execute(_INSERT, {"tenant": second})


@pytest.mark.parametrize("who", ["a person of the tenant", "no tenant", "a person without a tenant"])
async def test_no_one_but_a_job_reads_or_writes_the_tally(
    sessions: async_sessionmaker[AsyncSession], two_tenants: tuple[UUID, UUID], who: str
) -> None:
    first, _second = two_tenants
    context = {
        "a person of the tenant": RequestContext(tenant_id=first, user_id=uuid4()),
        "no tenant": RequestContext(),
        "a person without a tenant": RequestContext(user_id=uuid4()),
    }[who]
    async with context_session(sessions, context) as session:
        assert (await session.execute(_ROWS)).all() == []
        assert await session.scalar(text("SELECT count(*) FROM followup_stat_tally")) == 0
        removed = await session.execute(text("DELETE FROM followup_stat_tally"))
        assert removed.rowcount == 0  # type: ignore[attr-defined]
    with pytest.raises(DBAPIError, match="row-level security"):
        async with context_session(sessions, context) as session:
            await session.execute(_INSERT, {"tenant": first})
