"""The networks' pages: my networks (and meetings I am a guest of), a space, a meeting.

The coordinator's workspace is the same pages with the coordinator's forms: open a space, invite
organisations, plan meetings, invite guests. A member organisation names its representatives and
may leave. Refused input shows the page again with a Swedish message on each field; nothing is saved.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.platform.labels import labels_of
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.networks.permissions import NETWORK_ADMINISTER, NETWORK_PARTICIPATE
from avhopp.tenants.networks.service import (
    AgendaPoint,
    Invitation,
    MeetingInput,
    MinutesStatus,
    NetworkRole,
    OutcomeInput,
    OutcomeKind,
    SpaceScope,
    advance_minutes,
    answer,
    documents_of,
    draft_minutes,
    end_membership,
    guest_meetings,
    invite_guest,
    invite_member,
    mark_done,
    meeting_link,
    meeting_view,
    meetings_of,
    minutes_of,
    name_representatives,
    open_space,
    organisations,
    overview,
    plan_meeting,
    representative_candidates,
    space_view,
)
from avhopp.tenants.networks.web.common import COORDINATING, MEETING_GOERS, actor_of, needs

if TYPE_CHECKING:
    from litestar.datastructures import FormMultiDict

PARTICIPATING = needs(NETWORK_PARTICIPATE)
AGENDA_ROWS = 5
OUTCOME_ROWS = 3
"""Decisions and action items the minutes form offers; the API takes up to 50."""
"""Agenda rows the meeting form offers; the API takes up to 50."""
ROLES = labels_of(NetworkRole)
STATUSES = labels_of(MinutesStatus)
KINDS = labels_of(OutcomeKind)
SCOPES = labels_of(SpaceScope)


def form_text(form: FormMultiDict, name: str) -> str:
    """A form field's text; empty when missing or a file."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def form_values(form: FormMultiDict) -> dict[str, str]:
    """Every field's text, to show the form again as it was sent."""
    return {name: form_text(form, name) for name in form}


def _ident(form: FormMultiDict, name: str, problems: list[FieldProblem], *, required: bool = True) -> UUID | None:
    value = form_text(form, name).strip()
    if not value:
        if required:
            problems.append(FieldProblem(name, "Välj ett alternativ i listan."))
        return None
    try:
        return UUID(value)
    except ValueError:
        problems.append(FieldProblem(name, "Välj ett alternativ i listan."))
        return None


def _choice(
    form: FormMultiDict, name: str, values: type[NetworkRole | SpaceScope], problems: list[FieldProblem]
) -> Any:  # noqa: ANN401 - one of the vocabularies
    try:
        return values(form_text(form, name))
    except ValueError:
        problems.append(FieldProblem(name, "Välj ett alternativ i listan."))
        return None


def _moment(day: date | None, form: FormMultiDict, name: str, problems: list[FieldProblem]) -> datetime | None:
    try:
        clock = time.fromisoformat(form_text(form, name))
    except ValueError:
        problems.append(FieldProblem(name, "Ange en tid, TT:MM."))
        return None
    return None if day is None else datetime.combine(day, clock, tzinfo=STOCKHOLM)


async def _organisation_options(acting: TenantScope) -> list[tuple[UUID, str]]:
    return [(organisation.tenant_id, organisation.name) for organisation in await organisations(acting.session)]


async def _owned(acting: TenantScope, space_id: UUID) -> None:
    """A space the acting organisation runs, or "not found" (before a form's own refusals are shown)."""
    if not (await space_view(acting.session, actor_of(acting), space_id)).line.owner:
        raise NotFoundError


def _is_coordinator(acting: TenantScope) -> bool:
    return NETWORK_ADMINISTER in acting.principal.permissions


async def _home(
    acting: TenantScope, form: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> Template:
    actor = actor_of(acting)
    seen = (
        await overview(acting.session, actor, datetime.now(STOCKHOLM))
        if NETWORK_PARTICIPATE in acting.principal.permissions
        else None
    )
    return Template(
        template_name="networks/home.html",
        context={
            "overview": seen,
            "spaces": [] if seen is None else [summary.line for summary in seen.spaces],
            "guest_meetings": await guest_meetings(acting.session, actor),
            "coordinator": _is_coordinator(acting) and acting.principal.tenant_kind == "county_board",
            "scopes": SCOPES,
            "form": form or {},
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


async def space_page(
    acting: TenantScope, space_id: UUID, form: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> Template:
    """The space's page, with a form shown again and its errors when given."""
    actor = actor_of(acting)
    view = await space_view(acting.session, actor, space_id)
    return Template(
        template_name="networks/space.html",
        context={
            "view": view,
            "meetings": await meetings_of(acting.session, actor, space_id),
            "documents": await documents_of(acting.session, actor, space_id),
            "roles": ROLES,
            "scopes": SCOPES,
            "organisations": await _organisation_options(acting) if view.line.owner else [],
            "member_options": [(member.member_id, member.organisation) for member in view.members],
            "candidates": await representative_candidates(acting.session, actor) if view.line.member_id else [],
            "agenda_rows": range(1, AGENDA_ROWS + 1),
            "form": form or {},
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


async def meeting_page(
    acting: TenantScope, meeting_id: UUID, form: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> Template:
    """The meeting's page, with a form shown again and its errors when given."""
    actor = actor_of(acting)
    view = await meeting_view(acting.session, actor, meeting_id)
    members = (await space_view(acting.session, actor, view.meeting.space_id)).members if view.owner else ()
    # A guest sees the meeting, not the space's documents; the others see the meeting's own.
    documents = [] if view.guest else await documents_of(acting.session, actor, view.meeting.space_id)
    return Template(
        template_name="networks/meeting.html",
        context={
            "view": view,
            "minutes": await minutes_of(acting.session, actor, meeting_id),
            "documents": [document for document in documents if document.meeting_id == meeting_id],
            "statuses": STATUSES,
            "kinds": KINDS,
            "member_options": [(member.member_id, member.organisation) for member in members],
            "outcome_rows": range(1, OUTCOME_ROWS + 1),
            "organisations": await _organisation_options(acting) if view.owner else [],
            "form": form or {},
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


class NetworkPages(Controller):
    """My networks, a space, and the coordinator's and the member's forms on them."""

    path = "/natverk"
    include_in_schema = False

    @get("/", opt=MEETING_GOERS)
    async def home(self, acting: Acting) -> Template:
        """My networks and the meetings I am a guest of; the coordinator opens spaces here."""
        return await _home(acting)

    @post("/", opt=COORDINATING)
    async def open(self, request: Request[Any, Any, Any], acting: Acting) -> Response[Any]:
        """Open a space."""
        form = await request.form()
        problems: list[FieldProblem] = []
        scope = _choice(form, "scope", SpaceScope, problems)
        try:
            _checked(problems)
            async with acting.session.begin_nested():
                space_id = await open_space(acting.session, actor_of(acting), scope, form_text(form, "name"))
        except InvalidInputError as error:
            return await _home(acting, form_values(form), error.by_field())
        return Redirect(f"/natverk/{space_id}")

    @get("/{space_id:uuid}", opt=PARTICIPATING)
    async def space(self, acting: Acting, space_id: FromPath[UUID]) -> Template:
        """The space: members, meetings, and the forms the person may use."""
        return await space_page(acting, space_id)

    @post("/{space_id:uuid}/medlemmar", opt=COORDINATING)
    async def invite(self, request: Request[Any, Any, Any], acting: Acting, space_id: FromPath[UUID]) -> Response[Any]:
        """Invite an organisation."""
        form = await request.form()
        problems: list[FieldProblem] = []
        tenant_id = _ident(form, "tenant_id", problems)
        role = _choice(form, "network_role", NetworkRole, problems)
        if problems:
            await _owned(acting, space_id)
        try:
            _checked(problems)
            async with acting.session.begin_nested():
                invitation = Invitation(tenant_id or UUID(int=0), role, form_text(form, "contact_function"))
                await invite_member(acting.session, actor_of(acting), space_id, invitation)
        except InvalidInputError as error:
            return await space_page(acting, space_id, form_values(form), error.by_field())
        return Redirect(f"/natverk/{space_id}")

    @post("/{space_id:uuid}/moten", opt=COORDINATING)
    async def plan(self, request: Request[Any, Any, Any], acting: Acting, space_id: FromPath[UUID]) -> Response[Any]:
        """Plan a meeting with up to five agenda points."""
        form = await request.form()
        problems: list[FieldProblem] = []
        try:
            day = date.fromisoformat(form_text(form, "day"))
        except ValueError:
            problems.append(FieldProblem("day", "Ange ett datum, ÅÅÅÅ-MM-DD."))
            day = None
        starts_at = _moment(day, form, "starts", problems)
        ends_at = _moment(day, form, "ends", problems)
        agenda = []
        for row in range(1, AGENDA_ROWS + 1):
            title = form_text(form, f"agenda_{row}")
            if title.strip():
                brought_by = _ident(form, f"agenda_{row}_by", problems, required=False)
                agenda.append(AgendaPoint(title, brought_by))
        if problems:
            await _owned(acting, space_id)
        try:
            _checked(problems)
            planned = MeetingInput(
                form_text(form, "title"),
                starts_at or datetime.now(STOCKHOLM),
                ends_at or datetime.now(STOCKHOLM),
                form_text(form, "place"),
                form_text(form, "video_link"),
                tuple(agenda),
            )
            async with acting.session.begin_nested():
                meeting_id = await plan_meeting(acting.session, actor_of(acting), space_id, planned)
        except InvalidInputError as error:
            return await space_page(acting, space_id, form_values(form), _page_fields(error))
        return Redirect(meeting_link(meeting_id))

    @post("/medlemmar/{member_id:uuid}/representanter", opt=PARTICIPATING)
    async def representatives(
        self, request: Request[Any, Any, Any], acting: Acting, member_id: FromPath[UUID]
    ) -> Response[Any]:
        """The member organisation names its representatives."""
        form = await request.form()
        chosen = []
        for value in form.getall("user_ids", []):
            try:
                chosen.append(UUID(str(value)))
            except ValueError:
                chosen.append(UUID(int=0))
        try:
            async with acting.session.begin_nested():
                await name_representatives(acting.session, actor_of(acting), member_id, chosen)
        except InvalidInputError as error:
            return Template(
                template_name="networks/refused.html", context={"errors": error.by_field()}, status_code=400
            )
        return Redirect("/natverk")

    @post("/medlemmar/{member_id:uuid}/avsluta", opt=PARTICIPATING)
    async def end(self, acting: Acting, member_id: FromPath[UUID]) -> Response[Any]:
        """The organisation leaves, or the coordinator removes it."""
        await end_membership(acting.session, actor_of(acting), member_id)
        return Redirect("/natverk")

    @get("/moten/{meeting_id:uuid}", opt=MEETING_GOERS)
    async def meeting(self, acting: Acting, meeting_id: FromPath[UUID]) -> Template:
        """A meeting: when, where, the agenda, my answer; the coordinator's answers and guest form."""
        return await meeting_page(acting, meeting_id)

    @post("/moten/{meeting_id:uuid}/svar", opt=MEETING_GOERS)
    async def respond(
        self, request: Request[Any, Any, Any], acting: Acting, meeting_id: FromPath[UUID]
    ) -> Response[Any]:
        """Attending or not."""
        form = await request.form()
        try:
            async with acting.session.begin_nested():
                await answer(
                    acting.session, actor_of(acting), meeting_id, attending=form_text(form, "attending") == "ja"
                )
        except InvalidInputError as error:
            return await meeting_page(acting, meeting_id, form_values(form), error.by_field())
        return Redirect(meeting_link(meeting_id))

    @post("/moten/{meeting_id:uuid}/gaster", opt=COORDINATING)
    async def guest(self, request: Request[Any, Any, Any], acting: Acting, meeting_id: FromPath[UUID]) -> Response[Any]:
        """Invite a guest to this meeting only."""
        form = await request.form()
        problems: list[FieldProblem] = []
        tenant_id = _ident(form, "tenant_id", problems)
        if problems and not (await meeting_view(acting.session, actor_of(acting), meeting_id)).owner:
            raise NotFoundError
        try:
            _checked(problems)
            async with acting.session.begin_nested():
                await invite_guest(
                    acting.session, actor_of(acting), meeting_id, tenant_id or UUID(int=0), form_text(form, "email")
                )
        except InvalidInputError as error:
            return await meeting_page(acting, meeting_id, form_values(form), error.by_field())
        return Redirect(meeting_link(meeting_id))


def _outcomes(form: FormMultiDict, problems: list[FieldProblem]) -> tuple[OutcomeInput, ...]:
    outcomes = []
    for row in range(1, OUTCOME_ROWS + 1):
        title = form_text(form, f"outcome_{row}")
        if not title.strip():
            continue
        kind = (
            OutcomeKind.ACTION if form_text(form, f"outcome_{row}_kind") == OutcomeKind.ACTION else OutcomeKind.DECISION
        )
        responsible = _ident(form, f"outcome_{row}_responsible", problems, required=False)
        due = form_text(form, f"outcome_{row}_due")
        try:
            due_on = date.fromisoformat(due) if due else None
        except ValueError:
            problems.append(FieldProblem(f"outcome_{row}_due", "Ange ett datum, ÅÅÅÅ-MM-DD."))
            due_on = None
        outcomes.append(OutcomeInput(kind, title, responsible, due_on))
    return tuple(outcomes)


class MinutesPages(Controller):
    """The coordinator drafts, approves and publishes minutes; the responsible organisation marks actions done."""

    path = "/natverk"
    include_in_schema = False

    @post("/moten/{meeting_id:uuid}/protokoll", opt=COORDINATING)
    async def draft(self, request: Request[Any, Any, Any], acting: Acting, meeting_id: FromPath[UUID]) -> Response[Any]:
        """Write or rewrite the draft."""
        form = await request.form()
        problems: list[FieldProblem] = []
        outcomes = _outcomes(form, problems)
        if problems and not (await meeting_view(acting.session, actor_of(acting), meeting_id)).owner:
            raise NotFoundError
        try:
            _checked(problems)
            async with acting.session.begin_nested():
                await draft_minutes(acting.session, actor_of(acting), meeting_id, form_text(form, "body"), outcomes)
        except InvalidInputError as error:
            return await meeting_page(acting, meeting_id, form_values(form), _page_fields(error))
        return Redirect(meeting_link(meeting_id))

    @post("/moten/{meeting_id:uuid}/protokoll/justera", opt=COORDINATING)
    async def approve(self, acting: Acting, meeting_id: FromPath[UUID]) -> Response[Any]:
        """Approve the draft."""
        return await _advance(acting, meeting_id, MinutesStatus.APPROVED)

    @post("/moten/{meeting_id:uuid}/protokoll/publicera", opt=COORDINATING)
    async def publish(self, acting: Acting, meeting_id: FromPath[UUID]) -> Response[Any]:
        """Publish approved minutes to the members."""
        return await _advance(acting, meeting_id, MinutesStatus.PUBLISHED)

    @post("/atgarder/{outcome_id:uuid}/klar", opt=PARTICIPATING)
    async def done(self, acting: Acting, outcome_id: FromPath[UUID]) -> Response[Any]:
        """Mark an action item done."""
        try:
            async with acting.session.begin_nested():
                await mark_done(acting.session, actor_of(acting), outcome_id)
        except InvalidInputError as error:
            return Template(
                template_name="networks/refused.html", context={"errors": error.by_field()}, status_code=400
            )
        return Redirect("/natverk")


async def _advance(acting: TenantScope, meeting_id: UUID, to: MinutesStatus) -> Response[Any]:
    try:
        async with acting.session.begin_nested():
            await advance_minutes(acting.session, actor_of(acting), meeting_id, to)
    except InvalidInputError as error:
        return await meeting_page(acting, meeting_id, errors=error.by_field())
    return Redirect(meeting_link(meeting_id))


def _checked(problems: list[FieldProblem]) -> None:
    """Refuse the form if it could not even be read (the service is not asked then)."""
    if problems:
        raise InvalidInputError(problems)


def _page_fields(error: InvalidInputError) -> dict[str, str]:
    """The service names an agenda point `agenda.N.title`; the form's field is `agenda_N`."""
    fields: dict[str, str] = {}
    for problem in error.problems:
        name = problem.field
        if name.startswith("agenda."):
            _, row, part = name.split(".")
            name = f"agenda_{row}" if part == "title" else f"agenda_{row}_by"
        elif name.startswith("outcomes."):
            _, row, part = name.split(".")
            name = f"outcome_{row}" if part == "text" else f"outcome_{row}_{'due' if part == 'due_on' else part}"
        elif name in {"starts_at", "ends_at"}:
            name = "ends" if name == "ends_at" else "starts"
        fields.setdefault(name, problem.message)
    return fields


PAGE_ROUTES = [NetworkPages, MinutesPages]
