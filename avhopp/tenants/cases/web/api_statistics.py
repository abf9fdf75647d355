"""The follow-up figures under /api/v1/statistics, for the national coordinator's own analysis tools.

The same figures as the page, through the same disclosure control: a hidden count is null, a
share is null unless both its counts are shown, and a section too detailed to publish answers
400 with the reason when asked for alone (and is marked `withheld` in the whole set).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import FromQuery, QueryParameter

from avhopp.platform.disclosure import TOTAL, TooDetailedError
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting
from avhopp.tenants.cases.figures import SECTIONS
from avhopp.tenants.cases.permissions import FIGURES, FIGURES_KINDS
from avhopp.tenants.cases.web.api_problems import API_EXCEPTION_HANDLERS, READ_PROBLEMS
from avhopp.tenants.cases.web.figures import TITLES, Part, parts_of, rule_of

_SCOPES = ("national", "own")


class CellOut(msgspec.Struct):
    """One count: the values naming it (`__total__` for a margin), or null where it is hidden."""

    key: list[str]
    count: int | None


class ShareOut(msgspec.Struct):
    """A column of a row as a whole percentage of the row, with its 95 % Wilson interval; null where hidden."""

    row: str
    value: str
    percent: int | None
    low: int | None
    high: int | None


class SectionOut(msgspec.Struct):
    """One published table."""

    name: str
    title: str
    withheld: bool
    cells: list[CellOut]
    shares: list[ShareOut]


class SurvivalOut(msgspec.Struct):
    """The Kaplan–Meier curve at one follow-up point; null where a count it rests on is hidden."""

    months: int
    at_risk: int | None
    events: int | None
    censored: int | None
    survival: float | None


class FiguresOut(msgspec.Struct):
    """The follow-up figures of one scope, as published."""

    scope: str
    rule: str
    threshold: int
    extracted_at: datetime
    sections: list[SectionOut]
    survival: list[SurvivalOut]


def _section_out(part: Part, section: str) -> SectionOut:
    overview = part.overview
    published = overview.published
    withheld = overview.withheld(section)
    cells = (
        [] if withheld else [CellOut(list(key[1:]), published.value(key)) for key in published.table.cells_of(section)]
    )
    two_way = bool(cells) and len(cells[0].key) == 2  # noqa: PLR2004 - row and column
    shares = (
        [
            ShareOut(row, share.value, share.percent, share.low, share.high)
            for row in [*overview.rows(section), TOTAL]
            for share in overview.shares(section, row)
        ]
        if two_way
        else []
    )
    return SectionOut(section, TITLES[section], withheld, cells, shares)


class StatisticsApi(Controller):
    """The national follow-up figures, with small counts hidden."""

    path = "/api/v1/statistics"
    tags = ["statistics"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get(
        "/follow-up",
        opt={"permission": FIGURES, "tenant_kinds": FIGURES_KINDS},
        summary="Nationell uppföljning",
        responses=READ_PROBLEMS,
    )
    async def follow_up(
        self,
        acting: Acting,
        state: State,
        which: Annotated[str, QueryParameter(name="scope")] = "national",
        section: FromQuery[str | None] = None,
    ) -> FiguresOut:
        """The follow-up figures nationally (`scope=national`) or of your own organisation (`scope=own`).

        `section` asks for one table (`started`, `county`, `need`, `intervention`, `outcome_<question>`,
        `completeness`, `survival`); one too detailed to publish answers 400. `own` is for
        organisations that keep cases.
        """
        if which not in _SCOPES:
            raise InvalidInputError([FieldProblem("scope", "Välj national eller own.")])
        if section is not None and section not in SECTIONS:
            raise InvalidInputError([FieldProblem("section", "Okänd tabell. Välj en av tabellerna i beskrivningen.")])
        now = datetime.now(UTC)
        parts = {part.key: part for part in await parts_of(acting, rule_of(state), now)}
        part = parts.get(which)
        if part is None:
            raise NotFoundError
        if section is not None and part.overview.withheld(section):
            raise TooDetailedError(section)
        rule = part.overview.published.rule
        return FiguresOut(
            which,
            rule.statement,
            rule.threshold,
            now,
            [_section_out(part, name) for name in ((section,) if section else SECTIONS)],
            [
                SurvivalOut(p.months, p.at_risk, p.events, p.censored, p.survival)
                for p in (part.overview.survival() if section in (None, "survival") else [])
            ],
        )
