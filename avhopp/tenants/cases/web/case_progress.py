"""The case's phases (a change with its reason; closing asks first) and its follow-ups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
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
    ALLOWED_PHASE_CHANGES,
    CLOSED_PHASES,
    CURRENT_SCHEMA,
    FOLLOW_UP_QUESTIONS,
    EndReason,
    FollowUpEntry,
    Phase,
    case_link,
    change_phase,
    colleague_names,
    follow_ups,
    gaps_of,
    phase_history,
    save_follow_up,
)
from avhopp.tenants.cases.web.case_tabs import PHASES, OpenedTab, open_tab
from avhopp.tenants.cases.web.common import KINDS, FormReader, actor_of, choices_of, values_of
from avhopp.tenants.cases.web.follow_up_form import question_choices, question_text, when

if TYPE_CHECKING:
    from avhopp.tenants.cases.models import FollowUp


async def _phases_page(
    acting: TenantScope,
    opened: OpenedTab,
    form: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    history = await phase_history(acting.session, actor_of(acting), opened.case_id)
    names = await colleague_names(acting.session, {change.changed_by for change in history if change.changed_by})
    current = Phase(opened.summary.access.case.phase)
    return opened.page(
        "cases/case/phases.html",
        {
            "history": history,
            "names": names,
            "next_phases": tuple(
                Choice(p.value, PHASES[p.value]) for p in Phase if p in ALLOWED_PHASE_CHANGES[current]
            ),
            "reasons": labels_of(EndReason),
            "reason_choices": choices_of(EndReason),
        },
        form=form,
        errors=errors,
    )


class CaseProgressPages(Controller):
    """Where the case stands and what has been followed up."""

    path = "/arenden/{case_id:uuid}"
    opt = {"permission": CASE_READ, "tenant_kinds": KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/skeden")
    async def phases(self, acting: Acting, case_id: FromPath[UUID]) -> Template:
        """The phase now, the form to change it, and the history of changes."""
        return await _phases_page(acting, await open_tab(acting, case_id, "skeden"))

    @post("/skeden", opt={"permission": CASE_WRITE})
    async def change(self, request: Request[Any, Any, Any], acting: Acting, case_id: FromPath[UUID]) -> Response[Any]:
        """Move the case on; closing it (completed or ended early) is confirmed first."""
        opened = await open_tab(acting, case_id, "skeden")
        if not opened.may_write:
            raise NotFoundError
        form = await request.form()
        reader = FormReader(form)
        to_phase = reader.required("phase", Phase, "Välj nästa skede.")
        reason = reader.choice("reason", EndReason)
        if not reader.problems and to_phase in CLOSED_PHASES and not reader.checked("confirmed"):
            return opened.page(
                "cases/case/confirm_close.html",
                {"to_phase": to_phase, "reason": reason, "reasons": labels_of(EndReason)},
            )
        try:
            await reader.save(
                acting.session, lambda: change_phase(acting.session, actor_of(acting), case_id, to_phase, reason)
            )
        except InvalidInputError as error:
            return await _phases_page(
                acting, await open_tab(acting, case_id, "skeden"), values_of(form), error.by_field()
            )
        return Redirect(f"{case_link(case_id)}/skeden")

    @get("/uppfoljning")
    async def follow_ups(self, acting: Acting, case_id: FromPath[UUID]) -> Template:
        """The schedule of follow-ups: which are done, and what each open one still lacks."""
        opened = await open_tab(acting, case_id, "uppfoljning")
        schedule = await follow_ups(acting.session, actor_of(acting), case_id)
        return opened.page(
            "cases/case/follow_ups.html",
            {
                "schedule": schedule,
                "when": {f.id: when(f.months_after) for f in schedule},
                "gaps": {f.id: gaps_of(f) for f in schedule},
                "question_count": len(CURRENT_SCHEMA.follow_up),
            },
        )

    @get("/uppfoljning/{follow_up_id:uuid}", opt={"permission": CASE_WRITE})
    async def follow_up(self, acting: Acting, case_id: FromPath[UUID], follow_up_id: FromPath[UUID]) -> Response[Any]:
        """The record of one follow-up: nothing chosen beforehand but a saved draft, and "Vet inte" is an answer."""
        opened, due = await _follow_up_of(acting, case_id, follow_up_id)
        if due.done_at is not None:
            return Redirect(f"{case_link(case_id)}/uppfoljning")
        return _follow_up_page(opened, due, _draft_of(due))

    @post("/uppfoljning/{follow_up_id:uuid}", opt={"permission": CASE_WRITE})
    async def record(
        self, request: Request[Any, Any, Any], acting: Acting, case_id: FromPath[UUID], follow_up_id: FromPath[UUID]
    ) -> Response[Any]:
        """Save the follow-up as a draft, or close it (which needs every answer, "Vet inte" included)."""
        opened, due = await _follow_up_of(acting, case_id, follow_up_id)
        form = await request.form()
        reader = FormReader(form)
        answers = {code: reader.text(code) for code in FOLLOW_UP_QUESTIONS if reader.text(code)}
        entry = FollowUpEntry(answers=answers, held_on=reader.day("held_on"), close=reader.text("action") == "close")
        try:
            await reader.save(
                acting.session,
                lambda: save_follow_up(acting.session, actor_of(acting), due.id, entry),
                lambda field: field.removeprefix(ANSWER),
            )
        except InvalidInputError as error:
            opened, due = await _follow_up_of(acting, case_id, follow_up_id)
            return _follow_up_page(opened, due, values_of(form), error.by_field())
        if entry.close:
            return Redirect(f"{case_link(case_id)}/uppfoljning")
        return Redirect(f"{case_link(case_id)}/uppfoljning/{follow_up_id}")


ANSWER = "answers."
"""How the service names an answer's field (`answers.housing`); the form names it by the question alone."""


def _draft_of(due: FollowUp) -> dict[str, list[str]]:
    form = {code: [answer] for code, answer in (due.answers or {}).items()}
    if due.held_on is not None:
        form["held_on"] = [due.held_on.isoformat()]
    return form


async def _follow_up_of(acting: TenantScope, case_id: UUID, follow_up_id: UUID) -> tuple[OpenedTab, FollowUp]:
    opened = await open_tab(acting, case_id, "uppfoljning")
    if not opened.may_write:
        raise NotFoundError
    for due in await follow_ups(acting.session, actor_of(acting), case_id):
        if due.id == follow_up_id:
            return opened, due
    raise NotFoundError


def _follow_up_page(
    opened: OpenedTab, due: FollowUp, form: dict[str, list[str]], errors: dict[str, str] | None = None
) -> Template:
    return opened.page(
        "cases/case/follow_up.html",
        {
            "due": due,
            "when": when(due.months_after),
            "questions": question_choices(CURRENT_SCHEMA.follow_up, ""),
            "gaps": [question_text(code) for code in gaps_of(due)],
        },
        form=form,
        errors=errors,
    )
