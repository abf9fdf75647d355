"""What an anonymised consultation in a county network may take from a case, and nothing more.

The networks part asks through this one function and never reads the cases' tables. It answers coarse
codes only (affiliation, needs, the interventions tried, the phase): no name, number, date, place,
free text, and not the case's id or number, so nothing of it leads back to the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from avhopp.platform.problems import NotFoundError
from avhopp.tenants.cases.access import case_for_actor
from avhopp.tenants.cases.models import PlannedIntervention
from avhopp.tenants.cases.vocabulary import InterventionStatus

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.access import Actor

TRIED = (InterventionStatus.ONGOING.value, InterventionStatus.DONE.value)


@dataclass(frozen=True, slots=True)
class ConsultationBasis:
    """A case's coarse codes for a consultation: never an identity, and no way back to the case."""

    affiliation: str | None
    needs: tuple[str, ...]
    interventions_tried: tuple[str, ...]
    """The action plan's interventions ongoing or done."""
    phase: str


async def consultation_basis(session: AsyncSession, actor: Actor, case_id: UUID) -> ConsultationBasis:
    """The basis, for the owner's team (`NotFoundError` for anyone else, and for a missing case)."""
    access = await case_for_actor(session, actor, case_id)
    if not access.owner or access.role is None:
        raise NotFoundError
    case = access.case
    tried = await session.scalars(
        select(PlannedIntervention.intervention)
        .where(PlannedIntervention.case_id == case_id, PlannedIntervention.status.in_(TRIED))
        .distinct()
    )
    return ConsultationBasis(
        affiliation=case.affiliation,
        needs=tuple(sorted(case.needs)),
        interventions_tried=tuple(sorted(tried)),
        phase=case.phase,
    )
