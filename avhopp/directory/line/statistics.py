"""The line's statistics: counts per dimension from `line_statistics` (aggregates only, never rows).

Every figure goes through the platform's disclosure control (`avhopp.platform.disclosure`). A
line's supervisors see their own figures as they are (`UNSUPPRESSED`: they may read each
contact anyway). Everyone else (the national coordinator) sees every line's figures summed,
protected by the platform's rule: the figures are published together as one table, because the
same contacts are counted per week, per day, per caller and per county, and each week is the sum
of its days, and a reader could use any of those sums to work a hidden count out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.directory.line.vocabulary import ReferralStatus
from avhopp.platform.disclosure import TOTAL, Published, Rule, Sum, Table, joined, one_way, protect

if TYPE_CHECKING:
    from collections.abc import Iterable
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

PERIOD = timedelta(days=84)
"""Twelve weeks."""
_QUERY = text("SELECT dimension, value, count FROM line_statistics(:line, :since)")
_COUNTY_QUERY = text("SELECT dimension, value, count FROM line_county_statistics(:line, :county, :since)")

DIMENSIONS = (
    "week",
    "day",
    "caller_type",
    "county",
    "threat",
    "target_group",
    "need",
    "outcome",
    "referral",
    "callback_hours",
)
"""The sections of the line's statistics, in the order they are shown."""
OVERLAPPING = frozenset({"need", "outcome"})
"""Dimensions where one contact may count under several values: they have no total."""
_SAME_CONTACTS = ("day", "caller_type", "county", "threat", "target_group")
"""Dimensions that count the contacts the weeks count, so their totals equal the weeks' total."""
_FILLED = {
    "referral": tuple(status.value for status in ReferralStatus),
    "callback_hours": ("under_1", "1_to_4", "4_to_24", "over_24"),
}
"""Dimensions shown with every value, a zero where nothing was counted."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One value's count, or None where it is hidden."""

    value: str
    count: int | None


@dataclass(frozen=True, slots=True)
class Statistics:
    """The line's figures as published, and the referral acceptance rate where it can be shown."""

    published: Published

    def figures(self, dimension: str) -> list[Figure]:
        """The figures of one dimension without its total (empty when there are none)."""
        return [
            Figure(key[1], self.published.value(key))
            for key in self.published.table.cells_of(dimension)
            if key[1] != TOTAL
        ]

    def total(self, dimension: str) -> Figure | None:
        """The dimension's total, if it has one (not where values overlap)."""
        key = (dimension, TOTAL)
        return Figure(TOTAL, self.published.value(key)) if key in self.published.table.counts else None

    def withheld(self, dimension: str) -> bool:
        """Whether the dimension is too detailed to show at all."""
        return dimension in self.published.withheld

    @property
    def acceptance_rate(self) -> int | None:
        """Accepted referrals as a whole percentage of those decided; None unless both counts are shown."""
        accepted, declined = ("referral", ReferralStatus.ACCEPTED.value), ("referral", ReferralStatus.DECLINED.value)
        return self.published.percent(accepted, [accepted, declined])


def since(now: datetime) -> datetime:
    """The start of the period the statistics cover."""
    return now - PERIOD


async def gather(
    session: AsyncSession, line_ids: Iterable[UUID], now: datetime | None = None
) -> dict[str, dict[str, int]]:
    """Counts summed over the given lines for the last twelve weeks."""
    start = since(now or datetime.now(UTC))
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for line_id in line_ids:
        for dimension, value, count in await session.execute(_QUERY, {"line": line_id, "since": start}):
            totals[dimension][value] += int(count)
    return {dimension: dict(values) for dimension, values in totals.items()}


async def county_counts(
    session: AsyncSession, line_ids: Iterable[UUID], county_code: str, now: datetime | None = None
) -> dict[str, dict[str, int]]:
    """Counts of the last twelve weeks' contacts that concerned one county, summed over the given lines.

    Aggregates only (migration 0030): `contacts` (value "") and the contacts per `need` and per
    `outcome`, where one contact may count under several values. Publish them through disclosure control.
    """
    start = since(now or datetime.now(UTC))
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for line_id in line_ids:
        rows = await session.execute(_COUNTY_QUERY, {"line": line_id, "county": county_code, "since": start})
        for dimension, value, count in rows:
            totals[dimension][value] += int(count)
    return {dimension: dict(values) for dimension, values in totals.items()}


def table_of(totals: dict[str, dict[str, int]]) -> Table:
    """The line's figures as one table, with every sum a reader could use declared."""
    counts = {
        dimension: dict.fromkeys(_FILLED.get(dimension, ()), 0) | dict(sorted(totals.get(dimension, {}).items()))
        for dimension in DIMENSIONS
    }
    sums = [Sum((dimension, TOTAL), (("week", TOTAL),)) for dimension in _SAME_CONTACTS]
    days_of: dict[str, list[str]] = defaultdict(list)
    for day in counts["day"]:
        days_of[_week_of(day)].append(day)
    sums += [
        Sum(("week", week), tuple(("day", day) for day in days))
        for week, days in days_of.items()
        if week in counts["week"]
    ]
    tables = [one_way(dimension, counts[dimension], total=dimension not in OVERLAPPING) for dimension in DIMENSIONS]
    return joined(*tables, sums=sums)


def statistics_of(totals: dict[str, dict[str, int]], rule: Rule) -> Statistics:
    """The figures to show under `rule`; a dimension too detailed for it is withheld whole."""
    return Statistics(protect(table_of(totals), rule, withhold_too_detailed=True))


def _week_of(day: str) -> str:
    """The ISO week of a day, as `line_statistics` names it (`2026-v49`)."""
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-v{week:02d}"
