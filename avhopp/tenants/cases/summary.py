"""What the pages show around a case: its header and owner, its team, and the colleagues to choose among.

Names of people and organisations only; never anything about the person the case is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from avhopp.tenants.cases.access import Actor, CaseAccess, case_for_actor
from avhopp.tenants.cases.cases import CASE_ROLES, case_number
from avhopp.tenants.cases.models import CaseTeamMember
from avhopp.tenants.cases.vocabulary import TeamRole
from avhopp.tenants.registry.service import display_names, members_with_roles, system_accounts, tenant_names

if TYPE_CHECKING:
    from collections.abc import Collection
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

_ROLE_ORDER = {TeamRole.RESPONSIBLE: 0, TeamRole.DEPUTY: 1, TeamRole.MEMBER: 2}


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A case as its page's header shows it to the actor."""

    access: CaseAccess
    number: str
    owner_name: str


async def case_summary(session: AsyncSession, actor: Actor, case_id: UUID) -> CaseSummary:
    """The case's header for the actor; NotFoundError where `case_for_actor` says so."""
    access = await case_for_actor(session, actor, case_id)
    owners = await tenant_names(session, [access.case.tenant_id])
    return CaseSummary(access, case_number(access.case), owners.get(access.case.tenant_id, ""))


SYSTEM_LABEL = " (system)"
"""After a machine client's name wherever people are listed (the same word in Swedish and English)."""


@dataclass(frozen=True, slots=True)
class Colleague:
    """A person of the actor's organisation, or one of its machine clients, by the name shown for them."""

    user_id: UUID
    name: str
    """The name they go by on the platform; a machine client's ends in SYSTEM_LABEL."""
    system: bool = False
    """A machine client (its system account), not a person."""


async def _colleagues(session: AsyncSession, user_ids: Collection[UUID]) -> dict[UUID, Colleague]:
    names = await display_names(session, user_ids)
    systems = await system_accounts(session, user_ids)
    return {
        user_id: Colleague(
            user_id, names.get(user_id, "") + (SYSTEM_LABEL if user_id in systems else ""), user_id in systems
        )
        for user_id in user_ids
    }


async def case_officers(session: AsyncSession, actor: Actor) -> list[Colleague]:
    """The tenant's case officers by name, people first: whom a case's team may be chosen among.

    A machine client that holds the role is one of them, labelled as a system.
    """
    ids = await members_with_roles(session, actor.tenant_id, CASE_ROLES, systems=True)
    return sorted((await _colleagues(session, ids)).values(), key=lambda c: (c.system, c.name))


async def colleague_names(session: AsyncSession, user_ids: Collection[UUID]) -> dict[UUID, str]:
    """The names of the given people (a machine client's labelled), for the unit head's overview."""
    return {user_id: colleague.name for user_id, colleague in (await _colleagues(session, user_ids)).items()}


async def organisation_names(session: AsyncSession, tenant_ids: Collection[UUID]) -> dict[UUID, str]:
    """The names of the given organisations: who is responsible for an intervention, who assesses."""
    return await tenant_names(session, tenant_ids)


@dataclass(frozen=True, slots=True)
class TeamPlace:
    """One person of the actor's organisation on a case's team."""

    user_id: UUID
    name: str
    role: TeamRole
    system: bool = False
    """A machine client (its system account), labelled as such in `name`."""


async def case_team(session: AsyncSession, actor: Actor, case_id: UUID) -> list[TeamPlace]:
    """The people of the actor's organisation on the case's team: the responsible officer first."""
    await case_for_actor(session, actor, case_id)
    rows = (
        await session.execute(
            select(CaseTeamMember.user_id, CaseTeamMember.role).where(
                CaseTeamMember.case_id == case_id, CaseTeamMember.tenant_id == actor.tenant_id
            )
        )
    ).all()
    colleagues = await _colleagues(session, [user_id for user_id, _role in rows])
    places = [
        TeamPlace(user_id, colleagues[user_id].name, TeamRole(role), colleagues[user_id].system)
        for user_id, role in rows
    ]
    return sorted(places, key=lambda place: (_ROLE_ORDER[place.role], place.name))
