"""The chains are keyed and appended through `audit_append` alone: what the runtime role (or anyone
with the database but not AVHOPP_SECRET_KEY) writes is either refused or named by verify."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from avhopp.platform.audit import Action, AuditEvent, record_alone
from avhopp.platform.audit.chain import link_hash
from avhopp.platform.audit.verify import verify_chains
from avhopp.platform.database import NoAuditKeyError, RequestContext, context_session, session_factory
from tests.platform.audit.test_verify import KEY, tamper, write_chains

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

CHECK_VIOLATION = "23514"
_APPEND = text(
    "SELECT audit_append(:chain, :seq, CAST(:tenant_id AS uuid), :occurred_at, NULL, NULL, :action, NULL, NULL,"
    " :reason, NULL, :prev_hash, :hash)"
)


async def head(session: AsyncSession, chain: str) -> tuple[int, str, datetime]:
    row = (
        await session.execute(
            text("SELECT seq, hash, clock_timestamp() AS now FROM audit_event WHERE chain = :c ORDER BY seq DESC"),
            {"c": chain},
        )
    ).first()
    assert row is not None
    return row.seq, row.hash, row.now


def forged_link(chain: str, seq: int, prev_hash: str, now: datetime, key: bytes | None) -> dict[str, object]:
    fields: dict[str, object] = {
        "chain": chain,
        "seq": seq,
        "tenant_id": chain,
        "occurred_at": now,
        "action": Action.PERSON_READ,
        "reason": "forged",
        "prev_hash": prev_hash,
    }
    digest = link_hash(
        key,
        chain=chain,
        seq=seq,
        tenant_id=uuid.UUID(chain),
        occurred_at=now,
        actor_user_id=None,
        actor_client_id=None,
        action=Action.PERSON_READ,
        object_type=None,
        object_id=None,
        reason="forged",
        request_id=None,
        prev_hash=prev_hash,
    )
    return {**fields, "hash": digest}


async def test_a_link_appended_without_the_key_is_named_by_verify(
    own_sessions: async_sessionmaker[AsyncSession], own_owner: Engine
) -> None:
    tenant = uuid.uuid4()
    await write_chains(own_sessions, tenant, 2)
    async with context_session(own_sessions, RequestContext(tenant_id=tenant)) as session:
        seq, prev_hash, now = await head(session, str(tenant))
        # Well linked, hashed the way the chain was before it was keyed: all an attacker can do.
        await session.execute(_APPEND, forged_link(str(tenant), seq + 1, prev_hash, now, key=None))

    with own_owner.begin() as connection:
        report = next(report for report in verify_chains(connection, KEY) if report.chain == str(tenant))

    assert report.broken is not None
    assert report.broken.seq == seq + 1


@pytest.mark.parametrize(("seq_step", "prev"), [(0, "head"), (2, "head"), (1, "genesis")])
async def test_a_link_that_does_not_follow_the_head_is_refused(
    own_sessions: async_sessionmaker[AsyncSession], seq_step: int, prev: str
) -> None:
    tenant = uuid.uuid4()
    await write_chains(own_sessions, tenant, 2)
    async with context_session(own_sessions, RequestContext(tenant_id=tenant)) as session:
        seq, prev_hash, now = await head(session, str(tenant))
    link = forged_link(str(tenant), seq + seq_step, prev_hash if prev == "head" else "0" * 64, now, KEY)
    with pytest.raises(DBAPIError) as refused:
        async with context_session(own_sessions, RequestContext(tenant_id=tenant)) as session:
            await session.execute(_APPEND, {**link, "occurred_at": datetime.now(UTC)})

    assert refused.value.orig.sqlstate == CHECK_VIOLATION  # type: ignore[union-attr]


async def test_a_backdated_link_is_refused(own_sessions: async_sessionmaker[AsyncSession]) -> None:
    tenant = uuid.uuid4()
    await write_chains(own_sessions, tenant, 1)
    async with context_session(own_sessions, RequestContext(tenant_id=tenant)) as session:
        seq, prev_hash, _now = await head(session, str(tenant))
    last_year = datetime.fromisoformat("2025-01-01T00:00:00+00:00")
    link = forged_link(str(tenant), seq + 1, prev_hash, last_year, KEY)
    with pytest.raises(DBAPIError) as refused:
        async with context_session(own_sessions, RequestContext(tenant_id=tenant)) as session:
            await session.execute(_APPEND, link)

    assert refused.value.orig.sqlstate == CHECK_VIOLATION  # type: ignore[union-attr]


async def test_a_tail_rewritten_forward_without_the_key_is_named(
    own_sessions: async_sessionmaker[AsyncSession], own_owner: Engine
) -> None:
    tenant = uuid.uuid4()
    await write_chains(own_sessions, tenant, 4)
    # Owner rights but no key: alter link 3, then re-hash 3 and 4 forward the only way one can.
    with own_owner.begin() as connection:
        connection.execute(text("SELECT set_config('app.audit_verify', 'on', true)"))
        rows = connection.execute(
            text("SELECT * FROM audit_event WHERE chain = :c AND seq >= 2 ORDER BY seq"), {"c": str(tenant)}
        ).all()
    prev_hash = rows[0].hash
    for row in rows[1:]:
        fields = {
            name: getattr(row, name)
            for name in (
                "chain",
                "seq",
                "tenant_id",
                "occurred_at",
                "actor_user_id",
                "actor_client_id",
                "action",
                "object_type",
                "object_id",
                "request_id",
            )
        }
        rehashed = link_hash(None, **fields, reason="nothing_to_see", prev_hash=prev_hash)
        tamper(
            own_owner,
            f"UPDATE audit_event SET reason = 'nothing_to_see', prev_hash = '{prev_hash}', hash = '{rehashed}'"
            f" WHERE chain = :chain AND seq = {row.seq}",
            str(tenant),
        )
        prev_hash = rehashed

    with own_owner.begin() as connection:
        report = next(report for report in verify_chains(connection, KEY) if report.chain == str(tenant))

    assert report.broken is not None
    assert report.broken.seq == 3


async def test_an_event_is_recorded_only_by_sessions_that_carry_the_key(
    own_sessions: async_sessionmaker[AsyncSession],
) -> None:
    without_key = session_factory(own_sessions.kw["bind"], audit_key=None)
    with pytest.raises(NoAuditKeyError):
        await record_alone(without_key, AuditEvent(Action.PERSON_READ, uuid.uuid4()))
