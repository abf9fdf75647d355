"""How often shortlists may be asked for: per person and per tenant, counted in PostgreSQL.

A row per (tenant, person or "tenant", minute) is incremented in the request's transaction, so
every web process counts against the same figure. A refused request rolls back with its own
increment, so the count stays at the limit until the minute ends.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert

from avhopp.housing.placement.models import RateWindow

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

PER_PERSON_PER_MINUTE = 10
PER_TENANT_PER_MINUTE = 60
_KEPT = timedelta(hours=1)


class ShortlistLimitReached(Exception):  # noqa: N818 - a refusal, not a fault
    """Too many shortlists asked for in this minute, by the person or by the organisation."""

    message = "Du har hämtat förslag många gånger på kort tid. Vänta en minut och försök igen."


async def count_shortlist(session: AsyncSession, tenant_id: UUID, user_id: UUID, now: datetime) -> bool:
    """Count one shortlist; ShortlistLimitReached when the person or the tenant is over its limit.

    Returns:
        True when this one reached a limit exactly: the pattern the national coordinator is told of.

    """
    window = now.replace(second=0, microsecond=0)
    await session.execute(
        delete(RateWindow).where(RateWindow.tenant_id == tenant_id, RateWindow.window_start < window - _KEPT)
    )
    reached = False
    for subject, limit in ((str(user_id), PER_PERSON_PER_MINUTE), ("tenant", PER_TENANT_PER_MINUTE)):
        statement = insert(RateWindow).values(tenant_id=tenant_id, subject=subject, window_start=window, hits=1)
        hits = await session.scalar(
            statement.on_conflict_do_update(
                index_elements=["tenant_id", "subject", "window_start"], set_={"hits": RateWindow.hits + 1}
            ).returning(RateWindow.hits)
        )
        if hits is None or hits > limit:
            raise ShortlistLimitReached
        reached = reached or hits == limit
    return reached
