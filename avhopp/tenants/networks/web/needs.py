"""Needs in the county, on a page and in the API: a county space's figures, through disclosure control.

Anyone who reaches the space (its coordinators and its members) sees them; every count is published
under the platform's rule (`avhopp.tenants.networks.needs`). A space across counties or national shows
that it has no county figures.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Template

from avhopp.directory.catalogue.service import Intervention
from avhopp.directory.line.service import Outcome
from avhopp.platform.disclosure import Rule
from avhopp.platform.labels import labels_of
from avhopp.platform.scope.request import Acting
from avhopp.platform.times import STOCKHOLM
from avhopp.platform.web.forms import county_choices
from avhopp.tenants.cases.service import Phase
from avhopp.tenants.cases.web.components import API_EXCEPTION_HANDLERS, FOLLOW_UP_LABELS
from avhopp.tenants.networks.permissions import NETWORK_PARTICIPATE
from avhopp.tenants.networks.service import OUTCOME_QUESTIONS, county_needs, space_view
from avhopp.tenants.networks.web.common import actor_of, needs

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

    from avhopp.tenants.networks.service import CountyNeeds

PARTICIPATING = needs(NETWORK_PARTICIPATE)
SECTIONS = (
    ("line_need", "Stödlinjen: behov"),
    ("line_outcome", "Stödlinjen: utfall"),
    ("case_need", "Ärenden: behov"),
    ("case_intervention", "Ärenden: insatser som getts"),
    ("case_phase", "Ärenden: var ärendena står"),
    ("case_outcome_housing", "Ärenden, senaste uppföljningen: boende"),
    ("case_outcome_occupation", "Ärenden, senaste uppföljningen: sysselsättning"),
    ("case_outcome_addiction", "Ärenden, senaste uppföljningen: missbruk"),
    ("case_outcome_contact_with_group", "Ärenden, senaste uppföljningen: kontakt med gruppen"),
    ("case_outcome_new_crime", "Ärenden, senaste uppföljningen: nya brott"),
)
"""The sections the page shows, in order, with their titles."""


def _rule(state: State) -> Rule:
    return Rule(threshold=state.settings.disclosure_threshold)


def _labels() -> dict[str, dict[str, str]]:
    interventions = labels_of(Intervention)
    return {
        "line_need": interventions,
        "line_outcome": labels_of(Outcome),
        "case_need": interventions,
        "case_intervention": interventions,
        "case_phase": labels_of(Phase),
        **{f"case_outcome_{question}": FOLLOW_UP_LABELS[question][1] for question in OUTCOME_QUESTIONS},
    }


class NeedsPage(Controller):
    """The page of a space's county figures."""

    path = "/natverk"
    include_in_schema = False

    @get("/{space_id:uuid}/behov", opt=PARTICIPATING)
    async def needs_page(self, state: State, acting: Acting, space_id: FromPath[UUID]) -> Template:
        """The county's figures from the guidance line and the cases, as charts with their tables."""
        actor = actor_of(acting)
        view = await space_view(acting.session, actor, space_id)
        figures = await county_needs(acting.session, actor, space_id, _rule(state), datetime.now(STOCKHOLM))
        counties = {choice.value: choice.label for choice in county_choices()}
        return Template(
            template_name="networks/needs.html",
            context={
                "view": view,
                "needs": figures,
                "county": counties.get(view.county_code or "", ""),
                "sections": SECTIONS,
                "labels": _labels(),
                "rule": _rule(state),
            },
        )


class FigureOut(msgspec.Struct):
    """One value's count; null where disclosure control hides it."""

    value: str
    count: int | None


class SectionOut(msgspec.Struct):
    """One table: its figures, its total where it has one, or withheld (too detailed to show at all)."""

    section: str
    withheld: bool
    figures: list[FigureOut]
    total: int | None


class NeedsOut(msgspec.Struct):
    """A county space's figures; `county_code` null and no sections for a space across counties or national."""

    county_code: str | None
    line_contacts: int | None
    """The guidance line's contacts of the last twelve weeks that concerned the county; null where hidden."""
    sections: list[SectionOut]
    rule: str
    """The disclosure rule, in Swedish."""


def _sections(figures: CountyNeeds) -> list[SectionOut]:
    out = []
    for section, _title in SECTIONS:
        if section not in figures.published.table.sections:
            continue
        total = figures.total(section)
        out.append(
            SectionOut(
                section,
                figures.withheld(section),
                [] if figures.withheld(section) else [FigureOut(f.value, f.count) for f in figures.figures(section)],
                None if total is None or figures.withheld(section) else total.count,
            )
        )
    return out


class NeedsApi(Controller):
    """A space's county figures as JSON."""

    path = "/api/v1/networks"
    tags = ["networks"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/{space_id:uuid}/needs", opt=PARTICIPATING, summary="Behov i länet")
    async def county_figures(self, state: State, acting: Acting, space_id: FromPath[UUID]) -> NeedsOut:
        """The county's figures from the guidance line and the follow-up statistics, small counts hidden."""
        rule = _rule(state)
        figures = await county_needs(acting.session, actor_of(acting), space_id, rule, datetime.now(STOCKHOLM))
        if figures is None:
            return NeedsOut(None, None, [], rule.statement)
        return NeedsOut(figures.county_code, figures.contacts, _sections(figures), rule.statement)


NEEDS_ROUTES: list[ControllerRouterHandler] = [NeedsPage, NeedsApi]
