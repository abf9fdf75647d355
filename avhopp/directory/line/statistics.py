"""The line's statistics: counts per dimension from `line_statistics` (aggregates only, never rows).

A line's supervisors see their own figures as they are. Everyone else (the national
coordinator) sees every line's figures summed, with any figure below five replaced by "<5",
because a small count over a short period can point at a person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.directory.line.vocabulary import ReferralStatus

if TYPE_CHECKING:
    from collections.abc import Iterable
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

SUPPRESS_BELOW = 5
PERIOD = timedelta(days=84)
"""Twelve weeks."""
_QUERY = text("SELECT dimension, value, count FROM line_statistics(:line, :since)")


@dataclass(frozen=True, slots=True)
class Figure:
    """One value's count, or None where it is suppressed."""

    value: str
    count: int | None


@dataclass(frozen=True, slots=True)
class Statistics:
    """Figures per dimension, and the referral acceptance rate where it can be shown."""

    dimensions: dict[str, list[Figure]] = field(default_factory=dict)
    acceptance_rate: float | None = None
    suppressed: bool = False

    def figures(self, dimension: str) -> list[Figure]:
        """The figures of one dimension (empty when there are none)."""
        return self.dimensions.get(dimension, [])


async def gather(
    session: AsyncSession, line_ids: Iterable[UUID], now: datetime | None = None
) -> dict[str, dict[str, int]]:
    """Counts summed over the given lines for the last twelve weeks."""
    since = (now or datetime.now(UTC)) - PERIOD
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for line_id in line_ids:
        for dimension, value, count in await session.execute(_QUERY, {"line": line_id, "since": since}):
            totals[dimension][value] += int(count)
    return {dimension: dict(values) for dimension, values in totals.items()}


def statistics_of(totals: dict[str, dict[str, int]], *, suppress: bool) -> Statistics:
    """The figures to show; `suppress` hides every count below five."""
    dimensions = {
        dimension: [
            Figure(value, None if suppress and count < SUPPRESS_BELOW else count)
            for value, count in sorted(values.items())
        ]
        for dimension, values in totals.items()
    }
    referrals = totals.get("referral", {})
    accepted = referrals.get(ReferralStatus.ACCEPTED.value, 0)
    decided = accepted + referrals.get(ReferralStatus.DECLINED.value, 0)
    rate = accepted / decided if decided and not (suppress and decided < SUPPRESS_BELOW) else None
    return Statistics(dimensions, rate, suppressed=suppress)
