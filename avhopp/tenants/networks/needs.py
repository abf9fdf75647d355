"""Needs in the county: a county space's figures from the guidance line and from the follow-up statistics.

The figures are counts only (the line's and the cases' services return aggregates, never rows) and
are published through the platform's disclosure control under the platform's rule, as one table:
counts from 1 to the threshold less one are hidden, and as many others as it takes for no hidden
count to be worked out. The line's contacts of the last twelve weeks that concerned the county (per
need and outcome), and the cases that the county's organisations report to the follow-up statistics
(per need, intervention received and phase, and per outcome question the answers at each case's
latest follow-up: where they live, their occupation, addiction, contact with the group, new crime),
once any are copied. Each outcome question counts a case once, so its counts have a total.

A space across counties or for the whole country shows no figures: it has no one county, and the
national figures are the national coordinator's statistics pages, behind the national analyst's role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from avhopp.directory.line.service import county_contact_counts
from avhopp.platform.disclosure import TOTAL, Published, Rule, joined, one_way, protect
from avhopp.tenants.cases.service import county_case_counts
from avhopp.tenants.networks.access import space_for
from avhopp.tenants.networks.vocabulary import SpaceScope

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.access import Actor

LINE_SECTIONS = ("line_contacts", "line_need", "line_outcome")
OUTCOME_QUESTIONS = ("housing", "occupation", "addiction", "contact_with_group", "new_crime")
"""The follow-up questions whose answers (at each case's latest follow-up) the county's figures count."""
OUTCOME_SECTIONS = tuple(f"case_outcome_{question}" for question in OUTCOME_QUESTIONS)
CASE_SECTIONS = ("case_phase", "case_need", "case_intervention", *OUTCOME_SECTIONS)
OVERLAPPING = frozenset({"line_need", "line_outcome", "case_need", "case_intervention"})
"""Sections where one contact or case may count under several values: they have no total."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One value's count, or None where it is hidden."""

    value: str
    count: int | None


@dataclass(frozen=True, slots=True)
class CountyNeeds:
    """A county's figures as published."""

    county_code: str
    published: Published
    cases: bool
    """Whether the follow-up statistics hold any of the county's cases yet."""

    def figures(self, section: str) -> list[Figure]:
        """The figures of one section without its total."""
        return [
            Figure(key[1], self.published.value(key))
            for key in self.published.table.cells_of(section)
            if key[1] != TOTAL
        ]

    def total(self, section: str) -> Figure | None:
        """The section's total, if it has one."""
        key = (section, TOTAL)
        return Figure(TOTAL, self.published.value(key)) if key in self.published.table.counts else None

    def withheld(self, section: str) -> bool:
        """Whether the section is too detailed to show at all."""
        return section in self.published.withheld

    @property
    def contacts(self) -> int | None:
        """The line's contacts that concerned the county, or None where hidden."""
        return self.published.value(("line_contacts", "all"))


def _dimension(section: str) -> str:
    """The cases' dimension a section counts: `case_outcome_housing` is `outcome:housing`."""
    name = section.removeprefix("case_")
    return f"outcome:{name.removeprefix('outcome_')}" if name.startswith("outcome_") else name


def needs_of(
    line: dict[str, dict[str, int]], cases: dict[str, dict[str, int]], county_code: str, rule: Rule
) -> CountyNeeds:
    """The counts published together under `rule`; a section too detailed for it is withheld whole."""
    tables = [
        one_way("line_contacts", {"all": sum(line.get("contacts", {}).values())}, total=False),
        one_way("line_need", dict(sorted(line.get("need", {}).items())), total=False),
        one_way("line_outcome", dict(sorted(line.get("outcome", {}).items())), total=False),
    ]
    if cases:
        tables += [
            one_way(
                section,
                dict(sorted(cases.get(_dimension(section), {}).items())),
                total=section not in OVERLAPPING,
            )
            for section in CASE_SECTIONS
        ]
    return CountyNeeds(county_code, protect(joined(*tables), rule, withhold_too_detailed=True), bool(cases))


async def county_needs(
    session: AsyncSession, actor: Actor, space_id: UUID, rule: Rule, now: datetime | None = None
) -> CountyNeeds | None:
    """The space's county's figures, or None for a space across counties or national (it shows none)."""
    space = (await space_for(session, actor, space_id)).space
    if space.scope != SpaceScope.COUNTY or space.county_code is None:
        return None
    line = await county_contact_counts(session, space.county_code, now)
    cases = await county_case_counts(session, space.county_code)
    return needs_of(line, cases, space.county_code, rule)
