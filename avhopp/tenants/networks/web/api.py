"""The networks API under /api/v1/networks: the same use cases as the pages, as JSON with OpenAPI.

Every route states its permission and the kinds of tenant where it opens; a meeting's routes are
for any signed-in person acting for an organisation, because a guest holds no network role, and the
database shows each person only what they reach. Refusals are problem details (RFC 9457) in Swedish.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from avhopp.platform.labels import label
from avhopp.platform.problems import NotFoundError
from avhopp.platform.scope.request import Acting
from avhopp.tenants.cases.web.components import API_EXCEPTION_HANDLERS
from avhopp.tenants.networks.permissions import NETWORK_PARTICIPATE
from avhopp.tenants.networks.service import (
    AgendaPoint,
    Invitation,
    MeetingInput,
    MinutesStatus,
    MinutesView,
    NetworkMeeting,
    NetworkRole,
    OutcomeInput,
    OutcomeKind,
    SpaceLine,
    SpaceScope,
    add_document,
    add_version,
    advance_minutes,
    answer,
    documents_of,
    download,
    draft_minutes,
    end_membership,
    guest_meetings,
    invite_guest,
    invite_member,
    mark_done,
    meeting_calendar,
    meeting_view,
    meetings_of,
    minutes_of,
    name_representatives,
    open_space,
    plan_meeting,
    remove_document,
    representative_candidates,
    space_view,
    spaces_of,
)
from avhopp.tenants.networks.web.common import COORDINATING, MEETING_GOERS, actor_of, needs

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

    from avhopp.platform.scope.request import TenantScope

PARTICIPATING = needs(NETWORK_PARTICIPATE)


class SpaceIn(msgspec.Struct, forbid_unknown_fields=True):
    """A space to open: your county's (one per county), or one across counties or for the whole country."""

    scope: SpaceScope
    name: Annotated[str, msgspec.Meta(max_length=200, description="T.ex. ”Länsnätverket Västra Götaland”")]


class SpaceOut(msgspec.Struct):
    """A space you run or your organisation is a member of."""

    id: UUID
    name: str
    scope: SpaceScope
    scope_label: str
    owner: bool
    """Your organisation runs it."""
    member_id: UUID | None
    """Your organisation's membership, if a member."""
    representative: bool
    """You represent your organisation in it."""


class MemberOut(msgspec.Struct):
    """A member organisation: organisation, role in the network and contact function; never private details."""

    id: UUID
    tenant_id: UUID
    organisation: str
    network_role: NetworkRole
    network_role_label: str
    contact_function: str
    representatives: list[str]
    """Names, for the coordinator and the organisation itself; empty for the other members."""


class SpaceViewOut(msgspec.Struct):
    """A space and its members as you may see them (an invited organisation's other people see only itself)."""

    space: SpaceOut
    run_by: str
    county_code: str | None
    members: list[MemberOut]


class MemberIn(msgspec.Struct, forbid_unknown_fields=True):
    """An organisation to invite, from any county."""

    tenant_id: UUID
    network_role: NetworkRole
    contact_function: Annotated[
        str, msgspec.Meta(max_length=200, description="En funktion, t.ex. ”Avhopparsamordnare, socialtjänsten”")
    ]


class RepresentativesIn(msgspec.Struct, forbid_unknown_fields=True):
    """Who represents your organisation: your own people with a network role (replaces the earlier list)."""

    user_ids: Annotated[list[UUID], msgspec.Meta(max_length=10)]


class CandidateOut(msgspec.Struct):
    """Someone of your organisation who may represent it."""

    id: UUID
    name: str


class AgendaPointIn(msgspec.Struct, forbid_unknown_fields=True):
    """A point on the agenda; `brought_by` a member organisation's membership id, or null for the coordinator."""

    title: Annotated[str, msgspec.Meta(max_length=200)]
    brought_by: UUID | None = None


class MeetingIn(msgspec.Struct, forbid_unknown_fields=True):
    """A meeting to plan. A time without a zone is Swedish time (Europe/Stockholm)."""

    title: Annotated[str, msgspec.Meta(max_length=200)]
    starts_at: datetime
    ends_at: datetime
    place: Annotated[str, msgspec.Meta(max_length=300)] = ""
    video_link: Annotated[str, msgspec.Meta(max_length=500, description="https://…")] = ""
    agenda: Annotated[list[AgendaPointIn], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)


class MeetingLineOut(msgspec.Struct):
    """A meeting in a list."""

    id: UUID
    title: str
    starts_at: datetime
    ends_at: datetime


class AgendaLineOut(msgspec.Struct):
    """A point on the agenda and who brings it."""

    position: int
    title: str
    brought_by: str


class AnswerOut(msgspec.Struct):
    """An answer to the invitation (for the coordinator)."""

    organisation: str
    attending: bool


class MeetingOut(msgspec.Struct):
    """A meeting as you may see it: a guest sees this meeting and nothing of the network."""

    id: UUID
    title: str
    space_name: str | None
    starts_at: datetime
    ends_at: datetime
    place: str
    video_link: str
    agenda: list[AgendaLineOut]
    guest: bool
    attending: bool | None
    answers: list[AnswerOut]


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    """Whether you attend."""

    attending: bool


class GuestIn(msgspec.Struct, forbid_unknown_fields=True):
    """A guest for this meeting only: the organisation and the person's work e-mail address there."""

    tenant_id: UUID
    email: Annotated[str, msgspec.Meta(max_length=320)]


class OutcomeIn(msgspec.Struct, forbid_unknown_fields=True):
    """A decision, or an action item with the responsible member organisation (membership id) and a due date."""

    kind: OutcomeKind
    text: Annotated[str, msgspec.Meta(max_length=400)]
    responsible: UUID | None = None
    due_on: date | None = None


class MinutesIn(msgspec.Struct, forbid_unknown_fields=True):
    """The draft: the text, and the decisions and action items (replacing the earlier draft's)."""

    body: Annotated[str, msgspec.Meta(max_length=20_000)]
    outcomes: Annotated[list[OutcomeIn], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)


class OutcomeOut(msgspec.Struct):
    """A decision or action item."""

    id: UUID
    kind: OutcomeKind
    text: str
    responsible: str
    """The organisation responsible for an action item."""
    due_on: date | None
    done_at: datetime | None


class MinutesOut(msgspec.Struct):
    """The minutes: the coordinator sees every stage, the members' representatives the published ones."""

    status: MinutesStatus
    status_label: str
    body: str
    outcomes: list[OutcomeOut]
    published_at: datetime | None


def _minutes_out(view: MinutesView) -> MinutesOut:
    return MinutesOut(
        view.status,
        label(view.status),
        view.body,
        [
            OutcomeOut(line.outcome_id, line.kind, line.text, line.responsible, line.due_on, line.done_at)
            for line in view.outcomes
        ],
        view.published_at,
    )


def space_out(line: SpaceLine) -> SpaceOut:
    """A space in the API's words."""
    return SpaceOut(
        line.space_id, line.name, line.scope, label(line.scope), line.owner, line.member_id, line.representative
    )


def _meeting_line(meeting: NetworkMeeting) -> MeetingLineOut:
    return MeetingLineOut(meeting.id, meeting.title, meeting.starts_at, meeting.ends_at)


async def _space_view_out(acting: TenantScope, space_id: UUID) -> SpaceViewOut:
    view = await space_view(acting.session, actor_of(acting), space_id)
    return SpaceViewOut(
        space=space_out(view.line),
        run_by=view.owner_name,
        county_code=view.county_code,
        members=[
            MemberOut(
                member.member_id,
                member.tenant_id,
                member.organisation,
                member.network_role,
                label(member.network_role),
                member.contact_function,
                list(member.representatives),
            )
            for member in view.members
        ],
    )


class SpacesApi(Controller):
    """Spaces, their member organisations and representatives."""

    path = "/api/v1/networks"
    tags = ["networks"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/", opt=PARTICIPATING, summary="Mina nätverk")
    async def mine(self, acting: Acting) -> list[SpaceOut]:
        """The spaces your organisation runs or is a member of."""
        return [space_out(line) for line in await spaces_of(acting.session, actor_of(acting))]

    @post("/", opt=COORDINATING, summary="Öppna ett nätverk")
    async def open(self, acting: Acting, data: JSONBody[SpaceIn]) -> SpaceViewOut:
        """Open your county's space (once), or a space across counties or for the whole country."""
        space_id = await open_space(acting.session, actor_of(acting), data.scope, data.name)
        return await _space_view_out(acting, space_id)

    @get("/representatives/candidates", opt=PARTICIPATING, summary="Vilka som kan representera oss")
    async def candidates(self, acting: Acting) -> list[CandidateOut]:
        """Your organisation's people with a network role."""
        return [
            CandidateOut(candidate.user_id, candidate.name)
            for candidate in await representative_candidates(acting.session, actor_of(acting))
        ]

    @get("/{space_id:uuid}", opt=PARTICIPATING, summary="Ett nätverk och dess medlemmar")
    async def one(self, acting: Acting, space_id: FromPath[UUID]) -> SpaceViewOut:
        """The space and its members; 404 unless your organisation runs it or is a member."""
        return await _space_view_out(acting, space_id)

    @post("/{space_id:uuid}/members", opt=COORDINATING, summary="Bjud in en organisation")
    async def invite(self, acting: Acting, space_id: FromPath[UUID], data: JSONBody[MemberIn]) -> SpaceViewOut:
        """Invite an organisation, of any county; it names its representatives itself."""
        invitation = Invitation(data.tenant_id, data.network_role, data.contact_function)
        await invite_member(acting.session, actor_of(acting), space_id, invitation)
        return await _space_view_out(acting, space_id)

    @post("/members/{member_id:uuid}/end", opt=PARTICIPATING, status_code=204, summary="Avsluta ett medlemskap")
    async def end(self, acting: Acting, member_id: FromPath[UUID]) -> None:
        """Your organisation leaves, or (the coordinator) removes it: every representative's access ends at once."""
        await end_membership(acting.session, actor_of(acting), member_id)

    @put(
        "/members/{member_id:uuid}/representatives",
        opt=PARTICIPATING,
        status_code=204,
        summary="Utse representanter",
    )
    async def representatives(
        self, acting: Acting, member_id: FromPath[UUID], data: JSONBody[RepresentativesIn]
    ) -> None:
        """Name who represents your organisation in the space (your own people with a network role)."""
        await name_representatives(acting.session, actor_of(acting), member_id, data.user_ids)

    @get("/{space_id:uuid}/meetings", opt=PARTICIPATING, summary="Nätverkets möten")
    async def meetings(self, acting: Acting, space_id: FromPath[UUID]) -> list[MeetingLineOut]:
        """The space's meetings, soonest first (for its coordinators and the members' representatives)."""
        return [_meeting_line(meeting) for meeting in await meetings_of(acting.session, actor_of(acting), space_id)]

    @post("/{space_id:uuid}/meetings", opt=COORDINATING, summary="Planera ett möte")
    async def plan(self, acting: Acting, space_id: FromPath[UUID], data: JSONBody[MeetingIn]) -> MeetingOut:
        """Plan a meeting with its agenda; times without a zone are Swedish time."""
        planned = MeetingInput(
            data.title,
            data.starts_at,
            data.ends_at,
            data.place,
            data.video_link,
            tuple(AgendaPoint(point.title, point.brought_by) for point in data.agenda),
        )
        meeting_id = await plan_meeting(acting.session, actor_of(acting), space_id, planned)
        return await _meeting_out(acting, meeting_id)


async def _meeting_out(acting: TenantScope, meeting_id: UUID) -> MeetingOut:
    view = await meeting_view(acting.session, actor_of(acting), meeting_id)
    meeting = view.meeting
    return MeetingOut(
        id=meeting.id,
        title=meeting.title,
        space_name=view.space_name,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place=meeting.place,
        video_link=meeting.video_link,
        agenda=[AgendaLineOut(line.position, line.title, line.brought_by) for line in view.agenda],
        guest=view.guest,
        attending=view.attending,
        answers=[AnswerOut(organisation, attending) for organisation, attending in view.answers],
    )


class MeetingsApi(Controller):
    """Meetings: for the coordinators, the members' representatives and each meeting's guests."""

    path = "/api/v1/networks/meetings"
    tags = ["networks"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/as-guest", opt=MEETING_GOERS, summary="Möten där jag är gäst")
    async def as_guest(self, acting: Acting) -> list[MeetingLineOut]:
        """The meetings you are a guest of that have not ended."""
        return [_meeting_line(meeting) for meeting in await guest_meetings(acting.session, actor_of(acting))]

    @get("/{meeting_id:uuid}", opt=MEETING_GOERS, summary="Ett möte")
    async def one(self, acting: Acting, meeting_id: FromPath[UUID]) -> MeetingOut:
        """The meeting and its agenda; 404 unless you reach it (a guest until it ends)."""
        return await _meeting_out(acting, meeting_id)

    @post("/{meeting_id:uuid}/answer", opt=MEETING_GOERS, summary="Svara på kallelsen")
    async def respond(self, acting: Acting, meeting_id: FromPath[UUID], data: JSONBody[AnswerIn]) -> MeetingOut:
        """Attending or not, for yourself."""
        await answer(acting.session, actor_of(acting), meeting_id, attending=data.attending)
        return await _meeting_out(acting, meeting_id)

    @post("/{meeting_id:uuid}/guests", opt=COORDINATING, summary="Bjud in en gäst till mötet")
    async def guest(self, acting: Acting, meeting_id: FromPath[UUID], data: JSONBody[GuestIn]) -> MeetingOut:
        """Invite a person of another organisation to this meeting only; they are notified."""
        await invite_guest(acting.session, actor_of(acting), meeting_id, data.tenant_id, data.email)
        return await _meeting_out(acting, meeting_id)


async def _minutes_now(acting: TenantScope, meeting_id: UUID) -> MinutesOut:
    view = await minutes_of(acting.session, actor_of(acting), meeting_id)
    if view is None:
        raise NotFoundError
    return _minutes_out(view)


class MinutesApi(Controller):
    """Minutes, their decisions and action items, and each meeting's calendar file."""

    path = "/api/v1/networks"
    tags = ["networks"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/meetings/{meeting_id:uuid}/minutes", opt=MEETING_GOERS, summary="Protokollet")
    async def minutes(self, acting: Acting, meeting_id: FromPath[UUID]) -> MinutesOut:
        """The minutes; 404 while there are none you may see (representatives see them once published)."""
        return await _minutes_now(acting, meeting_id)

    @put("/meetings/{meeting_id:uuid}/minutes", opt=COORDINATING, summary="Skriv protokollets utkast")
    async def draft(self, acting: Acting, meeting_id: FromPath[UUID], data: JSONBody[MinutesIn]) -> MinutesOut:
        """Write or rewrite the draft, with its decisions and action items; approved minutes stay as they are."""
        outcomes = tuple(
            OutcomeInput(outcome.kind, outcome.text, outcome.responsible, outcome.due_on) for outcome in data.outcomes
        )
        await draft_minutes(acting.session, actor_of(acting), meeting_id, data.body, outcomes)
        return await _minutes_now(acting, meeting_id)

    @post("/meetings/{meeting_id:uuid}/minutes/approve", opt=COORDINATING, status_code=200, summary="Justera")
    async def approve(self, acting: Acting, meeting_id: FromPath[UUID]) -> MinutesOut:
        """Approve the draft; it can no longer change."""
        await advance_minutes(acting.session, actor_of(acting), meeting_id, MinutesStatus.APPROVED)
        return await _minutes_now(acting, meeting_id)

    @post("/meetings/{meeting_id:uuid}/minutes/publish", opt=COORDINATING, status_code=200, summary="Publicera")
    async def publish(self, acting: Acting, meeting_id: FromPath[UUID]) -> MinutesOut:
        """Publish approved minutes to the members' representatives, who are notified."""
        await advance_minutes(acting.session, actor_of(acting), meeting_id, MinutesStatus.PUBLISHED)
        return await _minutes_now(acting, meeting_id)

    @post("/outcomes/{outcome_id:uuid}/done", opt=PARTICIPATING, status_code=204, summary="Markera åtgärden klar")
    async def done(self, acting: Acting, outcome_id: FromPath[UUID]) -> None:
        """The coordinator, or the organisation responsible, marks a published action item done."""
        await mark_done(acting.session, actor_of(acting), outcome_id)

    @get(
        "/meetings/{meeting_id:uuid}/calendar.ics",
        opt=MEETING_GOERS,
        summary="Mötet som kalenderfil",
        media_type="text/calendar",
    )
    async def calendar(self, acting: Acting, meeting_id: FromPath[UUID]) -> Response[bytes]:
        """The meeting for your calendar (iCalendar): title, time, place or link; no agenda, no case."""
        content = await meeting_calendar(acting.session, actor_of(acting), meeting_id)
        return Response(
            content,
            media_type="text/calendar; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="natverksmote.ics"'},
        )


class DocumentIn(msgspec.Struct, forbid_unknown_fields=True):
    """A document for the space, or for one of its meetings: PDF, PNG or JPEG (read from the content), at most 10 MB."""

    title: Annotated[str, msgspec.Meta(max_length=200)]
    content: Annotated[bytes, msgspec.Meta(description="Dokumentet, base64-kodat")]
    meeting_id: UUID | None = None


class VersionIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new version of the document (the earlier ones stay)."""

    content: Annotated[bytes, msgspec.Meta(description="Dokumentet, base64-kodat")]


class DocumentOut(msgspec.Struct):
    """A document at its latest version."""

    id: UUID
    title: str
    meeting_id: UUID | None
    uploaded_by: str
    version: int
    content_type: str
    size: int
    uploaded_at: datetime


class DocumentsApi(Controller):
    """Documents of a space or a meeting: the coordinators and the members' representatives."""

    path = "/api/v1/networks"
    tags = ["networks"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/{space_id:uuid}/documents", opt=PARTICIPATING, summary="Nätverkets dokument")
    async def documents(self, acting: Acting, space_id: FromPath[UUID]) -> list[DocumentOut]:
        """The documents, newest first, each at its latest version; removed ones are not listed."""
        return [
            DocumentOut(
                line.document_id,
                line.title,
                line.meeting_id,
                line.uploaded_by,
                line.version,
                line.content_type,
                line.size,
                line.uploaded_at,
            )
            for line in await documents_of(acting.session, actor_of(acting), space_id)
        ]

    @post("/{space_id:uuid}/documents", opt=PARTICIPATING, status_code=201, summary="Lägg till ett dokument")
    async def add(
        self, state: State, acting: Acting, space_id: FromPath[UUID], data: JSONBody[DocumentIn]
    ) -> DocumentOut:
        """Add a document; its type is read from the content, never from a name. It is sealed at rest."""
        actor = actor_of(acting)
        document_id = await add_document(
            acting.session,
            state.settings.secret_key,
            actor,
            space_id,
            data.title,
            data.content,
            meeting_id=data.meeting_id,
        )
        line = next(
            line for line in await documents_of(acting.session, actor, space_id) if line.document_id == document_id
        )
        return DocumentOut(
            line.document_id,
            line.title,
            line.meeting_id,
            line.uploaded_by,
            line.version,
            line.content_type,
            line.size,
            line.uploaded_at,
        )

    @post("/documents/{document_id:uuid}/versions", opt=PARTICIPATING, status_code=204, summary="Ny version")
    async def version(
        self, state: State, acting: Acting, document_id: FromPath[UUID], data: JSONBody[VersionIn]
    ) -> None:
        """Add a new version of a document."""
        await add_version(acting.session, state.settings.secret_key, actor_of(acting), document_id, data.content)

    @get(
        "/documents/{document_id:uuid}/download",
        opt=PARTICIPATING,
        summary="Hämta dokumentet",
        media_type="application/octet-stream",
    )
    async def download(self, state: State, acting: Acting, document_id: FromPath[UUID]) -> Response[bytes]:
        """The latest version; the download is in the audit trail."""
        content, kind, _title = await download(acting.session, state.settings.secret_key, actor_of(acting), document_id)
        return Response(
            content,
            media_type=kind,
            headers={"content-disposition": 'attachment; filename="dokument"', "x-content-type-options": "nosniff"},
        )

    @post("/documents/{document_id:uuid}/remove", opt=COORDINATING, status_code=204, summary="Ta bort dokumentet")
    async def remove(self, acting: Acting, document_id: FromPath[UUID]) -> None:
        """Remove it from the lists; it and its versions stay in the history."""
        await remove_document(acting.session, actor_of(acting), document_id)


API_ROUTES: list[ControllerRouterHandler] = [SpacesApi, MeetingsApi, MinutesApi, DocumentsApi]
