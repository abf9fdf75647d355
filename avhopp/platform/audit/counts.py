"""Events of nobody known, counted per day instead of recorded one by one.

A request that anyone can send (a callback without a login under way, a name no account has)
would otherwise add a permanent, hash-chained row each time: the trail would grow at an
attacker's pace and bury what matters. The count keeps the signal: how many, of what, which day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.platform.audit.trail import MAX_FIELD_LENGTH, AuditFieldError
from avhopp.platform.database import RequestContext, context_session

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy import Connection
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_COUNT = text(
    "INSERT INTO audit_anonymous_count (day, action, reason, count)"
    " VALUES ((now() AT TIME ZONE 'Europe/Stockholm')::date, :action, :reason, 1)"
    " ON CONFLICT (day, action, reason) DO UPDATE SET count = audit_anonymous_count.count + 1"
)
_SINCE = text(
    "SELECT day, action, reason, count FROM audit_anonymous_count WHERE day >= :since ORDER BY day, action, reason"
)


async def count_anonymous(session: AsyncSession, action: str, reason: str) -> None:
    """Count one anonymous event, by codes only, in the caller's transaction."""
    for name, value in (("action", action), ("reason", reason)):
        if len(value) > MAX_FIELD_LENGTH or not value.replace("_", "").replace(".", "").isalnum():
            raise AuditFieldError(name)
    await session.execute(_COUNT, {"action": action, "reason": reason})


async def count_anonymous_alone(sessions: async_sessionmaker[AsyncSession], action: str, reason: str) -> None:
    """Count one anonymous event in a transaction of its own."""
    async with context_session(sessions, RequestContext()) as session:
        await count_anonymous(session, action, reason)


def anonymous_counts(connection: Connection, since: date) -> list[tuple[date, str, str, int]]:
    """The counts from `since` on, oldest first (for the `audit counts` command, as the owner)."""
    return [
        (day, action, reason, int(count)) for day, action, reason, count in connection.execute(_SINCE, {"since": since})
    ]
