"""The cases API: my cases, opening a case, the case and its person, sharing, phases; the unit head's part."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from avhopp.platform.labels import label
from avhopp.platform.scope.request import Acting
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.permissions import CASE_READ, CASE_WRITE, OVERSEE
from avhopp.tenants.cases.service import (
    INTAKE_QUESTIONS,
    Actor,
    CaseAccess,
    CaseLine,
    Category,
    ContactSource,
    EndReason,
    Intake,
    Intervention,
    NewCase,
    OverviewLine,
    PersonDetails,
    Phase,
    ProtectedIdentity,
    TargetGroup,
    TeamRole,
    assign_team,
    case_for_actor,
    case_number,
    case_officers,
    change_phase,
    join_shared_case,
    my_cases,
    open_case,
    open_in_emergency,
    open_person,
    overview,
    phase_history,
    police_lead,
    shared_with_tenant,
)
from avhopp.tenants.cases.web.api_common import actor_of, in_body, needs

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
from avhopp.tenants.cases.web.api_problems import API_EXCEPTION_HANDLERS, READ_PROBLEMS, WRITE_PROBLEMS

_PERSON_FIELDS = frozenset({"name", "personal_number", "phone", "safe_contact", "protected_identity", "address"})
_INTAKE_FIELDS = frozenset({"situation", "motivation"})
MAX_TEAM = 20


class PersonIn(msgspec.Struct, forbid_unknown_fields=True):
    """Who the case is about. Sealed at rest; lists show only the initials."""

    name: str
    personal_number: Annotated[str, msgspec.Meta(description="Personnummer eller samordningsnummer; får vara tomt")] = (
        ""
    )
    phone: str = ""
    safe_contact: Annotated[str, msgspec.Meta(description="Hur och när det är säkert att nå personen")] = ""
    protected_identity: ProtectedIdentity = ProtectedIdentity.NONE
    address: Annotated[str, msgspec.Meta(description="Lämnas tomt vid skyddade personuppgifter")] = ""


class IntakeIn(msgspec.Struct, forbid_unknown_fields=True):
    """The current situation and the motivation, in the officer's words (the owner's team alone reads them)."""

    situation: str = ""
    motivation: str = ""


class NewCaseIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new case: who made contact, who the person is, what is known. You become its responsible officer."""

    contact_source: ContactSource
    person: PersonIn
    intake: IntakeIn = msgspec.field(default_factory=IntakeIn)
    affiliation: TargetGroup | None = None
    needs: Annotated[list[Intervention], msgspec.Meta(max_length=len(Intervention))] = msgspec.field(
        default_factory=list
    )
    situation: Annotated[
        dict[str, str],
        msgspec.Meta(
            max_length=len(INTAKE_QUESTIONS),
            description="Situationen vid start, kodad: frågorna och deras svar står i `intake_questions` hos"
            " `GET /api/v1/cases/{case_id}/follow-ups`; obesvarade frågor kan vänta",
        ),
    ] = msgspec.field(default_factory=dict)
    deputy_id: Annotated[UUID | None, msgspec.Meta(description="En handläggare i er organisation")] = None


class CaseOut(msgspec.Struct):
    """A case's header and what you may see of it. No identity: that is `/person`."""

    id: UUID
    number: str
    tenant_id: UUID
    """The organisation that owns the case."""
    phase: Phase
    phase_label: str
    contact_source: ContactSource
    affiliation: TargetGroup | None
    needs: list[Intervention]
    situation: dict[str, str] | None
    """The coded situation at intake, for the owner's team only."""
    situation_version: int | None
    """The version of the national record the situation follows."""
    police_lead: bool
    opened_at: datetime
    started_on: date | None
    closed_at: datetime | None
    end_reason: EndReason | None
    erased: bool
    owner: bool
    """Your organisation owns the case (its team sees everything)."""
    role: TeamRole | None
    """Your place on the team; null under emergency access."""
    emergency_access: bool
    categories: list[Category]
    """What you may see: everything for the owner's team, the consent's categories for another organisation."""
    contributes: bool


class IntakeOut(msgspec.Struct):
    """The intake's texts."""

    situation: str
    motivation: str


class PersonOut(msgspec.Struct):
    """The person, opened for you (every read is in the audit trail)."""

    erased: bool
    """The identity was erased after the retention time; the other fields are then empty."""
    name: str
    personal_number: str
    phone: str
    safe_contact: str
    protected_identity: ProtectedIdentity
    protected_identity_label: str
    address: str
    address_note: str | None
    """Why there is no address, where the identity is protected."""
    intake: IntakeOut | None
    """For the owner's team only."""


class CaseLineOut(msgspec.Struct):
    """A case in a list: number and initials, never the identity."""

    id: UUID
    number: str
    initials: str | None
    phase: Phase
    phase_label: str
    role: TeamRole | None
    next_follow_up: date | None
    owner_name: str | None
    """The owning organisation, when it is not yours."""


class SharedCaseOut(msgspec.Struct):
    """A case another organisation shares with yours under a running consent."""

    id: UUID
    number: str
    owner_name: str | None
    phase: Phase
    phase_label: str
    joined: bool
    """Whether you are on its team (join to see it)."""


class PhaseIn(msgspec.Struct, forbid_unknown_fields=True):
    """The next phase; ending early needs a reason, reopening a closed case the reason `relapse`."""

    phase: Phase
    reason: EndReason | None = None


class PhaseChangeOut(msgspec.Struct):
    """One step of the case's history of phases."""

    from_phase: Phase | None
    to_phase: Phase
    reason: EndReason | None
    changed_at: datetime
    changed_by: UUID | None


class OverviewLineOut(msgspec.Struct):
    """One of the organisation's cases for its unit head: no identity, who works on it, what is due."""

    id: UUID
    number: str
    phase: Phase
    phase_label: str
    responsible: UUID | None
    deputies: list[UUID]
    next_follow_up: date | None
    late_follow_ups: int


class OfficerOut(msgspec.Struct):
    """Someone a case's team may include: a case officer of your organisation, or one of its machine clients."""

    id: UUID
    name: str
    """The name they go by; a machine client's ends in "(system)"."""
    system: bool
    """A machine client (its system account), not a person."""


class TeamIn(msgspec.Struct, forbid_unknown_fields=True):
    """The case's team in your organisation: one responsible officer and at least one deputy."""

    responsible: UUID
    deputies: Annotated[list[UUID], msgspec.Meta(max_length=MAX_TEAM)]


class EmergencyIn(msgspec.Struct, forbid_unknown_fields=True):
    """Why you must open the case outside its team now (10 to 500 characters); the team is told."""

    reason: str


async def case_out(session: AsyncSession, actor: Actor, access: CaseAccess) -> CaseOut:
    """A case as the API shows it to the actor (police main responsibility if it may see assessments)."""
    case = access.case
    lead = access.may_see(Category.THREAT_ASSESSMENT) and await police_lead(session, actor, case.id)
    phase = Phase(case.phase)
    return CaseOut(
        id=case.id,
        number=case_number(case),
        tenant_id=case.tenant_id,
        phase=phase,
        phase_label=label(phase),
        contact_source=ContactSource(case.contact_source),
        affiliation=None if case.affiliation is None else TargetGroup(case.affiliation),
        needs=[Intervention(need) for need in case.needs],
        situation=case.intake_answers if access.owner else None,
        situation_version=case.intake_version if access.owner else None,
        police_lead=lead,
        opened_at=case.opened_at,
        started_on=case.started_on,
        closed_at=case.closed_at,
        end_reason=None if case.end_reason is None else EndReason(case.end_reason),
        erased=case.erased_at is not None,
        owner=access.owner,
        role=access.role,
        emergency_access=access.owner and access.role is None,
        categories=sorted(access.categories),
        contributes=access.contributes,
    )


def _line_out(line: CaseLine) -> CaseLineOut:
    return CaseLineOut(
        line.case_id,
        line.number,
        line.initials,
        line.phase,
        label(line.phase),
        line.role,
        line.next_follow_up,
        line.owner_name,
    )


def _overview_out(line: OverviewLine) -> OverviewLineOut:
    return OverviewLineOut(
        line.case_id,
        line.number,
        line.phase,
        label(line.phase),
        line.responsible,
        list(line.deputies),
        line.next_follow_up,
        line.late_follow_ups,
    )


def _new_case_field(field: str) -> str:
    if field in _PERSON_FIELDS:
        return f"person.{field}"
    return f"intake.{field}" if field in _INTAKE_FIELDS else field


class CasesApi(Controller):
    """The cases of the person acting: open, read, share and move them on."""

    path = "/api/v1/cases"
    tags = ["cases"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/", opt=needs(CASE_READ), summary="Mina ärenden", responses=READ_PROBLEMS)
    async def mine(self, acting: Acting) -> list[CaseLineOut]:
        """The cases whose team you are on, newest first: number and initials, never the identity."""
        return [_line_out(line) for line in await my_cases(acting.session, actor_of(acting))]

    @post("/", opt=needs(CASE_WRITE), summary="Öppna ett ärende", responses=WRITE_PROBLEMS)
    async def open_new(self, state: State, acting: Acting, data: JSONBody[NewCaseIn]) -> CaseOut:
        """Open a draft case with you as responsible officer (and a deputy if named)."""
        actor = actor_of(acting)
        new = NewCase(
            contact_source=data.contact_source,
            person=PersonDetails(
                name=data.person.name,
                personal_number=data.person.personal_number,
                phone=data.person.phone,
                safe_contact=data.person.safe_contact,
                protected_identity=data.person.protected_identity,
                address=data.person.address,
            ),
            intake=Intake(situation=data.intake.situation, motivation=data.intake.motivation),
            affiliation=data.affiliation,
            needs=tuple(data.needs),
            situation=dict(data.situation),
            deputy_id=data.deputy_id,
        )
        case_id = await in_body(open_case(acting.session, state.settings.secret_key, actor, new), _new_case_field)
        return await case_out(acting.session, actor, await case_for_actor(acting.session, actor, case_id))

    @get("/shared", opt=needs(CASE_READ), summary="Ärenden som delas med oss", responses=READ_PROBLEMS)
    async def shared(self, acting: Acting) -> list[SharedCaseOut]:
        """Cases another organisation shares with yours under a running consent, joined or not."""
        return [
            SharedCaseOut(
                line.case_id, line.number, line.owner_name, line.phase, label(line.phase), line.role is not None
            )
            for line in await shared_with_tenant(acting.session, actor_of(acting))
        ]

    @get("/officers", opt=needs(CASE_READ), summary="Handläggare att välja i teamet", responses=READ_PROBLEMS)
    async def officers(self, acting: Acting) -> list[OfficerOut]:
        """Whom a case's team may include (a deputy, or the unit head's choice): people first, then systems."""
        return [
            OfficerOut(officer.user_id, officer.name, officer.system)
            for officer in await case_officers(acting.session, actor_of(acting))
        ]

    @get("/{case_id:uuid}", opt=needs(CASE_READ), summary="Ett ärende", responses=READ_PROBLEMS)
    async def one(self, acting: Acting, case_id: FromPath[UUID]) -> CaseOut:
        """The case's header and which categories you may see; 404 unless you are on its team."""
        return await case_out(
            acting.session, actor_of(acting), await case_for_actor(acting.session, actor_of(acting), case_id)
        )

    @get("/{case_id:uuid}/person", opt=needs(CASE_READ), summary="Personen i ärendet", responses=READ_PROBLEMS)
    async def person(self, state: State, acting: Acting, case_id: FromPath[UUID]) -> PersonOut:
        """The person's identity, unsealed for you and written to the audit trail (`person.read`).

        Another organisation sees it only while a consent names the identity category.
        """
        actor = actor_of(acting)
        access = await case_for_actor(acting.session, actor, case_id)
        opened = await open_person(acting.session, state.settings.secret_key, actor, access)
        details = opened.details
        protected = details.protected_identity != ProtectedIdentity.NONE
        return PersonOut(
            erased=opened.erased,
            name=details.name,
            personal_number=details.personal_number,
            phone=details.phone,
            safe_contact=details.safe_contact,
            protected_identity=details.protected_identity,
            protected_identity_label=label(details.protected_identity),
            address=details.address,
            address_note="Personen har skyddade personuppgifter: ingen adress sparas." if protected else None,
            intake=None if opened.intake is None else IntakeOut(opened.intake.situation, opened.intake.motivation),
        )

    @post(
        "/{case_id:uuid}/join",
        opt=needs(CASE_WRITE),
        status_code=200,
        summary="Gå med i ett delat ärende",
        responses=READ_PROBLEMS,
    )
    async def join(self, acting: Acting, case_id: FromPath[UUID]) -> CaseOut:
        """Join the team of a case shared with your organisation, to see what the consent covers."""
        actor = actor_of(acting)
        await join_shared_case(acting.session, actor, case_id)
        return await case_out(acting.session, actor, await case_for_actor(acting.session, actor, case_id))

    @post(
        "/{case_id:uuid}/phase",
        opt=needs(CASE_WRITE),
        status_code=200,
        summary="Byt skede",
        responses=WRITE_PROBLEMS,
    )
    async def move_on(self, acting: Acting, case_id: FromPath[UUID], data: JSONBody[PhaseIn]) -> CaseOut:
        """Move the case to its next phase (the owner's team); leaving the draft starts the follow-ups."""
        actor = actor_of(acting)
        await change_phase(acting.session, actor, case_id, data.phase, data.reason)
        return await case_out(acting.session, actor, await case_for_actor(acting.session, actor, case_id))

    @get("/{case_id:uuid}/phases", opt=needs(CASE_READ), summary="Skedenas historik", responses=READ_PROBLEMS)
    async def phases(self, acting: Acting, case_id: FromPath[UUID]) -> list[PhaseChangeOut]:
        """Every phase change, oldest first (the owner's team)."""
        return [
            PhaseChangeOut(
                from_phase=None if change.from_phase is None else Phase(change.from_phase),
                to_phase=Phase(change.to_phase),
                reason=None if change.reason is None else EndReason(change.reason),
                changed_at=change.changed_at,
                changed_by=change.changed_by,
            )
            for change in await phase_history(acting.session, actor_of(acting), case_id)
        ]


class UnitHeadApi(Controller):
    """The unit head's part: every case of the organisation without identities, teams, emergency access."""

    path = "/api/v1/cases"
    tags = ["cases: unit head"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/overview", opt=needs(OVERSEE), summary="Enhetens ärenden", responses=READ_PROBLEMS)
    async def organisation_cases(self, acting: Acting) -> list[OverviewLineOut]:
        """Every case of your organisation, newest first: number, phase, team, follow-ups; no identity.

        Also for a machine client that holds the role: the list names no person and needs no team.
        """
        today = swedish_date()
        return [_overview_out(line) for line in await overview(acting.session, acting.tenant_id, today)]

    @put(
        "/{case_id:uuid}/team",
        opt=needs(OVERSEE),
        status_code=204,
        summary="Fördela ärendet",
        responses=WRITE_PROBLEMS,
    )
    async def team(self, acting: Acting, case_id: FromPath[UUID], data: JSONBody[TeamIn]) -> None:
        """Name the responsible officer and the deputies; the others of your organisation leave the team."""
        await assign_team(acting.session, actor_of(acting), case_id, data.responsible, data.deputies)

    @post(
        "/{case_id:uuid}/emergency-access",
        opt=needs(OVERSEE),
        summary="Öppna ärendet i nödläge",
        responses=WRITE_PROBLEMS,
    )
    async def emergency(self, acting: Acting, case_id: FromPath[UUID], data: JSONBody[EmergencyIn]) -> CaseOut:
        """Open a case outside its team for eight hours, with a reason; the audit keeps it and the team is told."""
        actor = actor_of(acting)
        await open_in_emergency(acting.session, actor, case_id, data.reason)
        return await case_out(acting.session, actor, await case_for_actor(acting.session, actor, case_id))
