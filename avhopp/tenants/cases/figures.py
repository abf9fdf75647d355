"""National follow-up figures, from the pseudonymised statistics, through the platform's disclosure control.

Counts come from `followup_statistics` (migrations 0031 and 0044: sums of the tally each copy
keeps), never rows: nationally for the national coordinator's analysts and for a case-keeping
organisation's unit head, and one organisation's own for its unit head (the database refuses
anyone else, and another organisation's own).
Every figure is published together as one table (`table_of`), with every sum a reader could use:

- `started`: cases started per year and per kind of organisation (row, column and grand totals);
- `county`: the same cases per county (its total is the started cases' grand total);
- `need` and `intervention`: needs at intake and interventions received (a case counts under
  several, so no total);
- `outcome_<question>`: each follow-up point's answers (housing, occupation, addiction, contact
  with the group, new crime), "unknown" counted as such; a version that did not ask counts nowhere;
- `completeness`: follow-ups per municipality done on time, done late, and missed (not done
  after their month and two weeks' grace);
- `survival`: per follow-up point, the cases whose first known new crime (suspected or convicted)
  was reported there (`event`), and those last known without one there (`censored`).

Shares are of shown counts only, with a 95 % Wilson interval; the survival curve (Kaplan–Meier)
is drawn as far as every count it rests on is shown.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Uuid as SqlUuid
from sqlalchemy import bindparam, text

from avhopp.platform.disclosure import TOTAL, Published, Rule, Sum, Table, joined, one_way, protect, two_way
from avhopp.tenants.cases.cases import LATE_AFTER
from avhopp.tenants.cases.follow_up_schema import ADDICTION, CONTACT_WITH_GROUP, HOUSING, NEW_CRIME, OCCUPATION

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.disclosure import CellKey

OUTCOMES = (HOUSING, OCCUPATION, ADDICTION, CONTACT_WITH_GROUP, NEW_CRIME)
"""The questions whose answers are counted at each follow-up point."""
OUTCOME_SECTIONS = tuple(f"outcome_{question.code}" for question in OUTCOMES)
COMPLETENESS = ("on_time", "late", "missed")
SURVIVAL = ("event", "censored")
SECTIONS = ("started", "county", "need", "intervention", *OUTCOME_SECTIONS, "completeness", "survival")
"""Every published section, in the order pages show them."""
Z_95 = 1.959963984540054
"""The standard normal quantile of a two-sided 95 % interval."""

_QUERY = text("SELECT dimension, first, second, count FROM followup_statistics(:tenant, :overdue_before)").bindparams(
    bindparam("tenant", type_=SqlUuid())
)

Counts = dict[str, dict[tuple[str, str], int]]
"""Dimension -> (first, second) -> count, as the database gives them."""


def _month_before(day: date) -> date:
    """The first day of the month before `day`'s: follow-ups due then have had their whole month and the grace."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


async def gather(session: AsyncSession, today: date, tenant_id: UUID | None = None) -> Counts:
    """The counts nationally, or of one organisation; nothing when the person acting may not see them."""
    counts: Counts = defaultdict(dict)
    rows = await session.execute(_QUERY, {"tenant": tenant_id, "overdue_before": _month_before(today - LATE_AFTER)})
    for dimension, first, second, count in rows:
        counts[dimension][(first, second)] = int(count)
    return dict(counts)


def _ordered_months(values: Iterable[str]) -> list[str]:
    return sorted(set(values), key=int)


def table_of(counts: Counts) -> Table:
    """Every section as one table, with the sums that tie them (the started cases counted per county)."""
    started = counts.get("started", {})
    years = sorted({year for year, _ in started})
    kinds = sorted({kind for _, kind in started})
    tables = [
        two_way("started", started, years, kinds),
        one_way("county", {county: n for (county, _), n in sorted(counts.get("county", {}).items())}),
        one_way("need", {need: n for (need, _), n in sorted(counts.get("need", {}).items())}, total=False),
        one_way(
            "intervention",
            {code: n for (code, _), n in sorted(counts.get("intervention", {}).items())},
            total=False,
        ),
    ]
    for question, section in zip(OUTCOMES, OUTCOME_SECTIONS, strict=True):
        answers = counts.get(f"outcome:{question.code}", {})
        columns = [*question.answers, *sorted({a for _, a in answers} - set(question.answers))]
        tables.append(two_way(section, answers, _ordered_months(m for m, _ in answers), columns))
    completeness = counts.get("completeness", {})
    tables.append(two_way("completeness", completeness, sorted({m for m, _ in completeness}), COMPLETENESS))
    survival = counts.get("survival", {})
    tables.append(two_way("survival", survival, _ordered_months(m for m, _ in survival), SURVIVAL))
    return joined(*tables, sums=[Sum(("county", TOTAL), (("started", TOTAL, TOTAL),))])


@dataclass(frozen=True, slots=True)
class Figure:
    """One value's count, or None where it is hidden."""

    value: str
    count: int | None


@dataclass(frozen=True, slots=True)
class Share:
    """A count as a share of its whole, with a 95 % Wilson interval; the share is None unless both are shown."""

    value: str
    count: int | None
    percent: int | None
    low: int | None
    high: int | None


@dataclass(frozen=True, slots=True)
class SurvivalPoint:
    """The curve at one follow-up point: at risk, events, censored, and the share without known new crime."""

    months: int
    at_risk: int | None
    events: int | None
    censored: int | None
    survival: float | None
    """The Kaplan–Meier estimate (0–1), or None where a count it rests on is hidden."""

    @property
    def percent(self) -> int | None:
        """The estimate as a whole percentage."""
        return None if self.survival is None else round(self.survival * 100)


def wilson(count: int, whole: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of `count` out of `whole` (as fractions)."""
    if whole <= 0:
        raise ValueError("a share of nothing has no interval")
    share = count / whole
    denominator = 1 + z * z / whole
    centre = (share + z * z / (2 * whole)) / denominator
    spread = z * math.sqrt(share * (1 - share) / whole + z * z / (4 * whole * whole)) / denominator
    return max(0.0, centre - spread), min(1.0, centre + spread)


def kaplan_meier(steps: Sequence[tuple[float, int, int]]) -> list[tuple[float, int, float]]:
    """The Kaplan–Meier estimate at each time of `steps` (time, events, censored), in time order.

    Returns (time, at risk, survival). Those censored at a time are at risk at it (events first).
    """
    at_risk = sum(events + censored for _, events, censored in steps)
    survival = 1.0
    curve: list[tuple[float, int, float]] = []
    for time, events, censored in sorted(steps):
        if at_risk > 0:
            survival *= 1 - events / at_risk
        curve.append((time, at_risk, survival))
        at_risk -= events + censored
    return curve


@dataclass(frozen=True, slots=True)
class Overview:
    """The follow-up figures as published."""

    published: Published

    def withheld(self, section: str) -> bool:
        """Whether the section is too detailed to show at all."""
        return section in self.published.withheld

    def empty(self, section: str) -> bool:
        """Whether the section counts nothing yet."""
        return not any(self.published.table.counts[key] for key in self.published.table.cells_of(section))

    def figures(self, section: str) -> list[Figure]:
        """A one-way section's figures without its total."""
        return [
            Figure(key[1], self.published.value(key))
            for key in self.published.table.cells_of(section)
            if key[1] != TOTAL
        ]

    def total(self, section: str) -> Figure | None:
        """A one-way section's total, if it has one."""
        key = (section, TOTAL)
        return Figure(TOTAL, self.published.value(key)) if key in self.published.table.counts else None

    def rows(self, section: str) -> list[str]:
        """A two-way section's row values, without the total."""
        return list(dict.fromkeys(key[1] for key in self.published.table.cells_of(section) if key[1] != TOTAL))

    def columns(self, section: str) -> list[str]:
        """A two-way section's column values, without the total."""
        return list(dict.fromkeys(key[2] for key in self.published.table.cells_of(section) if key[2] != TOTAL))

    def row_figures(self, section: str, row: str) -> list[Figure]:
        """One row of a two-way section (a row value or `TOTAL`), without its total."""
        return [Figure(column, self.published.value((section, row, column))) for column in self.columns(section)]

    def cell(self, section: str, row: str, column: str) -> int | None:
        """One count of a two-way section (`TOTAL` for a margin), or None where it is hidden."""
        return self.published.value((section, row, column))

    def shares(self, section: str, row: str) -> list[Share]:
        """Each column of a row as a share of the row's total, with its interval where both are shown."""
        whole_keys: list[CellKey] = [(section, row, column) for column in self.columns(section)]
        total = self.published.value((section, row, TOTAL))
        found = []
        for key in whole_keys:
            count = self.published.value(key)
            percent = self.published.percent(key, whole_keys)
            low = high = None
            if percent is not None and count is not None and total:
                low_share, high_share = wilson(count, total)
                low, high = math.floor(low_share * 100), math.ceil(high_share * 100)
            found.append(Share(key[2], count, percent, low, high))
        return found

    def completeness(self, municipality: str) -> Share:
        """A municipality's (or `TOTAL`'s) follow-ups done on time, as a share of those due."""
        return next(share for share in self.shares("completeness", municipality) if share.value == "on_time")

    def survival(self) -> list[SurvivalPoint]:
        """The Kaplan–Meier curve of time to first known new crime, point by point.

        The estimate stops at the first point where an event or censored count (or the total) is hidden.
        """
        months = self.rows("survival")
        counts = self.published.table.counts
        everyone = self.published.value(("survival", TOTAL, TOTAL))
        curve = kaplan_meier(
            [(int(m), counts[("survival", m, "event")], counts[("survival", m, "censored")]) for m in months]
        )
        points: list[SurvivalPoint] = []
        shown_so_far = everyone is not None
        for month, (_, at_risk, estimate) in zip(months, curve, strict=True):
            events = self.published.value(("survival", month, "event"))
            censored = self.published.value(("survival", month, "censored"))
            shown_so_far = shown_so_far and events is not None and censored is not None
            points.append(
                SurvivalPoint(
                    int(month),
                    at_risk if shown_so_far else None,
                    events,
                    censored,
                    estimate if shown_so_far else None,
                )
            )
        return points


def overview_of(counts: Counts, rule: Rule) -> Overview:
    """The figures to show under `rule`; a section too detailed for it is withheld whole."""
    return Overview(protect(table_of(counts), rule, withhold_too_detailed=True))
