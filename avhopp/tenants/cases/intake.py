"""The intake of a draft case: who the person is, what they need, and the team's deputy.

A draft from a guidance-line referral starts with only what the caller agreed to share; the
officer writes down the rest here before the work begins (leaving the draft needs a deputy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.tenants.cases.access import Actor, case_for_actor
from avhopp.tenants.cases.audit import CaseAction, record_case_event
from avhopp.tenants.cases.cases import check_team_candidates
from avhopp.tenants.cases.follow_up_schema import CURRENT_SCHEMA, checked_answers
from avhopp.tenants.cases.models import CasePerson, CaseTeamMember
from avhopp.tenants.cases.person import Intake, PersonDetails, checked_intake, checked_person, sealed_person
from avhopp.tenants.cases.vocabulary import Intervention, Phase, TargetGroup, TeamRole

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class IntakeUpdate:
    """What the intake records about the person of a draft case."""

    person: PersonDetails
    intake: Intake = field(default_factory=Intake)
    affiliation: TargetGroup | None = None
    needs: tuple[Intervention, ...] = ()
    situation: dict[str, str] = field(default_factory=dict)
    """The coded situation at intake (the national record's intake questions); unanswered ones may wait."""
    deputy_id: UUID | None = None
    """Names the case's deputy (replacing any other); None leaves the team as it is."""


async def complete_intake(
    session: AsyncSession, secret_key: str, actor: Actor, case_id: UUID, update: IntakeUpdate
) -> None:
    """Write the person, the intake and the needs of a draft case; the team's officers only."""
    access = await case_for_actor(session, actor, case_id)
    if not access.owner or access.role is None:
        raise NotFoundError
    case = access.case
    if case.phase != Phase.DRAFT:
        raise InvalidInputError(
            [FieldProblem("phase", "Den inledande bedömningen ändras bara medan ärendet är ett utkast.")]
        )
    situation, problems = checked_answers(update.situation, CURRENT_SCHEMA, at_intake=True, prefix="situation.")
    if problems:
        raise InvalidInputError(problems)
    person = checked_person(update.person)
    intake = checked_intake(update.intake)
    team = {
        member.user_id: member
        for member in await session.scalars(
            select(CaseTeamMember).where(CaseTeamMember.case_id == case_id, CaseTeamMember.tenant_id == actor.tenant_id)
        )
    }
    if update.deputy_id is not None:
        await check_team_candidates(session, actor.tenant_id, [update.deputy_id], "deputy_id")
        chosen = team.get(update.deputy_id)
        if chosen is not None and chosen.role == TeamRole.RESPONSIBLE:
            raise InvalidInputError([FieldProblem("deputy_id", "Ersättaren ska vara någon annan än den ansvariga.")])
        leaving = [u for u, m in team.items() if m.role == TeamRole.DEPUTY and u != update.deputy_id]
        if actor.user_id in leaving:
            raise InvalidInputError(
                [FieldProblem("deputy_id", "Du kan inte ta bort dig själv ur teamet. Be enhetschefen ändra teamet.")]
            )
        for user_id in leaving:
            await session.delete(team[user_id])
        if chosen is None:
            session.add(
                CaseTeamMember(
                    case_id=case_id,
                    user_id=update.deputy_id,
                    tenant_id=actor.tenant_id,
                    role=TeamRole.DEPUTY.value,
                    added_by=actor.user_id,
                )
            )
    sealed = sealed_person(secret_key, case_id, actor.tenant_id, person, intake)
    row = await session.get(CasePerson, case_id)
    if row is None:
        session.add(sealed)
    else:
        row.initials = sealed.initials
        row.protected_identity = sealed.protected_identity
        row.identity_sealed = sealed.identity_sealed
        row.address_sealed = sealed.address_sealed
        row.intake_sealed = sealed.intake_sealed
    case.affiliation = None if update.affiliation is None else TargetGroup(update.affiliation).value
    case.needs = sorted({Intervention(need).value for need in update.needs})
    case.intake_answers = situation
    case.intake_version = CURRENT_SCHEMA.version
    case.last_entry_at = datetime.now(UTC)
    await session.flush()
    await record_case_event(session, CaseAction.INTAKE_RECORDED, case_id, tenant_id=actor.tenant_id, actor=actor)
