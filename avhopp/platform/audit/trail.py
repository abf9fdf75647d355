"""Writing the audit trail: one link appended to the event's chain, in the caller's transaction.

The runtime role may not insert into the trail: it calls `audit_append` (migration 0018), a
function that appends a link only if it follows its chain's head, at the present time, in the
tenant the transaction acts for. The link's hash is keyed (see `chain`), with the key the
sessions carry (`session_factory(..., audit_key=...)`); the database never sees the key itself.

Concurrent writers to one chain are serialised with a transaction-scoped advisory lock keyed
on the chain, rather than a chain-head table: a head table would need UPDATE for the runtime
role, and the trail is meant to take INSERT only. The lock is held until the caller's
transaction ends, so the next writer, in READ COMMITTED, reads the head this one committed;
UNIQUE (chain, seq) is the backstop that turns any lapse into an error, never a fork.

Events say who, for which tenant, what and why, by ids and codes, never with personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.platform.audit.chain import GENESIS, PLATFORM_CHAIN, chain_of, link_hash
from avhopp.platform.database import RequestContext, audit_key_of_session, context_session
from avhopp.platform.identity_numbers import looks_like_identity_number

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

MAX_FIELD_LENGTH = 120
_ACTION = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# The two-key form keeps the trail's locks apart from other users of advisory locks.
_LOCK_SPACE = 0x41554454  # "AUDT"
_LOCK_AND_TIME = text(f"SELECT pg_advisory_xact_lock({_LOCK_SPACE}, hashtext(:chain)), clock_timestamp() AS now")
_HEAD = text("SELECT seq, hash FROM audit_event WHERE chain = :chain ORDER BY seq DESC LIMIT 1")
# The platform chain is readable only with this flag; the writer raises it for its one read.
_PLATFORM_READ = text("SELECT set_config('app.audit_platform', :value, true)")
_APPEND = text(
    "SELECT audit_append(:chain, :seq, CAST(:tenant_id AS uuid), :occurred_at, CAST(:actor_user_id AS uuid),"
    " :actor_client_id, :action, :object_type, :object_id, :reason, :request_id, :prev_hash, :hash)"
)


class AuditFieldError(ValueError):
    """A field of an event could carry personal data or is not a code; the event is refused."""


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One thing to record. Every text field is a code or an opaque id, never a name or free text."""

    action: str
    tenant_id: UUID | None = None
    """None records in the platform chain."""
    actor_user_id: UUID | None = None
    actor_client_id: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    reason: str | None = None
    """Why: a short code such as `wrong_state`, or a purpose code the person chose."""
    request_id: str | None = None


def _is_uuid(value: str) -> bool:
    return _UUID.fullmatch(value) is not None


def check_event(event: AuditEvent) -> None:
    """Refuse fields that are too long, not a dotted action code, or look like a personal identity number."""
    if not _ACTION.fullmatch(event.action):
        raise AuditFieldError("action")
    fields = {
        "actor_client_id": event.actor_client_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "reason": event.reason,
        "request_id": event.request_id,
    }
    for name, value in fields.items():
        if value is None:
            continue
        if len(value) > MAX_FIELD_LENGTH or "@" in value:
            raise AuditFieldError(name)
        # A UUID's digit groups can look like "YYYYMMDD-NNNN"; a UUID is an id, not a person's number.
        # Codes have no reason to hold ten digits grouped like one, so even an invalid one is refused.
        if not _is_uuid(value) and looks_like_identity_number(_UUID.sub("", value)):
            raise AuditFieldError(name)


async def record(session: AsyncSession, event: AuditEvent) -> None:
    """Append `event` to its chain inside the session's current transaction.

    The transaction must act for the event's tenant (row-level security checks it); it
    commits or rolls back together with what it records.
    """
    check_event(event)
    chain = chain_of(event.tenant_id)
    now = (await session.execute(_LOCK_AND_TIME, {"chain": chain})).one().now
    if chain == PLATFORM_CHAIN:
        await session.execute(_PLATFORM_READ, {"value": "on"})
    head = (await session.execute(_HEAD, {"chain": chain})).one_or_none()
    if chain == PLATFORM_CHAIN:
        await session.execute(_PLATFORM_READ, {"value": ""})
    seq, prev_hash = (head.seq + 1, head.hash) if head else (1, GENESIS)
    fields = {
        "chain": chain,
        "seq": seq,
        "tenant_id": event.tenant_id,
        "occurred_at": now,
        "actor_user_id": event.actor_user_id,
        "actor_client_id": event.actor_client_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "reason": event.reason,
        "request_id": event.request_id,
        "prev_hash": prev_hash,
    }
    await session.execute(_APPEND, {**fields, "hash": link_hash(audit_key_of_session(session), **fields)})


async def record_alone(sessions: async_sessionmaker[AsyncSession], event: AuditEvent) -> None:
    """Record `event` in a transaction of its own, acting for its tenant and actor.

    For events that have no transaction to join: logins, logouts, refusals.
    """
    context = RequestContext(tenant_id=event.tenant_id, user_id=event.actor_user_id)
    async with context_session(sessions, context) as session:
        await record(session, event)
