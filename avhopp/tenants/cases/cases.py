"""Opening a case, its team, the lists (mine, the unit head's, shared with us), and its phases."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Uuid, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from avhopp.platform.labels import label
from avhopp.platform.notifications import notify, register_kind
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.cases.access import Actor, active_grant, case_for_actor
from avhopp.tenants.cases.audit import CaseAction, record_case_event
from avhopp.tenants.cases.follow_up_schema import CURRENT_SCHEMA, checked_answers
from avhopp.tenants.cases.models import (
    CaseFile,
    CaseGrant,
    CasePerson,
    CaseTeamMember,
    EmergencyAccess,
    FollowUp,
    PhaseChange,
)
from avhopp.tenants.cases.person import Intake, PersonDetails, checked_intake, checked_person, sealed_person
from avhopp.tenants.cases.settings import case_rules
from avhopp.tenants.cases.texts import checked_text
from avhopp.tenants.cases.vocabulary import (
    ALLOWED_PHASE_CHANGES,
    CLOSED_PHASES,
    ContactSource,
    EndReason,
    Intervention,
    Phase,
    TargetGroup,
    TeamRole,
)
from avhopp.tenants.registry.service import Role, members_with_roles, people_among, tenant_names

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence
    from uuid import UUID

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

EMERGENCY_HOURS = 8
LATE_AFTER = timedelta(days=14)
"""A follow-up this long past its due date is late: the unit head is told."""
MIN_REASON = 10
MAX_REASON = 500
CASE_ROLES = (Role.CASE_OFFICER.value,)
"""Who may be on a case's team."""
HEAD_ROLES = (Role.CASE_UNIT_HEAD.value,)

EMERGENCY_OPENED = register_kind("case_emergency_access", "Någon öppnade ett av dina ärenden i nödläge")
TEAM_ASSIGNED = register_kind("case_team_assigned", "Du har fått ett ärende")


def months_after(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day where it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def case_link(case_id: UUID) -> str:
    """The case's page."""
    return f"/arenden/{case_id}"


def case_number(case: CaseFile) -> str:
    """The number people say: year and sequence within the tenant."""
    return f"{case.year}-{case.seq:04d}"


@dataclass(frozen=True, slots=True)
class NewCase:
    """What opening a case takes: who made contact, what is known, who the person is."""

    contact_source: ContactSource
    person: PersonDetails
    intake: Intake = field(default_factory=Intake)
    affiliation: TargetGroup | None = None
    needs: tuple[Intervention, ...] = ()
    situation: dict[str, str] = field(default_factory=dict)
    """The coded situation at intake (the national record's intake questions); unanswered ones may wait."""
    deputy_id: UUID | None = None
    referral_id: UUID | None = None


async def open_case(session: AsyncSession, secret_key: str, actor: Actor, new: NewCase) -> UUID:
    """Open a draft case with the actor as responsible officer (and a deputy if named)."""
    situation, problems = checked_answers(new.situation, CURRENT_SCHEMA, at_intake=True, prefix="situation.")
    if problems:
        raise InvalidInputError(problems)
    person = checked_person(new.person, unnamed=new.referral_id is not None)
    intake = checked_intake(new.intake)
    if new.deputy_id is not None:
        await check_team_candidates(session, actor.tenant_id, [new.deputy_id], "deputy_id")
        if new.deputy_id == actor.user_id:
            raise InvalidInputError([FieldProblem("deputy_id", "Ersättaren ska vara någon annan än du.")])
    year = datetime.now(STOCKHOLM).year
    # One number at a time per tenant and year; the unique constraint is the backstop.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('case_number'), hashtext(:key))"),
        {"key": f"{actor.tenant_id}:{year}"},
    )
    seq = (
        await session.scalar(
            select(func.coalesce(func.max(CaseFile.seq), 0)).where(
                CaseFile.tenant_id == actor.tenant_id, CaseFile.year == year
            )
        )
        or 0
    ) + 1
    case = CaseFile(
        tenant_id=actor.tenant_id,
        year=year,
        seq=seq,
        contact_source=ContactSource(new.contact_source).value,
        affiliation=None if new.affiliation is None else TargetGroup(new.affiliation).value,
        needs=sorted({Intervention(need).value for need in new.needs}),
        intake_answers=situation,
        intake_version=CURRENT_SCHEMA.version,
        opened_by=actor.user_id,
        referral_id=new.referral_id,
    )
    session.add(case)
    await session.flush()
    session.add(
        CaseTeamMember(
            case_id=case.id,
            user_id=actor.user_id,
            tenant_id=actor.tenant_id,
            role=TeamRole.RESPONSIBLE.value,
            added_by=actor.user_id,
        )
    )
    if new.deputy_id is not None:
        session.add(
            CaseTeamMember(
                case_id=case.id,
                user_id=new.deputy_id,
                tenant_id=actor.tenant_id,
                role=TeamRole.DEPUTY.value,
                added_by=actor.user_id,
            )
        )
    session.add(
        PhaseChange(
            case_id=case.id,
            tenant_id=actor.tenant_id,
            to_phase=Phase.DRAFT.value,
            changed_at=datetime.now(UTC),
            changed_by=actor.user_id,
        )
    )
    await session.flush()
    session.add(sealed_person(secret_key, case.id, actor.tenant_id, person, intake))
    await session.flush()
    await record_case_event(session, CaseAction.OPENED, case.id, tenant_id=actor.tenant_id, actor=actor)
    return case.id


async def check_team_candidates(session: AsyncSession, tenant_id: UUID, user_ids: Collection[UUID], field: str) -> None:
    """InvalidInputError on `field` unless every one of `user_ids` is a case officer of the tenant.

    A machine client that holds the role is one too, by its system account.
    """
    eligible = set(await members_with_roles(session, tenant_id, CASE_ROLES, systems=True))
    if not set(user_ids) <= eligible:
        raise InvalidInputError([FieldProblem(field, "Välj en handläggare i er organisation.")])


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One case in a list: number, initials (for the team only), phase, next follow-up."""

    case_id: UUID
    number: str
    initials: str | None
    phase: Phase
    role: TeamRole | None
    next_follow_up: date | None
    owner_name: str | None = None
    """Set in the list of cases shared with the tenant."""


def _any_of(case_ids: Collection[UUID]) -> ColumnElement[Any]:
    """The ids as one array parameter: the statement's text, and so its plan, is the same for any number."""
    return any_(bindparam("case_ids", list(case_ids), type_=ARRAY(Uuid())))


async def _next_follow_ups(session: AsyncSession, case_ids: Collection[UUID]) -> dict[UUID, date]:
    if not case_ids:
        return {}
    rows = await session.execute(
        select(FollowUp.case_id, func.min(FollowUp.due_on))
        .where(FollowUp.case_id == _any_of(case_ids), FollowUp.done_at.is_(None))
        .group_by(FollowUp.case_id)
    )
    return dict(rows.all())


async def my_cases(session: AsyncSession, actor: Actor) -> list[CaseLine]:
    """The cases whose team the actor is on, in the tenant acted for, newest first."""
    rows = (
        await session.execute(
            select(CaseFile, CaseTeamMember.role, CasePerson.initials)
            .join(CaseTeamMember, CaseTeamMember.case_id == CaseFile.id)
            .outerjoin(CasePerson, CasePerson.case_id == CaseFile.id)
            .where(CaseTeamMember.user_id == actor.user_id, CaseTeamMember.tenant_id == actor.tenant_id)
            .order_by(CaseFile.opened_at.desc())
        )
    ).all()
    due = await _next_follow_ups(session, [case.id for case, _role, _initials in rows])
    owners = await tenant_names(session, {case.tenant_id for case, _role, _initials in rows} - {actor.tenant_id})
    return [
        CaseLine(
            case.id,
            case_number(case),
            initials,
            Phase(case.phase),
            TeamRole(role),
            due.get(case.id),
            owners.get(case.tenant_id),
        )
        for case, role, initials in rows
    ]


@dataclass(frozen=True, slots=True)
class OverviewLine:
    """One of the tenant's cases for its unit head: no identity, only who works on it and what is due."""

    case_id: UUID
    number: str
    phase: Phase
    responsible: UUID | None
    deputies: tuple[UUID, ...]
    next_follow_up: date | None
    late_follow_ups: int


async def overview(
    session: AsyncSession, tenant_id: UUID, today: date, *, only: UUID | None = None
) -> list[OverviewLine]:
    """Every case of the tenant (or `only` that one), for its unit head, without identities."""
    query = select(CaseFile).where(CaseFile.tenant_id == tenant_id).order_by(CaseFile.opened_at.desc())
    if only is not None:
        query = query.where(CaseFile.id == only)
    cases = list(await session.scalars(query))
    ids = [case.id for case in cases]
    teams: dict[UUID, list[tuple[UUID, str]]] = {}
    if ids:
        for case_id, user_id, role in await session.execute(
            select(CaseTeamMember.case_id, CaseTeamMember.user_id, CaseTeamMember.role).where(
                CaseTeamMember.case_id == _any_of(ids), CaseTeamMember.tenant_id == tenant_id
            )
        ):
            teams.setdefault(case_id, []).append((user_id, role))
    late: dict[UUID, int] = {}
    if ids:
        rows = await session.execute(
            select(FollowUp.case_id, func.count())
            .where(FollowUp.case_id == _any_of(ids), FollowUp.done_at.is_(None), FollowUp.due_on < today - LATE_AFTER)
            .group_by(FollowUp.case_id)
        )
        late = dict(rows.all())
    due = await _next_follow_ups(session, ids)
    lines = []
    for case in cases:
        team = teams.get(case.id, [])
        responsible = next((user for user, role in team if role == TeamRole.RESPONSIBLE), None)
        deputies = tuple(user for user, role in team if role == TeamRole.DEPUTY)
        lines.append(
            OverviewLine(
                case.id,
                case_number(case),
                Phase(case.phase),
                responsible,
                deputies,
                due.get(case.id),
                late.get(case.id, 0),
            )
        )
    return lines


async def assign_team(
    session: AsyncSession, head: Actor, case_id: UUID, responsible: UUID, deputies: Sequence[UUID]
) -> None:
    """The unit head names the responsible officer and the deputies; the others of the tenant leave the team.

    A person decides who sees a case: a machine client that holds the unit head's role reads the
    overview, but changes no team (not found, as row-level security would refuse it too).
    """
    if head.system:
        raise NotFoundError
    case = await _own_case(session, head.tenant_id, case_id)
    wanted = [responsible, *deputies]
    if not deputies:
        raise InvalidInputError([FieldProblem("deputies", "Välj minst en ersättare.")])
    if len(set(wanted)) != len(wanted):
        raise InvalidInputError([FieldProblem("deputies", "Den ansvariga kan inte också vara ersättare.")])
    await check_team_candidates(session, head.tenant_id, wanted, "responsible")
    current = list(
        await session.scalars(
            select(CaseTeamMember).where(CaseTeamMember.case_id == case.id, CaseTeamMember.tenant_id == head.tenant_id)
        )
    )
    # The team is written anew: one responsible officer at a time, whoever swaps places.
    for member in current:
        await session.delete(member)
    await session.flush()
    for user_id in wanted:
        role = TeamRole.RESPONSIBLE if user_id == responsible else TeamRole.DEPUTY
        session.add(
            CaseTeamMember(
                case_id=case.id, user_id=user_id, tenant_id=head.tenant_id, role=role.value, added_by=head.user_id
            )
        )
    await session.flush()
    newcomers = set(wanted) - {member.user_id for member in current}
    await record_case_event(session, CaseAction.TEAM_CHANGED, case.id, tenant_id=head.tenant_id, actor=head)
    await notify(
        session, head.tenant_id, await people_among(session, sorted(newcomers)), TEAM_ASSIGNED, case_link(case.id)
    )


async def _own_case(session: AsyncSession, tenant_id: UUID, case_id: UUID) -> CaseFile:
    case = await session.get(CaseFile, case_id)
    if case is None or case.tenant_id != tenant_id:
        raise NotFoundError
    return case


async def open_in_emergency(session: AsyncSession, head: Actor, case_id: UUID, reason: str) -> None:
    """The unit head opens a case outside its team for a few hours; the team is told, the audit keeps why.

    Only a person does, answerable for the reason: a machine client is not found here.
    """
    if head.system:
        raise NotFoundError
    case = await _own_case(session, head.tenant_id, case_id)
    problems: list[FieldProblem] = []
    reason = checked_text("reason", reason, MAX_REASON, problems, lines=True)
    if problems or len(reason) < MIN_REASON:
        raise InvalidInputError(
            [FieldProblem("reason", f"Skriv varför du behöver öppna ärendet ({MIN_REASON}–{MAX_REASON} tecken).")]
        )
    now = datetime.now(UTC)
    session.add(
        EmergencyAccess(
            case_id=case.id,
            tenant_id=head.tenant_id,
            user_id=head.user_id,
            reason=reason,
            opened_at=now,
            expires_at=now + timedelta(hours=EMERGENCY_HOURS),
        )
    )
    await session.flush()
    await record_case_event(session, CaseAction.EMERGENCY_ACCESS, case.id, tenant_id=head.tenant_id, actor=head)
    team = await session.scalars(
        select(CaseTeamMember.user_id).where(
            CaseTeamMember.case_id == case.id, CaseTeamMember.tenant_id == head.tenant_id
        )
    )
    await notify(session, head.tenant_id, await people_among(session, list(team)), EMERGENCY_OPENED, case_link(case.id))


async def shared_with_tenant(session: AsyncSession, actor: Actor) -> list[CaseLine]:
    """Cases another organisation shares with the actor's under a running consent, joined or not."""
    rows = (
        await session.execute(
            select(CaseFile, CaseTeamMember.role)
            .join(CaseGrant, CaseGrant.case_id == CaseFile.id)
            .outerjoin(
                CaseTeamMember,
                (CaseTeamMember.case_id == CaseFile.id)
                & (CaseTeamMember.user_id == actor.user_id)
                & (CaseTeamMember.tenant_id == actor.tenant_id),
            )
            .where(CaseGrant.tenant_id == actor.tenant_id, *active_grant())
            .order_by(CaseFile.opened_at.desc())
        )
    ).all()
    owners = await tenant_names(session, {case.tenant_id for case, _role in rows})
    return [
        CaseLine(
            case.id,
            case_number(case),
            None,
            Phase(case.phase),
            None if role is None else TeamRole(role),
            None,
            owners.get(case.tenant_id),
        )
        for case, role in rows
    ]


async def join_shared_case(session: AsyncSession, actor: Actor, case_id: UUID) -> None:
    """A case officer or security officer of an organisation the consent names joins the case's team for it."""
    rows = await session.execute(
        select(CaseGrant.id).where(
            CaseGrant.case_id == case_id, CaseGrant.tenant_id == actor.tenant_id, *active_grant()
        )
    )
    if rows.first() is None:
        raise NotFoundError
    roles = (*CASE_ROLES, Role.SECURITY_OFFICER.value)
    eligible = set(await members_with_roles(session, actor.tenant_id, roles, systems=True))
    if actor.user_id not in eligible:
        raise NotFoundError
    exists = await session.get(CaseTeamMember, (case_id, actor.user_id))
    if exists is None:
        session.add(
            CaseTeamMember(
                case_id=case_id,
                user_id=actor.user_id,
                tenant_id=actor.tenant_id,
                role=TeamRole.MEMBER.value,
                added_by=actor.user_id,
            )
        )
        await session.flush()
        await record_case_event(session, CaseAction.JOINED, case_id, tenant_id=actor.tenant_id, actor=actor)


async def change_phase(
    session: AsyncSession, actor: Actor, case_id: UUID, to_phase: Phase, reason: EndReason | None = None
) -> None:
    """Move the case on; leaving the draft needs a deputy and starts the follow-up schedule."""
    access = await case_for_actor(session, actor, case_id)
    if not access.owner or access.role is None:
        raise NotFoundError
    case = access.case
    current = Phase(case.phase)
    to_phase = Phase(to_phase)
    _check_phase_change(current, to_phase, reason)
    reopening = current in CLOSED_PHASES
    if current == Phase.DRAFT:
        deputies = await session.scalar(
            select(func.count()).where(
                CaseTeamMember.case_id == case.id,
                CaseTeamMember.tenant_id == actor.tenant_id,
                CaseTeamMember.role == TeamRole.DEPUTY,
            )
        )
        if to_phase == Phase.ACUTE and not deputies:
            raise InvalidInputError([FieldProblem("phase", "Ärendet behöver en ersättare innan arbetet börjar.")])
    now = datetime.now(UTC)
    session.add(
        PhaseChange(
            case_id=case.id,
            tenant_id=actor.tenant_id,
            from_phase=current.value,
            to_phase=to_phase.value,
            reason=None if reason is None else EndReason(reason).value,
            changed_at=now,
            changed_by=actor.user_id,
        )
    )
    case.phase = to_phase.value
    case.last_entry_at = now
    if to_phase in CLOSED_PHASES:
        case.closed_at = now
        case.end_reason = None if reason is None else EndReason(reason).value
    elif reopening:
        case.closed_at = None
        case.end_reason = None
    if current == Phase.DRAFT and to_phase == Phase.ACUTE:
        started = now.astimezone(STOCKHOLM).date()
        case.started_on = started
        for months in (await case_rules(session, actor.tenant_id)).follow_up_months:
            session.add(
                FollowUp(
                    case_id=case.id,
                    tenant_id=actor.tenant_id,
                    months_after=months,
                    due_on=months_after(started, months),
                )
            )
    await session.flush()
    await record_case_event(
        session,
        CaseAction.PHASE_CHANGED,
        case.id,
        tenant_id=actor.tenant_id,
        actor=actor,
        reason=to_phase.value,
    )


def _check_phase_change(current: Phase, to_phase: Phase, reason: EndReason | None) -> None:
    if to_phase not in ALLOWED_PHASE_CHANGES[current]:
        raise InvalidInputError(
            [FieldProblem("phase", f"Ärendet kan inte gå från {_label(current)} till {_label(to_phase)}.")]
        )
    if to_phase == Phase.ENDED_EARLY and (reason is None or reason == EndReason.RELAPSE):
        raise InvalidInputError([FieldProblem("reason", "Välj varför ärendet avbryts.")])
    if current in CLOSED_PHASES and reason != EndReason.RELAPSE:
        raise InvalidInputError(
            [FieldProblem("reason", "Ett avslutat ärende öppnas igen efter ett återfall: välj det skälet.")]
        )


def _label(phase: Phase) -> str:
    return label(phase).lower()


async def phase_history(session: AsyncSession, actor: Actor, case_id: UUID) -> list[PhaseChange]:
    """The case's phase changes, oldest first (the owner's team only)."""
    access = await case_for_actor(session, actor, case_id)
    if not access.owner:
        raise NotFoundError
    return list(
        await session.scalars(
            select(PhaseChange).where(PhaseChange.case_id == case_id).order_by(PhaseChange.changed_at, PhaseChange.id)
        )
    )
