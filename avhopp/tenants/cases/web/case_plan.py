"""The case's threat assessments (asked of the police) and its action plan (meetings and interventions)."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.platform.labels import labels_of
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.web.forms import Choice
from avhopp.tenants.cases.permissions import CASE_READ, CASE_WRITE
from avhopp.tenants.cases.service import (
    Category,
    Intervention,
    InterventionInput,
    InterventionStatus,
    MeetingInput,
    ThreatLevel,
    ThreatScope,
    action_plan,
    case_link,
    consents_of_case,
    organisation_names,
    record_meeting,
    request_threat_assessment,
    threat_assessments,
    update_intervention,
)
from avhopp.tenants.cases.web.case_tabs import OpenedTab, open_tab
from avhopp.tenants.cases.web.common import KINDS, FormReader, actor_of, choices_of, values_of
from avhopp.tenants.cases.web.places import area_names

ROWS, MAX_ROWS = 3, 20
"""Rows for interventions the meeting's form offers at first, and at most."""
_ROW = re.compile(r"^interventions\[(\d+)\]")
THREAT_LABELS = {"levels": labels_of(ThreatLevel), "scopes": labels_of(ThreatScope)}


async def _sharing(acting: TenantScope, opened: OpenedTab, category: Category, *, contributing: bool) -> list[UUID]:
    """The organisations a running consent shares `category` with (and lets contribute, if asked)."""
    if not opened.may_write:
        return []
    organisations: dict[UUID, None] = {}
    for view in await consents_of_case(acting.session, actor_of(acting), opened.case_id):
        if view.running and category in view.consent.categories:
            for organisation in view.consent.contributors if contributing else view.consent.organisations:
                organisations[organisation] = None
    return list(organisations)


async def _threat_page(
    acting: TenantScope,
    opened: OpenedTab,
    form: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    assessments = await threat_assessments(acting.session, actor_of(acting), opened.case_id)
    police = await _sharing(acting, opened, Category.THREAT_ASSESSMENT, contributing=True)
    names = await organisation_names(acting.session, {a.police_tenant_id for a in assessments} | set(police))
    return opened.page(
        "cases/case/threat.html",
        {
            "assessments": assessments,
            "names": names,
            "police_choices": tuple(Choice(str(p), names.get(p, "")) for p in police),
            "areas": area_names(),
            **THREAT_LABELS,
        },
        form=form,
        errors=errors,
    )


async def _plan_page(
    acting: TenantScope,
    opened: OpenedTab,
    form: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    rows: int = ROWS,
) -> Template:
    meetings, interventions = await action_plan(acting.session, actor_of(acting), opened.case_id)
    sharing = await _sharing(acting, opened, Category.ACTION_PLAN, contributing=False)
    planners = [acting.tenant_id, *sharing] if opened.may_write else []
    names = await organisation_names(
        acting.session,
        {o for m in meetings for o in m.organisations}
        | {i.responsible_tenant_id for i in interventions}
        | set(planners),
    )
    return opened.page(
        "cases/case/plan.html",
        {
            "meetings": meetings,
            "interventions": interventions,
            "names": names,
            "own_tenant": acting.tenant_id,
            "planners": tuple(Choice(str(o), names.get(o, "")) for o in planners),
            "intervention_choices": choices_of(Intervention),
            "intervention_labels": labels_of(Intervention),
            "statuses": labels_of(InterventionStatus),
            "status_choices": choices_of(InterventionStatus),
            "rows": rows,
        },
        form=form,
        errors=errors,
    )


def _meeting_from(reader: FormReader, rows: int) -> tuple[MeetingInput, list[int]]:
    """The meeting and its interventions; blank rows are left out, and the rows used are returned."""
    items: list[InterventionInput] = []
    used: list[int] = []
    for row in range(rows):
        prefix = f"interventions[{row}]"
        fields = ("intervention", "responsible_tenant_id", "starts_on", "planned_end_on")
        if not any(reader.text(f"{prefix}.{name}") for name in fields):
            continue
        items.append(
            InterventionInput(
                intervention=reader.required(f"{prefix}.intervention", Intervention, "Välj insats."),
                responsible_tenant_id=reader.required_ident(
                    f"{prefix}.responsible_tenant_id", "Välj vem som ansvarar för insatsen."
                ),
                starts_on=reader.required_day(f"{prefix}.starts_on", "Skriv när insatsen börjar."),
                planned_end_on=reader.day(f"{prefix}.planned_end_on"),
            )
        )
        used.append(row)
    meeting = MeetingInput(
        held_on=reader.required_day("held_on", "Skriv när mötet hölls."),
        person_took_part=reader.checked("person_took_part"),
        organisations=reader.idents("organisations"),
        interventions=tuple(items),
    )
    return meeting, used


def _on_form_row(field: str, used: list[int]) -> str:
    """The service numbers the interventions it was given; the form numbers its rows, blank ones too."""
    return _ROW.sub(lambda match: f"interventions[{used[int(match.group(1))]}]", field)


def _rows_of(reader: FormReader) -> int:
    try:
        return min(max(int(reader.text("rows")), 1), MAX_ROWS)
    except ValueError:
        return ROWS


class CasePlanPages(Controller):
    """Threat assessments and the action plan: the owner asks and plans, each organisation updates its own."""

    path = "/arenden/{case_id:uuid}"
    opt = {"permission": CASE_READ, "tenant_kinds": KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/hotbedomning")
    async def threats(self, acting: Acting, case_id: FromPath[UUID]) -> Template:
        """The police's assessments of the case, newest first, and the form to ask for one."""
        return await _threat_page(acting, await open_tab(acting, case_id, "hotbedomning"))

    @post("/hotbedomning", opt={"permission": CASE_WRITE})
    async def request_threat(
        self, request: Request[Any, Any, Any], acting: Acting, case_id: FromPath[UUID]
    ) -> Response[Any]:
        """Ask a police region that the consent covers for an assessment."""
        opened = await open_tab(acting, case_id, "hotbedomning")
        if not opened.may_write:
            raise NotFoundError
        form = await request.form()
        reader = FormReader(form)
        police = reader.required_ident("police_id", "Välj vilken polisregion som ska göra bedömningen.")
        try:
            await reader.save(
                acting.session, lambda: request_threat_assessment(acting.session, actor_of(acting), case_id, police)
            )
        except InvalidInputError as error:
            return await _threat_page(
                acting, await open_tab(acting, case_id, "hotbedomning"), values_of(form), error.by_field()
            )
        return Redirect(f"{case_link(case_id)}/hotbedomning")

    @get("/handlingsplan")
    async def plan(self, acting: Acting, case_id: FromPath[UUID]) -> Template:
        """The cooperation meetings and the interventions agreed, with their status."""
        return await _plan_page(acting, await open_tab(acting, case_id, "handlingsplan"))

    @post("/handlingsplan", opt={"permission": CASE_WRITE})
    async def record_plan(
        self, request: Request[Any, Any, Any], acting: Acting, case_id: FromPath[UUID]
    ) -> Response[Any]:
        """Record a cooperation meeting and the interventions it agreed ("Fler rader" adds a row, saving nothing)."""
        opened = await open_tab(acting, case_id, "handlingsplan")
        if not opened.may_write:
            raise NotFoundError
        form = await request.form()
        reader = FormReader(form)
        rows = _rows_of(reader)
        if reader.checked("more_rows"):
            return await _plan_page(acting, opened, values_of(form), rows=min(rows + 1, MAX_ROWS))
        meeting, used = _meeting_from(reader, rows)
        try:
            await reader.save(
                acting.session,
                lambda: record_meeting(acting.session, actor_of(acting), case_id, meeting),
                field_of=lambda field: _on_form_row(field, used),
            )
        except InvalidInputError as error:
            again = await open_tab(acting, case_id, "handlingsplan")
            return await _plan_page(acting, again, values_of(form), error.by_field(), rows=rows)
        return Redirect(f"{case_link(case_id)}/handlingsplan")

    @post("/handlingsplan/insatser/{intervention_id:uuid}", opt={"permission": CASE_WRITE})
    async def update_status(
        self, request: Request[Any, Any, Any], acting: Acting, case_id: FromPath[UUID], intervention_id: FromPath[UUID]
    ) -> Response[Any]:
        """The owner's team, or the organisation responsible for it, sets where an intervention stands."""
        opened = await open_tab(acting, case_id, "handlingsplan")
        _meetings, interventions = await action_plan(acting.session, actor_of(acting), case_id)
        if not opened.may_contribute or intervention_id not in {item.id for item in interventions}:
            raise NotFoundError
        form = await request.form()
        reader = FormReader(form)
        status = reader.required("status", InterventionStatus, "Välj var insatsen står.")
        try:
            await reader.save(
                acting.session, lambda: update_intervention(acting.session, actor_of(acting), intervention_id, status)
            )
        except InvalidInputError as error:
            return await _plan_page(acting, await open_tab(acting, case_id, "handlingsplan"), errors=error.by_field())
        return Redirect(f"{case_link(case_id)}/handlingsplan")
