"""The unit head's overview of the organisation's cases.

Every case without identities, who works on it and its late follow-ups; assigning the team; and
opening a case in an emergency, with a reason, after a confirmation.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.platform.labels import labels_of
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.times import swedish_date
from avhopp.platform.web.forms import Choice
from avhopp.tenants.cases.permissions import OVERSEE
from avhopp.tenants.cases.service import (
    OverviewLine,
    Phase,
    assign_team,
    case_link,
    case_officers,
    colleague_names,
    open_in_emergency,
    overview,
    unit_completeness,
)
from avhopp.tenants.cases.web.common import KINDS, FormReader, actor_of, values_of

OVERVIEW = "/arenden/oversikt"


async def _line_of(acting: TenantScope, case_id: UUID) -> OverviewLine:
    lines = await overview(acting.session, acting.tenant_id, swedish_date(), only=case_id)
    if not lines:
        raise NotFoundError
    return lines[0]


async def _team_page(
    acting: TenantScope, case_id: UUID, form: dict[str, list[str]] | None = None, errors: dict[str, str] | None = None
) -> Template:
    line = await _line_of(acting, case_id)
    officers = await case_officers(acting.session, actor_of(acting))
    if form is None:
        form = {
            "responsible": [str(line.responsible) if line.responsible else ""],
            "deputies": [str(deputy) for deputy in line.deputies],
        }
    return Template(
        template_name="cases/oversight/team.html",
        context={
            "line": line,
            "officers": tuple(Choice(str(officer.user_id), officer.name) for officer in officers),
            "form": form,
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


async def _emergency_page(
    acting: TenantScope, case_id: UUID, form: dict[str, list[str]] | None = None, errors: dict[str, str] | None = None
) -> Template:
    line = await _line_of(acting, case_id)
    return Template(
        template_name="cases/oversight/emergency.html",
        context={"line": line, "form": form or {}, "errors": errors or {}},
        status_code=400 if errors else 200,
    )


class CaseOversight(Controller):
    """The unit head sees the tenant's cases without identities, assigns teams, opens a case in an emergency."""

    path = OVERVIEW
    opt = {"permission": OVERSEE, "tenant_kinds": KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def cases(self, acting: Acting) -> Template:
        """Every case of the organisation: number, phase, team, next and late follow-ups."""
        today = swedish_date()
        lines = await overview(acting.session, acting.tenant_id, today)
        people = {line.responsible for line in lines if line.responsible} | {d for line in lines for d in line.deputies}
        return Template(
            template_name="cases/oversight/overview.html",
            context={
                "lines": lines,
                "names": await colleague_names(acting.session, people),
                "phases": labels_of(Phase),
                "late": sum(line.late_follow_ups for line in lines),
                "completeness": await unit_completeness(acting.session, acting.tenant_id, today),
                "today": today,
            },
        )

    @get("/{case_id:uuid}/team")
    async def team(self, acting: Acting, case_id: FromPath[UUID]) -> Template:
        """The form to name the case's responsible officer and deputies."""
        return await _team_page(acting, case_id)

    @post("/{case_id:uuid}/team")
    async def assign(self, request: Request[Any, Any, Any], acting: Acting, case_id: FromPath[UUID]) -> Response[Any]:
        """Name the team; the organisation's others leave it, and newcomers are told."""
        await _line_of(acting, case_id)
        form = await request.form()
        reader = FormReader(form)
        responsible = reader.required_ident("responsible", "Välj ansvarig handläggare.")
        deputies = list(reader.idents("deputies"))
        try:
            await reader.save(
                acting.session, lambda: assign_team(acting.session, actor_of(acting), case_id, responsible, deputies)
            )
        except InvalidInputError as error:
            return await _team_page(acting, case_id, values_of(form), error.by_field())
        return Redirect(OVERVIEW)

    @get("/{case_id:uuid}/nodlage")
    async def emergency(self, acting: Acting, case_id: FromPath[UUID]) -> Template:
        """Ask first, and for a reason: an emergency opening is logged and the team is told."""
        return await _emergency_page(acting, case_id)

    @post("/{case_id:uuid}/nodlage")
    async def open_emergency(
        self, request: Request[Any, Any, Any], acting: Acting, case_id: FromPath[UUID]
    ) -> Response[Any]:
        """Open the case for a few hours, outside its team."""
        await _line_of(acting, case_id)
        form = await request.form()
        reason = FormReader(form).text("reason")
        try:
            async with acting.session.begin_nested():
                await open_in_emergency(acting.session, actor_of(acting), case_id, reason)
        except InvalidInputError as error:
            return await _emergency_page(acting, case_id, values_of(form), error.by_field())
        return Redirect(case_link(case_id))
