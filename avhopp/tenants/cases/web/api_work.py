"""The cases API's work on a case: the police's threat assessment, the meeting and action plan, follow-ups."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post, put
from litestar.params import FromPath, JSONBody

from avhopp.platform.labels import label
from avhopp.platform.scope.request import Acting
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.permissions import CASE_READ, CASE_WRITE, OVERSEE, THREAT_READ, THREAT_WRITE
from avhopp.tenants.cases.service import (
    CURRENT_SCHEMA,
    FOLLOW_UP_QUESTIONS,
    INTAKE_QUESTIONS,
    AreaKind,
    FollowUpEntry,
    Intervention,
    InterventionInput,
    InterventionStatus,
    MeetingInput,
    ThreatInput,
    ThreatLevel,
    ThreatScope,
    action_plan,
    assessments_asked_of,
    follow_ups,
    gaps_of,
    join_shared_case,
    record_meeting,
    record_threat_assessment,
    request_threat_assessment,
    save_follow_up,
    shared_with_tenant,
    threat_assessments,
    unit_completeness,
    update_intervention,
)
from avhopp.tenants.cases.web.api_common import actor_of, needs
from avhopp.tenants.cases.web.api_problems import API_EXCEPTION_HANDLERS, READ_PROBLEMS, WRITE_PROBLEMS

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.models import FollowUp
    from avhopp.tenants.cases.service import Actor

MAX_AREAS = 400
MAX_INTERVENTIONS = 50
MAX_ORGANISATIONS = 50

# The police's threat and risk assessment.


class ThreatRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    """The police region to ask; the consent must name it, cover the assessment and let it contribute."""

    police_id: UUID


class ThreatIn(msgspec.Struct, forbid_unknown_fields=True):
    """The police's assessment: level, how far the threat reaches, and when to reassess."""

    level: ThreatLevel
    scope: ThreatScope
    areas: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=10)]],
        msgspec.Meta(max_length=MAX_AREAS, description="Kommun-, läns- eller polisregionkoder; tomt för nationellt"),
    ] = msgspec.field(default_factory=list)
    area_kind: AreaKind | None = None
    active_in_crime: bool = False
    suspected_of_serious_crime: bool = False
    police_lead: Annotated[
        bool, msgspec.Meta(description="Polisen har huvudansvaret (skyddat vittne, allvarligt hot)")
    ] = False
    reassess_on: date | None = None


class AssessmentOut(msgspec.Struct):
    """An assessment: asked for, and once the police have recorded it, its findings."""

    id: UUID
    case_id: UUID
    police_tenant_id: UUID
    requested_at: datetime
    recorded_at: datetime | None
    level: ThreatLevel | None
    scope: ThreatScope | None
    area_kind: AreaKind | None
    areas: list[str]
    active_in_crime: bool | None
    suspected_of_serious_crime: bool | None
    police_lead: bool | None
    reassess_on: date | None


class AskedOut(msgspec.Struct):
    """An assessment asked of your organisation and not yet recorded."""

    id: UUID
    case_id: UUID
    case_number: str | None
    owner_name: str | None
    requested_at: datetime
    joined: bool
    """Whether you are on the case's team; join before you record."""


def _assessment_out(row: object) -> AssessmentOut:
    return msgspec.convert(row, AssessmentOut, from_attributes=True)


class ThreatApi(Controller):
    """The case's side: ask the police for an assessment and read it."""

    path = "/api/v1/cases"
    tags = ["cases: threat assessment"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @post(
        "/{case_id:uuid}/threat-assessments",
        opt=needs(CASE_WRITE),
        summary="Begär hot- och riskbedömning",
        responses=WRITE_PROBLEMS,
    )
    async def ask(self, acting: Acting, case_id: FromPath[UUID], data: JSONBody[ThreatRequestIn]) -> AssessmentOut:
        """Ask a police region for a threat and risk assessment (the owner's team)."""
        actor = actor_of(acting)
        assessment_id = await request_threat_assessment(acting.session, actor, case_id, data.police_id)
        rows = await threat_assessments(acting.session, actor, case_id)
        return next(_assessment_out(row) for row in rows if row.id == assessment_id)

    @get(
        "/{case_id:uuid}/threat-assessments",
        opt=needs(CASE_READ),
        summary="Ärendets hot- och riskbedömningar",
        responses=READ_PROBLEMS,
    )
    async def of_case(self, acting: Acting, case_id: FromPath[UUID]) -> list[AssessmentOut]:
        """The case's assessments, newest first, for those the consent lets see them."""
        return [_assessment_out(row) for row in await threat_assessments(acting.session, actor_of(acting), case_id)]


class SecurityOfficerApi(Controller):
    """The police's side: the assessments asked of your region, joining the case, recording the assessment."""

    path = "/api/v1/cases/security"
    tags = ["cases: threat assessment"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/asked", opt=needs(THREAT_READ), summary="Bedömningar som begärts av oss", responses=READ_PROBLEMS)
    async def asked(self, acting: Acting) -> list[AskedOut]:
        """Assessments asked of your organisation and not yet recorded, oldest first."""
        actor = actor_of(acting)
        shared = {line.case_id: line for line in await shared_with_tenant(acting.session, actor)}
        return [
            AskedOut(
                id=row.id,
                case_id=row.case_id,
                case_number=shared[row.case_id].number if row.case_id in shared else None,
                owner_name=shared[row.case_id].owner_name if row.case_id in shared else None,
                requested_at=row.requested_at,
                joined=row.case_id in shared and shared[row.case_id].role is not None,
            )
            for row in await assessments_asked_of(acting.session, actor.tenant_id)
        ]

    @post(
        "/{case_id:uuid}/join",
        opt=needs(THREAT_WRITE),
        status_code=204,
        summary="Gå med i ärendet för bedömningen",
        responses=READ_PROBLEMS,
    )
    async def join(self, acting: Acting, case_id: FromPath[UUID]) -> None:
        """Join the team of a case shared with your organisation, to record the assessment it asks for."""
        await join_shared_case(acting.session, actor_of(acting), case_id)

    @get(
        "/{case_id:uuid}/threat-assessments",
        opt=needs(THREAT_READ),
        summary="Ärendets bedömningar (polisen)",
        responses=READ_PROBLEMS,
    )
    async def of_case(self, acting: Acting, case_id: FromPath[UUID]) -> list[AssessmentOut]:
        """The case's assessments, for a security officer on its team under a consent that covers them."""
        return [_assessment_out(row) for row in await threat_assessments(acting.session, actor_of(acting), case_id)]

    @put(
        "/threat-assessments/{assessment_id:uuid}",
        opt=needs(THREAT_WRITE),
        status_code=204,
        summary="Registrera hot- och riskbedömningen",
        responses=WRITE_PROBLEMS,
    )
    async def record(self, acting: Acting, assessment_id: FromPath[UUID], data: JSONBody[ThreatIn]) -> None:
        """Record the assessment asked of your region (on the case's team, under a consent that lets you write)."""
        threat = ThreatInput(
            level=data.level,
            scope=data.scope,
            areas=tuple(data.areas),
            area_kind=data.area_kind,
            active_in_crime=data.active_in_crime,
            suspected_of_serious_crime=data.suspected_of_serious_crime,
            police_lead=data.police_lead,
            reassess_on=data.reassess_on,
        )
        await record_threat_assessment(acting.session, actor_of(acting), assessment_id, threat)


# The cooperation meeting and the action plan.


class InterventionIn(msgspec.Struct, forbid_unknown_fields=True):
    """One intervention of the plan and the organisation responsible for it."""

    intervention: Intervention
    responsible_tenant_id: Annotated[
        UUID, msgspec.Meta(description="Er organisation, eller en som samtycket om handlingsplanen omfattar")
    ]
    starts_on: date
    planned_end_on: date | None = None


class MeetingIn(msgspec.Struct, forbid_unknown_fields=True):
    """A cooperation meeting and the action plan it agreed."""

    held_on: date
    person_took_part: bool
    organisations: Annotated[list[UUID], msgspec.Meta(max_length=MAX_ORGANISATIONS)]
    interventions: Annotated[list[InterventionIn], msgspec.Meta(max_length=MAX_INTERVENTIONS)]


class MeetingOut(msgspec.Struct):
    """A cooperation meeting."""

    id: UUID
    held_on: date
    person_took_part: bool
    organisations: list[UUID]
    recorded_at: datetime


class InterventionOut(msgspec.Struct):
    """An intervention of the action plan."""

    id: UUID
    meeting_id: UUID
    intervention: Intervention
    intervention_label: str
    responsible_tenant_id: UUID
    starts_on: date
    planned_end_on: date | None
    status: InterventionStatus
    updated_at: datetime


class ActionPlanOut(msgspec.Struct):
    """The case's meetings and the interventions they agreed."""

    meetings: list[MeetingOut]
    interventions: list[InterventionOut]


class InterventionStatusIn(msgspec.Struct, forbid_unknown_fields=True):
    """Where the intervention stands now."""

    status: InterventionStatus


async def _plan(session: AsyncSession, actor: Actor, case_id: UUID) -> ActionPlanOut:
    meetings, interventions = await action_plan(session, actor, case_id)
    return ActionPlanOut(
        meetings=[msgspec.convert(meeting, MeetingOut, from_attributes=True) for meeting in meetings],
        interventions=[
            InterventionOut(
                id=item.id,
                meeting_id=item.meeting_id,
                intervention=Intervention(item.intervention),
                intervention_label=label(Intervention(item.intervention)),
                responsible_tenant_id=item.responsible_tenant_id,
                starts_on=item.starts_on,
                planned_end_on=item.planned_end_on,
                status=InterventionStatus(item.status),
                updated_at=item.updated_at,
            )
            for item in interventions
        ],
    )


class PlanApi(Controller):
    """The cooperation meeting and the action plan; each organisation updates its own interventions."""

    path = "/api/v1/cases"
    tags = ["cases: action plan"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @post(
        "/{case_id:uuid}/meetings",
        opt=needs(CASE_WRITE),
        summary="Registrera samverkansmöte och handlingsplan",
        responses=WRITE_PROBLEMS,
    )
    async def meeting(self, acting: Acting, case_id: FromPath[UUID], data: JSONBody[MeetingIn]) -> ActionPlanOut:
        """Record a meeting and its plan (the owner's team); every intervention's organisation must be covered."""
        actor = actor_of(acting)
        meeting = MeetingInput(
            held_on=data.held_on,
            person_took_part=data.person_took_part,
            organisations=tuple(data.organisations),
            interventions=tuple(
                InterventionInput(item.intervention, item.responsible_tenant_id, item.starts_on, item.planned_end_on)
                for item in data.interventions
            ),
        )
        await record_meeting(acting.session, actor, case_id, meeting)
        return await _plan(acting.session, actor, case_id)

    @get("/{case_id:uuid}/action-plan", opt=needs(CASE_READ), summary="Handlingsplanen", responses=READ_PROBLEMS)
    async def plan(self, acting: Acting, case_id: FromPath[UUID]) -> ActionPlanOut:
        """The meetings and interventions, for those the consent lets see the plan."""
        return await _plan(acting.session, actor_of(acting), case_id)

    @patch(
        "/interventions/{intervention_id:uuid}",
        opt=needs(CASE_WRITE),
        status_code=204,
        summary="Uppdatera en insats",
        responses=WRITE_PROBLEMS,
    )
    async def intervention_status(
        self, acting: Acting, intervention_id: FromPath[UUID], data: JSONBody[InterventionStatusIn]
    ) -> None:
        """Set an intervention's status: the owner's team, or the organisation responsible for it."""
        await update_intervention(acting.session, actor_of(acting), intervention_id, data.status)


# Follow-ups.


class FollowUpOut(msgspec.Struct):
    """A scheduled follow-up: its answers so far (a draft) or for good (closed), and what it still lacks."""

    id: UUID
    months_after: int
    due_on: date
    held_on: date | None
    """When the follow-up was done."""
    done_at: datetime | None
    """When it was closed; null while it is open."""
    schema_version: int | None
    """The version of the record its answers follow."""
    answers: dict[str, str] | None
    missing: list[str]
    """The required questions not yet answered (`unknown` is an answer)."""


class FollowUpsOut(msgspec.Struct):
    """The case's follow-ups by due date, and the current record's questions with the answers each allows."""

    schema_version: int
    questions: dict[str, list[str]]
    intake_questions: dict[str, list[str]]
    """The coded situation at intake (a case's `situation`), with the answers each allows."""
    follow_ups: list[FollowUpOut]


class FollowUpIn(msgspec.Struct, forbid_unknown_fields=True):
    """The answers so far, each one of its question's codes (`unknown` is always allowed).

    With `close` (the default) the follow-up is closed for good, which needs every question
    answered and `held_on`; without it the answers are saved as a draft, replacing the last.
    """

    answers: Annotated[dict[str, str], msgspec.Meta(max_length=len(FOLLOW_UP_QUESTIONS))]
    held_on: Annotated[date | None, msgspec.Meta(description="När uppföljningen gjordes")] = None
    close: bool = True


class CompletenessOut(msgspec.Struct):
    """The organisation's follow-ups whose time has run out (or that are done), and how many were on time."""

    counted: int
    on_time: int
    late: int
    """Done, but more than two weeks after the due date."""
    missing: int
    """Not done, and more than two weeks past the due date."""
    share_on_time: float | None


def _follow_up_out(row: FollowUp) -> FollowUpOut:
    return FollowUpOut(
        id=row.id,
        months_after=row.months_after,
        due_on=row.due_on,
        held_on=row.held_on,
        done_at=row.done_at,
        schema_version=row.schema_version,
        answers=row.answers,
        missing=gaps_of(row),
    )


class FollowUpApi(Controller):
    """The follow-ups at 6 months and 1, 2, 3, 5 and 8 years (the organisation may choose others)."""

    path = "/api/v1/cases"
    tags = ["cases: follow-up"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/{case_id:uuid}/follow-ups", opt=needs(CASE_READ), summary="Uppföljningar", responses=READ_PROBLEMS)
    async def of_case(self, acting: Acting, case_id: FromPath[UUID]) -> FollowUpsOut:
        """The case's follow-ups by due date, for those the consent lets see them."""
        rows = await follow_ups(acting.session, actor_of(acting), case_id)
        return FollowUpsOut(
            schema_version=CURRENT_SCHEMA.version,
            questions={question: list(choices) for question, choices in FOLLOW_UP_QUESTIONS.items()},
            intake_questions={question: list(choices) for question, choices in INTAKE_QUESTIONS.items()},
            follow_ups=[_follow_up_out(row) for row in rows],
        )

    @put(
        "/follow-ups/{follow_up_id:uuid}",
        opt=needs(CASE_WRITE),
        status_code=204,
        summary="Registrera en uppföljning",
        responses=WRITE_PROBLEMS,
    )
    async def record(self, acting: Acting, follow_up_id: FromPath[UUID], data: JSONBody[FollowUpIn]) -> None:
        """Save a follow-up's answers as a draft, or close it once (the owner's team); nothing is half-saved."""
        entry = FollowUpEntry(answers=dict(data.answers), held_on=data.held_on, close=data.close)
        await save_follow_up(acting.session, actor_of(acting), follow_up_id, entry)

    @get(
        "/follow-up-completeness",
        opt=needs(OVERSEE),
        summary="Enhetens uppföljningar i tid",
        responses=READ_PROBLEMS,
    )
    async def completeness(self, acting: Acting) -> CompletenessOut:
        """How many of your organisation's follow-ups were done on time (at most two weeks after the due date)."""
        found = await unit_completeness(acting.session, acting.tenant_id, swedish_date())
        return CompletenessOut(found.counted, found.on_time, found.late, found.missing, found.share_on_time)
