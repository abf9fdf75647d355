"""The work on a case: threat assessment, cooperation meeting and action plan (follow-ups: follow_up.py).

Each organisation a consent names sees the categories it names; it updates its own
interventions, and the police record the assessment asked of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.access import Actor, CaseAccess, active_grant, case_for_actor
from avhopp.tenants.cases.audit import CaseAction, record_case_event
from avhopp.tenants.cases.models import CaseGrant, CooperationMeeting, PlannedIntervention, ThreatAssessment
from avhopp.tenants.cases.vocabulary import (
    AreaKind,
    Category,
    Intervention,
    InterventionStatus,
    ThreatLevel,
    ThreatScope,
)
from avhopp.tenants.registry.service import TenantKind, tenant_kinds

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession


def _team_of_owner(access: CaseAccess) -> None:
    if not access.owner or access.role is None:
        raise NotFoundError


def _touch(access: CaseAccess) -> None:
    if access.owner:
        access.case.last_entry_at = datetime.now(UTC)


# The police's threat and risk assessment.


async def request_threat_assessment(session: AsyncSession, actor: Actor, case_id: UUID, police_id: UUID) -> UUID:
    """Ask a police region for an assessment; the consent must let it see and write the assessment."""
    access = await case_for_actor(session, actor, case_id)
    _team_of_owner(access)
    covered = await session.scalar(
        select(CaseGrant.id).where(
            CaseGrant.case_id == case_id,
            CaseGrant.tenant_id == police_id,
            CaseGrant.categories.contains([Category.THREAT_ASSESSMENT.value]),
            CaseGrant.contributes,
            *active_grant(),
        )
    )
    kinds = await tenant_kinds(session, [police_id])
    if covered is None or kinds.get(police_id) != TenantKind.OTHER_AUTHORITY:
        raise InvalidInputError(
            [
                FieldProblem(
                    "police_id",
                    "Polisen kan bara göra en bedömning när samtycket gäller dem, omfattar hot- och riskbedömning"
                    " och låter dem bidra.",
                )
            ]
        )
    assessment = ThreatAssessment(
        case_id=case_id, tenant_id=actor.tenant_id, police_tenant_id=police_id, requested_by=actor.user_id
    )
    session.add(assessment)
    _touch(access)
    await session.flush()
    await record_case_event(session, CaseAction.THREAT_REQUESTED, case_id, tenant_id=actor.tenant_id, actor=actor)
    return assessment.id


@dataclass(frozen=True, slots=True)
class ThreatInput:
    """What the police's security officer records."""

    level: ThreatLevel
    scope: ThreatScope
    areas: tuple[str, ...] = ()
    """Municipality, county or police-region codes for a local or regional threat."""
    area_kind: AreaKind | None = None
    active_in_crime: bool = False
    suspected_of_serious_crime: bool = False
    police_lead: bool = False
    reassess_on: date | None = None


def _checked_areas(threat: ThreatInput) -> list[str]:
    if threat.scope == ThreatScope.NATIONAL:
        if threat.areas:
            raise InvalidInputError([FieldProblem("areas", "Ett hot i hela landet anges utan områden.")])
        return []
    geography = shipped_geography()
    known = {
        AreaKind.MUNICIPALITY: {m.code for m in geography.municipalities},
        AreaKind.COUNTY: {c.code for c in geography.counties},
        AreaKind.POLICE_REGION: set(geography.police_regions),
    }
    if threat.area_kind is None or not threat.areas:
        raise InvalidInputError([FieldProblem("areas", "Ange var hotet gäller: kommuner, län eller polisregioner.")])
    if not set(threat.areas) <= known[AreaKind(threat.area_kind)]:
        raise InvalidInputError([FieldProblem("areas", "Ett av områdena finns inte.")])
    return sorted(set(threat.areas))


async def record_threat_assessment(
    session: AsyncSession, actor: Actor, assessment_id: UUID, threat: ThreatInput
) -> None:
    """The police's security officer records the assessment asked of their region."""
    assessment = await session.get(ThreatAssessment, assessment_id)
    if assessment is None or assessment.police_tenant_id != actor.tenant_id:
        raise NotFoundError
    access = await case_for_actor(session, actor, assessment.case_id)
    if not access.may_see(Category.THREAT_ASSESSMENT) or not access.contributes:
        raise NotFoundError
    areas = _checked_areas(threat)
    if threat.reassess_on is not None and threat.reassess_on <= swedish_date():
        raise InvalidInputError([FieldProblem("reassess_on", "Välj ett datum framåt för ny bedömning.")])
    assessment.level = ThreatLevel(threat.level).value
    assessment.scope = ThreatScope(threat.scope).value
    assessment.area_kind = None if not areas else AreaKind(threat.area_kind or AreaKind.MUNICIPALITY).value
    assessment.areas = areas
    assessment.active_in_crime = threat.active_in_crime
    assessment.suspected_of_serious_crime = threat.suspected_of_serious_crime
    assessment.police_lead = threat.police_lead
    assessment.reassess_on = threat.reassess_on
    assessment.recorded_at = datetime.now(UTC)
    assessment.recorded_by = actor.user_id
    await session.flush()
    await record_case_event(
        session, CaseAction.THREAT_RECORDED, assessment.case_id, tenant_id=actor.tenant_id, actor=actor
    )


async def threat_assessments(session: AsyncSession, actor: Actor, case_id: UUID) -> list[ThreatAssessment]:
    """The case's assessments, newest first, for those the consent lets see them."""
    access = await case_for_actor(session, actor, case_id)
    if not access.may_see(Category.THREAT_ASSESSMENT):
        raise NotFoundError
    return list(
        await session.scalars(
            select(ThreatAssessment)
            .where(ThreatAssessment.case_id == case_id)
            .order_by(ThreatAssessment.requested_at.desc())
        )
    )


async def police_lead(session: AsyncSession, actor: Actor, case_id: UUID) -> bool:
    """Whether the latest recorded assessment says the police have main responsibility for the person.

    As the police say it (protected witness, a serious threat), for those who may see assessments.
    """
    latest = [row for row in await threat_assessments(session, actor, case_id) if row.recorded_at is not None]
    return bool(max(latest, key=lambda row: row.recorded_at or row.requested_at).police_lead) if latest else False


async def assessments_asked_of(session: AsyncSession, police_id: UUID) -> list[ThreatAssessment]:
    """Assessments asked of a police region and not yet recorded (under a running consent)."""
    return list(
        await session.scalars(
            select(ThreatAssessment)
            .where(ThreatAssessment.police_tenant_id == police_id, ThreatAssessment.recorded_at.is_(None))
            .order_by(ThreatAssessment.requested_at)
        )
    )


# The cooperation meeting and the action plan.


@dataclass(frozen=True, slots=True)
class InterventionInput:
    """One intervention of the plan."""

    intervention: Intervention
    responsible_tenant_id: UUID
    starts_on: date
    planned_end_on: date | None = None


@dataclass(frozen=True, slots=True)
class MeetingInput:
    """A cooperation meeting and the plan it agreed."""

    held_on: date
    person_took_part: bool
    organisations: tuple[UUID, ...]
    interventions: tuple[InterventionInput, ...]


async def _sharing_plan_with(session: AsyncSession, case_id: UUID) -> set[UUID]:
    return set(
        await session.scalars(
            select(CaseGrant.tenant_id).where(
                CaseGrant.case_id == case_id,
                CaseGrant.categories.contains([Category.ACTION_PLAN.value]),
                *active_grant(),
            )
        )
    )


async def record_meeting(session: AsyncSession, actor: Actor, case_id: UUID, meeting: MeetingInput) -> UUID:
    """Record a cooperation meeting and its action plan; each intervention's organisation must be covered."""
    access = await case_for_actor(session, actor, case_id)
    _team_of_owner(access)
    allowed = await _sharing_plan_with(session, case_id) | {actor.tenant_id}
    problems: list[FieldProblem] = []
    if meeting.held_on > swedish_date():
        problems.append(FieldProblem("held_on", "Mötet kan inte ha hållits i framtiden."))
    if not set(meeting.organisations) <= allowed:
        problems.append(FieldProblem("organisations", "Samtycket omfattar inte alla organisationer på mötet."))
    if not meeting.interventions:
        problems.append(FieldProblem("interventions", "Handlingsplanen behöver minst en insats."))
    for number, item in enumerate(meeting.interventions):
        if item.responsible_tenant_id not in allowed:
            problems.append(
                FieldProblem(
                    f"interventions[{number}].responsible_tenant_id",
                    "Organisationen omfattas inte av samtycket för handlingsplanen.",
                )
            )
        if item.planned_end_on is not None and item.planned_end_on < item.starts_on:
            problems.append(FieldProblem(f"interventions[{number}].planned_end_on", "Slutet måste vara efter starten."))
    if problems:
        raise InvalidInputError(problems)
    row = CooperationMeeting(
        case_id=case_id,
        tenant_id=actor.tenant_id,
        held_on=meeting.held_on,
        person_took_part=meeting.person_took_part,
        organisations=sorted(set(meeting.organisations)),
        recorded_by=actor.user_id,
    )
    session.add(row)
    await session.flush()
    for item in meeting.interventions:
        session.add(
            PlannedIntervention(
                case_id=case_id,
                meeting_id=row.id,
                tenant_id=actor.tenant_id,
                intervention=Intervention(item.intervention).value,
                responsible_tenant_id=item.responsible_tenant_id,
                starts_on=item.starts_on,
                planned_end_on=item.planned_end_on,
                updated_by=actor.user_id,
            )
        )
    _touch(access)
    await session.flush()
    await record_case_event(session, CaseAction.PLAN_RECORDED, case_id, tenant_id=actor.tenant_id, actor=actor)
    return row.id


async def action_plan(
    session: AsyncSession, actor: Actor, case_id: UUID
) -> tuple[list[CooperationMeeting], list[PlannedIntervention]]:
    """The case's meetings and interventions, for those the consent lets see the plan."""
    access = await case_for_actor(session, actor, case_id)
    if not access.may_see(Category.ACTION_PLAN):
        raise NotFoundError
    meetings = list(
        await session.scalars(
            select(CooperationMeeting).where(CooperationMeeting.case_id == case_id).order_by(CooperationMeeting.held_on)
        )
    )
    interventions = list(
        await session.scalars(
            select(PlannedIntervention)
            .where(PlannedIntervention.case_id == case_id)
            .order_by(PlannedIntervention.starts_on, PlannedIntervention.id)
        )
    )
    return meetings, interventions


async def update_intervention(
    session: AsyncSession, actor: Actor, intervention_id: UUID, status: InterventionStatus
) -> None:
    """The owner's team, or the organisation responsible for it, updates an intervention's status."""
    item = await session.get(PlannedIntervention, intervention_id)
    if item is None:
        raise NotFoundError
    access = await case_for_actor(session, actor, item.case_id)
    if not access.may_see(Category.ACTION_PLAN) or not (access.owner or item.responsible_tenant_id == actor.tenant_id):
        raise NotFoundError
    item.status = InterventionStatus(status).value
    item.updated_at = datetime.now(UTC)
    item.updated_by = actor.user_id
    _touch(access)
    await session.flush()
    await record_case_event(
        session, CaseAction.INTERVENTION_CHANGED, item.case_id, tenant_id=actor.tenant_id, actor=actor
    )
