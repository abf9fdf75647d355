"""Writing the trail: links chain per tenant, concurrent writers queue, the runtime role only appends."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from avhopp.platform.audit import Action, AuditEvent, AuditFieldError, record, record_alone
from avhopp.platform.audit.chain import GENESIS, chain_key
from avhopp.platform.audit.trail import check_event
from avhopp.platform.audit.verify import ChainReport, verify_chains
from avhopp.platform.database import RequestContext, context_session, create_app_engine, session_factory
from tests.platform.web.conftest import SECRET_KEY

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.support.postgres import TestDatabase

INSUFFICIENT_PRIVILEGE = "42501"
KEY = chain_key(SECRET_KEY)


def links(owner_engine: Engine, chain: str) -> list[tuple[int, str, str]]:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.audit_verify', 'on', true)"))
        rows = connection.execute(
            text("SELECT seq, prev_hash, hash FROM audit_event WHERE chain = :chain ORDER BY seq"), {"chain": chain}
        )
        return [(row.seq, row.prev_hash, row.hash) for row in rows]


def report_of(owner_engine: Engine, chain: str) -> ChainReport:
    with owner_engine.begin() as connection:
        return next(report for report in verify_chains(connection, KEY) if report.chain == chain)


async def test_links_chain_from_genesis_and_verify(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    tenant = uuid.uuid4()
    for reason in ("first", "second", "third"):
        await record_alone(sessions, AuditEvent(Action.PERSON_READ, tenant, uuid.uuid4(), reason=reason))

    chain = links(owner_engine, str(tenant))
    report = report_of(owner_engine, str(tenant))

    assert [seq for seq, _, _ in chain] == [1, 2, 3]
    assert chain[0][1] == GENESIS
    assert chain[1][1] == chain[0][2]
    assert chain[2][1] == chain[1][2]
    assert report.intact
    assert report.length == 3
    assert report.head_hash == chain[2][2]


async def test_concurrent_writers_make_one_linear_intact_chain(database: TestDatabase, owner_engine: Engine) -> None:
    engine = create_app_engine(database.app_url, pool_size=20)
    sessions = session_factory(engine, audit_key=chain_key(SECRET_KEY))
    tenant = uuid.uuid4()
    try:
        # Twenty transactions on twenty connections, each holding its transaction open a moment.
        async def write(number: int) -> None:
            async with context_session(sessions, RequestContext(tenant_id=tenant)) as session:
                await session.execute(text("SELECT pg_sleep(0.01)"))
                await record(session, AuditEvent(Action.PERSON_CHANGED, tenant, reason=f"writer_{number}"))

        await asyncio.gather(*(write(number) for number in range(20)))
    finally:
        await engine.dispose()

    chain = links(owner_engine, str(tenant))
    assert [seq for seq, _, _ in chain] == list(range(1, 21))
    assert all(chain[i][1] == chain[i - 1][2] for i in range(1, 20))
    assert report_of(owner_engine, str(tenant)).intact


async def test_an_event_is_rolled_back_with_its_transaction(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    tenant = uuid.uuid4()

    async def record_then_fail() -> None:
        async with context_session(sessions, RequestContext(tenant_id=tenant)) as session:
            await record(session, AuditEvent(Action.PERSON_CHANGED, tenant))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await record_then_fail()

    assert links(owner_engine, str(tenant)) == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET reason = 'changed'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ],
)
async def test_the_runtime_role_may_not_change_or_remove_links(
    sessions: async_sessionmaker[AsyncSession], statement: str
) -> None:
    tenant = uuid.uuid4()
    await record_alone(sessions, AuditEvent(Action.PERSON_READ, tenant))

    with pytest.raises(DBAPIError) as refused:
        async with context_session(sessions, RequestContext(tenant_id=tenant)) as session:
            await session.execute(text(statement))

    assert refused.value.orig.sqlstate == INSUFFICIENT_PRIVILEGE  # type: ignore[union-attr]


async def test_the_trigger_stops_the_owner_too(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    tenant = uuid.uuid4()
    await record_alone(sessions, AuditEvent(Action.PERSON_READ, tenant))

    with pytest.raises(DBAPIError) as refused, owner_engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET reason = 'changed' WHERE chain = :chain"), {"chain": str(tenant)}
        )

    assert "append-only" in str(refused.value.orig)


async def test_a_tenant_reads_its_own_chain_only_and_never_the_platform_chain(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mine, other = uuid.uuid4(), uuid.uuid4()
    await record_alone(sessions, AuditEvent(Action.PERSON_READ, mine, reason="mine"))
    await record_alone(sessions, AuditEvent(Action.PERSON_READ, other, reason="other"))
    await record_alone(sessions, AuditEvent(Action.LOGIN_FAILED, reason="platform_marker"))

    async with context_session(sessions, RequestContext(tenant_id=mine)) as session:
        reasons = set((await session.execute(text("SELECT reason FROM audit_event"))).scalars())

    assert reasons == {"mine"}


async def test_the_writers_flag_shows_the_platform_chain_alone(sessions: async_sessionmaker[AsyncSession]) -> None:
    mine, other = uuid.uuid4(), uuid.uuid4()
    await record_alone(sessions, AuditEvent(Action.PERSON_READ, mine, reason="mine_flagged"))
    await record_alone(sessions, AuditEvent(Action.PERSON_READ, other, reason="other_flagged"))
    await record_alone(sessions, AuditEvent(Action.LOGIN_FAILED, reason="platform_flagged"))
    reasons = text("SELECT reason FROM audit_event")
    flag = text("SELECT set_config('app.audit_platform', :value, true)")

    async with context_session(sessions, RequestContext(tenant_id=mine)) as session:
        await session.execute(flag, {"value": "on"})
        flagged = set((await session.execute(reasons)).scalars())
        chains = set((await session.execute(text("SELECT DISTINCT chain FROM audit_event"))).scalars())
        await session.execute(flag, {"value": ""})
        unflagged = set((await session.execute(reasons)).scalars())

    assert "platform_flagged" in flagged
    assert chains == {"platform"}
    assert unflagged == {"mine_flagged"}


async def test_a_tenant_cannot_write_into_another_tenants_chain(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mine, other = uuid.uuid4(), uuid.uuid4()

    with pytest.raises(DBAPIError):
        async with context_session(sessions, RequestContext(tenant_id=mine)) as session:
            await record(session, AuditEvent(Action.PERSON_READ, other))


@pytest.mark.parametrize(
    "event",
    [
        AuditEvent(Action.PERSON_READ, reason="19850101-1234"),
        AuditEvent(Action.PERSON_READ, reason="198501011234"),
        AuditEvent(Action.PERSON_READ, object_id="850101-1234"),
        AuditEvent(Action.PERSON_READ, reason="anna@example.se"),
        AuditEvent(Action.PERSON_READ, reason="x" * 121),
        AuditEvent("Anna läste"),
    ],
)
def test_fields_that_could_carry_personal_data_are_refused(event: AuditEvent) -> None:
    with pytest.raises(AuditFieldError):
        check_event(event)


def test_ids_that_look_like_personal_numbers_are_still_ids() -> None:
    lookalike = "19850101-1234-4abc-8def-123456789012"
    check_event(AuditEvent("tenant.role_granted", None, None, object_id=lookalike, request_id=lookalike))
    with pytest.raises(AuditFieldError):
        check_event(AuditEvent("tenant.role_granted", None, None, reason="19850101-1234"))
