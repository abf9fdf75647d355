"""The officer's workspace: my cases, due follow-ups, new referrals; opening a case; cases shared with us."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.platform.labels import labels_of
from avhopp.platform.problems import InvalidInputError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.permissions import CASE_READ, CASE_WRITE, RECEIVE
from avhopp.tenants.cases.service import (
    UNANSWERED,
    ContactSource,
    Intervention,
    NewCase,
    Phase,
    TargetGroup,
    TeamRole,
    case_link,
    case_officers,
    join_shared_case,
    my_cases,
    open_case,
    referral_inbox,
    shared_with_tenant,
)
from avhopp.tenants.cases.web.common import KINDS, FormReader, actor_of, choices_of, may, secret_key, values_of
from avhopp.tenants.cases.web.person_form import (
    form_field,
    intake_from,
    person_choices,
    person_from,
    situation_from,
)

DUE_SOON = timedelta(days=14)
"""Follow-ups due within this are shown on the workspace (the reminder goes out as early)."""
PHASES = labels_of(Phase)
ROLES = labels_of(TeamRole)


async def _new_case_page(
    acting: TenantScope, form: dict[str, list[str]] | None = None, errors: dict[str, str] | None = None
) -> Template:
    colleagues = [c for c in await case_officers(acting.session, actor_of(acting)) if c.user_id != acting.user_id]
    return Template(
        template_name="cases/new_case.html",
        context={
            "form": form or {},
            "errors": errors or {},
            "contact_sources": choices_of(ContactSource),
            **person_choices(colleagues),
        },
        status_code=400 if errors else 200,
    )


class CaseWorkspace(Controller):
    """A case officer's own cases and what is due; a new case; cases other organisations share with ours."""

    path = "/arenden"
    opt = {"permission": CASE_READ, "tenant_kinds": KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def workspace(self, acting: Acting) -> Template:
        """Mina ärenden (number, initials, phase, next follow-up), the follow-ups due, new referrals."""
        cases = await my_cases(acting.session, actor_of(acting))
        today = swedish_date()
        due = sorted(
            (line for line in cases if line.next_follow_up is not None and line.next_follow_up <= today + DUE_SOON),
            key=lambda line: (line.next_follow_up, line.number),
        )
        referrals = None
        if may(acting, RECEIVE):
            inbox = await referral_inbox(acting.session, actor_of(acting))
            referrals = [view for view in inbox if view.referral.status in UNANSWERED]
        return Template(
            template_name="cases/workspace.html",
            context={
                "cases": cases,
                "due": due,
                "today": today,
                "referrals": referrals,
                "phases": PHASES,
                "roles": ROLES,
                "may_open": may(acting, CASE_WRITE),
            },
        )

    @get("/nytt", opt={"permission": CASE_WRITE})
    async def new_case(self, acting: Acting) -> Template:
        """The form to open a case: who made contact, the person, the intake, the deputy."""
        return await _new_case_page(acting)

    @post("/nytt", opt={"permission": CASE_WRITE})
    async def open_new_case(self, request: Request[Any, Any, Any], state: State, acting: Acting) -> Response[Any]:
        """Open the case as a draft with the officer responsible; its page is next."""
        form = await request.form()
        reader = FormReader(form)
        new = NewCase(
            contact_source=reader.required("contact_source", ContactSource, "Välj vem som tog kontakten."),
            person=person_from(reader),
            intake=intake_from(reader),
            affiliation=reader.choice("affiliation", TargetGroup),
            needs=reader.choices("needs", Intervention),
            situation=situation_from(reader),
            deputy_id=reader.ident("deputy_id"),
        )
        try:
            case_id = await reader.save(
                acting.session, lambda: open_case(acting.session, secret_key(state), actor_of(acting), new), form_field
            )
        except InvalidInputError as error:
            return await _new_case_page(acting, values_of(form), error.by_field())
        return Redirect(case_link(case_id))

    @get("/delade")
    async def shared(self, acting: Acting) -> Template:
        """Cases other organisations share with ours under a running consent; join one to work on it."""
        lines = await shared_with_tenant(acting.session, actor_of(acting))
        return Template(
            template_name="cases/shared.html",
            context={"cases": lines, "phases": PHASES, "may_join": may(acting, CASE_WRITE)},
        )

    @post("/delade/{case_id:uuid}", opt={"permission": CASE_WRITE})
    async def join(self, acting: Acting, case_id: FromPath[UUID]) -> Redirect:
        """Join a shared case's team for our organisation; its page shows what the consent lets us see."""
        await join_shared_case(acting.session, actor_of(acting), case_id)
        return Redirect(case_link(case_id))
