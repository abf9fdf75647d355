"""The national follow-up figures as a page with charts and tables, and as CSV and Excel files (audited).

The national analyst sees every organisation's figures summed; a case-keeping organisation's unit
head sees the national figures and, beside them, their own organisation's. Both go through the
platform's disclosure control under the same rule (`avhopp.tenants.cases.figures`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.response import Template

from avhopp.directory.catalogue.service import Intervention
from avhopp.platform.disclosure import Rule
from avhopp.platform.disclosure.exports import (
    CSV_TYPE,
    XLSX_TYPE,
    Metadata,
    Sheet,
    csv_bytes,
    record_export,
    xlsx_bytes,
)
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.heavy import off_loop
from avhopp.platform.labels import labels_of
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.times import STOCKHOLM, swedish_time
from avhopp.platform.web.forms import county_choices
from avhopp.platform.web.observe import request_id_of
from avhopp.tenants.cases.figures import OUTCOME_SECTIONS, OUTCOMES, SECTIONS, Overview, gather, overview_of
from avhopp.tenants.cases.permissions import CASE_KINDS, FIGURES, FIGURES_KINDS
from avhopp.tenants.cases.web.follow_up_form import QUESTIONS

if TYPE_CHECKING:
    from collections.abc import Callable

    from litestar.types import ControllerRouterHandler

PATH = "/statistik/uppfoljning"
TITLES = {
    "started": "Påbörjade ärenden per år och typ av organisation",
    "county": "Påbörjade ärenden per län",
    "need": "Behov vid inskrivning",
    "intervention": "Insatser som personerna fått",
    **{
        section: f"Uppföljning: {QUESTIONS[question.code][0]}"
        for question, section in zip(OUTCOMES, OUTCOME_SECTIONS, strict=True)
    },
    "completeness": "Uppföljningar gjorda i tid per kommun",
    "survival": "Tid till första kända nya brott",
}
DEFINITIONS = (
    ("Ärende", "Ett ärende som påbörjats i en kommun, en avhopparverksamhet eller en annan myndighet."),
    ("År", "Året ärendet påbörjades."),
    ("Behov och insatser", "Ett ärende kan ha flera behov och flera insatser, så de har ingen summa."),
    ("Uppföljning", "Svaren vid varje uppföljningspunkt (månader efter start); Vet inte räknas som ett eget svar."),
    ("I tid", "Uppföljningen gjordes senast två veckor efter att den skulle göras."),
    ("Missad", "Uppföljningen är inte gjord fast dess månad och två veckor har gått."),
    (
        "Tid till nytt brott",
        (
            "Kaplan–Meier-skattning av andelen utan känt nytt brott (misstänkt eller dömd) vid varje "
            "uppföljningspunkt; den som senast rapporterades utan känt brott räknas som censurerad där."
        ),
    ),
    ("Konfidensintervall", "95 % Wilson-intervall för andelar."),
)
_KINDS = {"municipality": "Kommun", "operation": "Avhopparverksamhet", "other_authority": "Annan myndighet"}
_COMPLETENESS = {"on_time": "I tid", "late": "Sent", "missed": "Missad"}
_SURVIVAL = {"event": "Första kända nya brott", "censored": "Utan känt nytt brott (censurerad)"}
_FILE_FORMATS = {"csv": (CSV_TYPE, csv_bytes), "xlsx": (XLSX_TYPE, xlsx_bytes)}


def labels() -> dict[str, str]:
    """Every code the figures name, as Swedish labels."""
    found = dict(_KINDS) | _COMPLETENESS | _SURVIVAL | labels_of(Intervention)
    for _, answers in QUESTIONS.values():
        found |= answers
    found |= {choice.value: choice.label for choice in county_choices()}
    found |= {m.code: m.name for m in shipped_geography().municipalities}
    return found | {"": "Okänt"}


MONTH_SECTIONS = frozenset({*OUTCOME_SECTIONS, "survival"})
"""Sections whose rows are follow-up points, in months after the start."""


def namer(known: dict[str, str], section: str) -> Callable[[str], str]:
    """How a section's values are named: follow-up points as months, everything else by its label."""
    if section in MONTH_SECTIONS:
        return lambda value: f"{value} mån" if value.isdigit() else known.get(value, value)
    return lambda value: known.get(value, value) or "–"


@dataclass(frozen=True, slots=True)
class Part:
    """One set of figures on the page: the country's, or the organisation's own."""

    key: str
    heading: str
    overview: Overview


async def parts_of(acting: TenantScope, rule: Rule, now: datetime) -> list[Part]:
    """The national figures, and an organisation's own beside them when it keeps cases."""
    today = now.astimezone(STOCKHOLM).date()
    parts = [Part("national", "Hela landet", overview_of(await gather(acting.session, today), rule))]
    if acting.principal.tenant_kind in CASE_KINDS:
        own = await gather(acting.session, today, acting.tenant_id)
        parts.append(Part("own", "Er organisation", overview_of(own, rule)))
    return parts


def rule_of(state: State) -> Rule:
    """The platform's disclosure rule as configured."""
    return Rule(threshold=state.settings.disclosure_threshold)


@get(PATH, opt={"permission": FIGURES, "tenant_kinds": FIGURES_KINDS}, include_in_schema=False)
async def figures_page(acting: Acting, state: State) -> Template:
    """The national follow-up figures as charts with tables; an organisation's own beside the country's."""
    now = datetime.now(UTC)
    parts = await parts_of(acting, rule_of(state), now)
    return Template(
        template_name="cases/figures.html",
        context={
            "parts": parts,
            "labels": labels(),
            "month_sections": MONTH_SECTIONS,
            "titles": TITLES,
            "sections": SECTIONS,
            "outcome_sections": OUTCOME_SECTIONS,
            "rule": parts[0].overview.published.rule,
            "extracted": swedish_time(now),
        },
    )


def sheets_of(parts: list[Part]) -> list[Sheet]:
    """Every section of every part as a sheet."""
    known = labels()
    return [
        Sheet.of(
            part.overview.published,
            section,
            f"{part.heading}: {TITLES[section]}",
            namer(known, section),
        )
        for part in parts
        for section in SECTIONS
    ]


async def _export(
    request: Request[Any, Any, Any], acting: TenantScope, state: State, file_format: str
) -> Response[bytes]:
    now = datetime.now(UTC)
    parts = await parts_of(acting, rule_of(state), now)
    metadata = Metadata(
        "Nationell uppföljning",
        f"Alla år till och med {swedish_time(now, '%Y-%m-%d')}",
        DEFINITIONS,
        parts[0].overview.published.rule,
        now,
    )
    media_type, write = _FILE_FORMATS[file_format]
    await record_export(
        acting.session,
        tenant_id=acting.tenant_id,
        actor_user_id=acting.user_id,
        statistic="follow_up_statistics",
        file_format=file_format,
        request_id=request_id_of(request.scope) or None,
    )
    name = f"nationell-uppfoljning-{swedish_time(now, '%Y-%m-%d')}.{file_format}"
    return Response(
        await off_loop(write, metadata, sheets_of(parts)),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@get(f"{PATH}/csv", opt={"permission": FIGURES, "tenant_kinds": FIGURES_KINDS}, include_in_schema=False)
async def figures_csv(request: Request[Any, Any, Any], acting: Acting, state: State) -> Response[bytes]:
    """The page's figures as a CSV file, after its metadata; the export is audited."""
    return await _export(request, acting, state, "csv")


@get(f"{PATH}/xlsx", opt={"permission": FIGURES, "tenant_kinds": FIGURES_KINDS}, include_in_schema=False)
async def figures_xlsx(request: Request[Any, Any, Any], acting: Acting, state: State) -> Response[bytes]:
    """The page's figures as an Excel file with a metadata sheet; the export is audited."""
    return await _export(request, acting, state, "xlsx")


FIGURES_ROUTES: list[ControllerRouterHandler] = [figures_page, figures_csv, figures_xlsx]
