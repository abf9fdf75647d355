"""What a placement request takes from a case, and nothing more: coded facts, no identity.

The housing part asks through these two functions and never reads the cases' tables. The basis
is given only to the owner's team and only while a running consent covers housing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.access import active_grant, case_for_actor
from avhopp.tenants.cases.models import CaseGrant, Consent, PlannedIntervention, ThreatAssessment
from avhopp.tenants.cases.vocabulary import CLOSED_PHASES, AreaKind, Category, Phase

if TYPE_CHECKING:
    from datetime import date
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.access import Actor


@dataclass(frozen=True, slots=True)
class PlacementThreat:
    """The latest recorded police assessment, as codes."""

    level: str
    """none, latent or serious."""
    scope: str
    """local, regional or national."""
    area_kind: str | None
    areas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlacementBasis:
    """A case's coded facts for a placement request: never a name, number or address."""

    case_id: UUID
    tenant_id: UUID
    affiliation: str | None
    needs: frozenset[str]
    """The case's intervention codes (supported housing, addiction care, ...)."""
    threat: PlacementThreat | None
    """None when no assessment has been recorded."""
    acute: bool
    supporting_tenants: tuple[UUID, ...]
    """Organisations responsible for the action plan's running interventions, the case's own first."""


async def placement_basis(session: AsyncSession, actor: Actor, case_id: UUID) -> PlacementBasis:
    """The basis, for the owner's team, when a running consent covers housing.

    Raises:
        NotFoundError: the actor is not on the owner's team of the case.
        InvalidInputError: the case is closed, or no running consent covers housing.

    """
    access = await case_for_actor(session, actor, case_id)
    if not access.owner or access.role is None:
        raise NotFoundError
    case = access.case
    if Phase(case.phase) in CLOSED_PHASES:
        raise InvalidInputError([FieldProblem("case_id", "Ärendet är avslutat.")])
    today = swedish_date()
    covered = await session.scalar(
        select(Consent.id).where(
            Consent.case_id == case_id,
            Consent.revoked_at.is_(None),
            Consent.valid_from <= today,
            Consent.valid_until > today,
            Consent.categories.contains([Category.HOUSING.value]),
        )
    )
    if covered is None:
        raise InvalidInputError(
            [FieldProblem("case_id", "Personens samtycke omfattar inte boende. Registrera ett samtycke som gör det.")]
        )
    return PlacementBasis(
        case_id=case.id,
        tenant_id=case.tenant_id,
        affiliation=case.affiliation,
        needs=frozenset(case.needs),
        threat=await _latest_threat(session, case_id),
        acute=case.phase in {Phase.DRAFT.value, Phase.ACUTE.value},
        supporting_tenants=await _supporting(session, case_id, case.tenant_id, today),
    )


async def _latest_threat(session: AsyncSession, case_id: UUID) -> PlacementThreat | None:
    latest = await session.scalar(
        select(ThreatAssessment)
        .where(ThreatAssessment.case_id == case_id, ThreatAssessment.recorded_at.is_not(None))
        .order_by(ThreatAssessment.recorded_at.desc())
        .limit(1)
    )
    if latest is None or latest.level is None or latest.scope is None:
        return None
    kind = None if latest.area_kind is None else AreaKind(latest.area_kind).value
    return PlacementThreat(latest.level, latest.scope, kind, tuple(latest.areas))


async def _supporting(session: AsyncSession, case_id: UUID, owner: UUID, today: date) -> tuple[UUID, ...]:
    responsible = await session.scalars(
        select(PlannedIntervention.responsible_tenant_id)
        .where(
            PlannedIntervention.case_id == case_id,
            PlannedIntervention.status.in_(("planned", "ongoing")),
            PlannedIntervention.starts_on <= today,
        )
        .order_by(PlannedIntervention.starts_on)
    )
    others = [tenant for tenant in responsible if tenant != owner]
    return (owner, *dict.fromkeys(others))


async def consent_shares_identity(session: AsyncSession, case_id: UUID, tenant_id: UUID) -> bool:
    """Whether a running consent lets `tenant_id` see the case's identity (as that tenant's transaction sees it)."""
    return (
        await session.scalar(
            select(CaseGrant.id).where(
                CaseGrant.case_id == case_id,
                CaseGrant.tenant_id == tenant_id,
                CaseGrant.categories.contains([Category.IDENTITY.value]),
                *active_grant(),
            )
        )
    ) is not None
