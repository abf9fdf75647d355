"""Who may open which case: the one access check every use case starts from.

It fails closed with `NotFoundError` for a case that does not exist, belongs to another tenant
and is not shared with this one, or is this tenant's but not the person's. Row-level security
(the policies of migration 0015) enforces the same rules again for every row read or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from avhopp.platform.problems import NotFoundError
from avhopp.tenants.cases.models import CaseFile, CaseGrant, CaseTeamMember, EmergencyAccess
from avhopp.tenants.cases.vocabulary import Category, TeamRole

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class Actor:
    """A person, or a machine client through its system account, acting for a tenant: every use case takes one."""

    tenant_id: UUID
    user_id: UUID
    """The person, or the machine client's system account: whose place on a team counts."""
    client_id: str | None = None
    """The machine client acting, which the audit names beside its account."""

    @property
    def system(self) -> bool:
        """A machine client acts."""
        return self.client_id is not None


@dataclass(frozen=True, slots=True)
class CaseAccess:
    """A case as the actor may see it."""

    case: CaseFile
    owner: bool
    """The actor's tenant owns the case (its team sees everything)."""
    categories: frozenset[Category]
    contributes: bool
    grant_id: UUID | None
    """The grant the actor sees it under, when not the owner's."""
    role: TeamRole | None
    """The actor's place on the team; None under emergency access."""

    def may_see(self, category: Category) -> bool:
        """Whether the actor may see this category of the case."""
        return category in self.categories

    def reason(self) -> str | None:
        """For the audit: under which consent's grant the actor reads, if not as the owner."""
        return None if self.grant_id is None else f"grant:{self.grant_id}"


def active_grant() -> list[ColumnElement[bool]]:
    """SQL conditions of a grant that runs now (as row-level security reads them)."""
    now = func.now()
    return [CaseGrant.revoked_at.is_(None), CaseGrant.valid_from <= now, CaseGrant.valid_until > now]


async def case_for_actor(session: AsyncSession, actor: Actor, case_id: UUID) -> CaseAccess:
    """The case, if the actor is on its team (or has emergency access); NotFoundError otherwise."""
    case = await session.get(CaseFile, case_id)
    if case is None:
        raise NotFoundError
    role = await session.scalar(
        select(CaseTeamMember.role).where(
            CaseTeamMember.case_id == case_id,
            CaseTeamMember.user_id == actor.user_id,
            CaseTeamMember.tenant_id == actor.tenant_id,
        )
    )
    if case.tenant_id == actor.tenant_id:
        if role is None and not await has_emergency_access(session, actor, case_id):
            raise NotFoundError
        return CaseAccess(
            case,
            owner=True,
            categories=frozenset(Category),
            contributes=True,
            grant_id=None,
            role=None if role is None else TeamRole(role),
        )
    grant = (
        await session.execute(
            select(CaseGrant.id, CaseGrant.categories, CaseGrant.contributes).where(
                CaseGrant.case_id == case_id, CaseGrant.tenant_id == actor.tenant_id, *active_grant()
            )
        )
    ).first()
    if grant is None or role is None:
        raise NotFoundError
    categories = frozenset(Category(category) for category in grant.categories)
    return CaseAccess(
        case,
        owner=False,
        categories=categories,
        contributes=grant.contributes,
        grant_id=grant.id,
        role=TeamRole(role),
    )


async def has_emergency_access(session: AsyncSession, actor: Actor, case_id: UUID) -> bool:
    """Whether the actor opened the case through a recorded emergency access that still runs."""
    return (
        await session.scalar(
            select(EmergencyAccess.id).where(
                EmergencyAccess.case_id == case_id,
                EmergencyAccess.user_id == actor.user_id,
                EmergencyAccess.tenant_id == actor.tenant_id,
                EmergencyAccess.expires_at > datetime.now(UTC),
            )
        )
    ) is not None


async def shared_grant(session: AsyncSession, tenant_id: UUID, case_id: UUID) -> CaseGrant:
    """The running grant by which a case is shared with the tenant; NotFoundError if none."""
    grant = await session.scalar(
        select(CaseGrant).where(CaseGrant.case_id == case_id, CaseGrant.tenant_id == tenant_id, *active_grant())
    )
    if grant is None:
        raise NotFoundError
    return grant
