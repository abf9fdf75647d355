"""The case's overview, its person (each opening audited), and the intake of a draft."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from avhopp.platform.labels import labels_of
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.tenants.cases.permissions import CASE_READ, CASE_WRITE
from avhopp.tenants.cases.service import (
    Category,
    ContactSource,
    IntakeUpdate,
    Intervention,
    Phase,
    ProtectedIdentity,
    TargetGroup,
    TeamRole,
    case_link,
    case_officers,
    case_team,
    complete_intake,
    open_person,
    threat_assessments,
)
from avhopp.tenants.cases.web.case_tabs import OpenedTab, open_tab
from avhopp.tenants.cases.web.common import KINDS, FormReader, actor_of, secret_key, values_of
from avhopp.tenants.cases.web.person_form import (
    filled_from,
    form_field,
    intake_from,
    person_choices,
    person_from,
    situation_from,
)

LABELS = {
    "contact_sources": labels_of(ContactSource),
    "affiliations": labels_of(TargetGroup),
    "interventions": labels_of(Intervention),
    "roles": labels_of(TeamRole),
    "protections": labels_of(ProtectedIdentity),
}


async def _intake_page(
    acting: TenantScope, opened: OpenedTab, form: dict[str, list[str]], errors: dict[str, str] | None = None
) -> Template:
    colleagues = await case_officers(acting.session, actor_of(acting))
    responsible = {
        place.user_id
        for place in await case_team(acting.session, actor_of(acting), opened.case_id)
        if place.role == TeamRole.RESPONSIBLE
    }
    return opened.page(
        "cases/case/intake.html",
        person_choices([colleague for colleague in colleagues if colleague.user_id not in responsible]),
        form=form,
        errors=errors,
    )


async def _open_draft(acting: TenantScope, case_id: UUID) -> OpenedTab:
    opened = await open_tab(acting, case_id, "oversikt")
    if not opened.may_write:
        raise NotFoundError
    return opened


class CasePersonPages(Controller):
    """The case page's overview and person; the intake of a draft for the team's officers."""

    path = "/arenden/{case_id:uuid}"
    opt = {"permission": CASE_READ, "tenant_kinds": KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def overview(self, acting: Acting, case_id: FromPath[UUID]) -> Template:
        """What the case is and who works on it; no identity."""
        opened = await open_tab(acting, case_id, "oversikt")
        access = opened.summary.access
        team = await case_team(acting.session, actor_of(acting), case_id)
        police_lead = False
        if access.may_see(Category.THREAT_ASSESSMENT):
            recorded = [a for a in await threat_assessments(acting.session, actor_of(acting), case_id) if a.recorded_at]
            police_lead = bool(recorded and recorded[0].police_lead)
        return opened.page(
            "cases/case/overview.html",
            {"team": team, "police_lead": police_lead, "draft": access.case.phase == Phase.DRAFT, **LABELS},
        )

    @get("/person")
    async def person(
        self,
        state: State,
        acting: Acting,
        case_id: FromPath[UUID],
        show: Annotated[bool, QueryParameter(name="visa")] = False,  # noqa: FBT002 - a query parameter
    ) -> Template:
        """Who the person is: shown only when asked for, and every showing is logged."""
        opened = await open_tab(acting, case_id, "person")
        person = None
        if show:
            person = await open_person(acting.session, secret_key(state), actor_of(acting), opened.summary.access)
        return opened.page("cases/case/person.html", {"person": person, **LABELS})

    @get("/bedomning", opt={"permission": CASE_WRITE})
    async def intake(self, state: State, acting: Acting, case_id: FromPath[UUID]) -> Response[Any]:
        """The intake of a draft, filled in with what the case holds (reading it is logged)."""
        opened = await _open_draft(acting, case_id)
        if opened.summary.access.case.phase != Phase.DRAFT:
            return Redirect(case_link(case_id))
        person = await open_person(acting.session, secret_key(state), actor_of(acting), opened.summary.access)
        deputies = [
            place.user_id
            for place in await case_team(acting.session, actor_of(acting), case_id)
            if place.role == TeamRole.DEPUTY
        ]
        deputy = str(deputies[0]) if deputies else ""
        return await _intake_page(acting, opened, filled_from(person, opened.summary.access, deputy))

    @post("/bedomning", opt={"permission": CASE_WRITE})
    async def record_intake(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, case_id: FromPath[UUID]
    ) -> Response[Any]:
        """Save the intake; the case stays a draft until its phase is changed."""
        await _open_draft(acting, case_id)
        form = await request.form()
        reader = FormReader(form)
        update = IntakeUpdate(
            person=person_from(reader),
            intake=intake_from(reader),
            affiliation=reader.choice("affiliation", TargetGroup),
            needs=reader.choices("needs", Intervention),
            situation=situation_from(reader),
            deputy_id=reader.ident("deputy_id"),
        )
        try:
            await reader.save(
                acting.session,
                lambda: complete_intake(acting.session, secret_key(state), actor_of(acting), case_id, update),
                form_field,
            )
        except InvalidInputError as error:
            return await _intake_page(acting, await _open_draft(acting, case_id), values_of(form), error.by_field())
        return Redirect(case_link(case_id))
