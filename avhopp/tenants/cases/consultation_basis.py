"""What an anonymised consultation in a county network may take from a case, and nothing more.

The networks part asks through this one function and never reads the cases' tables. It answers coarse
codes only (affiliation, needs, the interventions tried, the phase) and the person's age in whole
years, read from the sealed personnummer (an audited read): no name, number, date, place, free text,
and not the case's id or number, so nothing of it leads back to the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from avhopp.platform.problems import NotFoundError
from avhopp.tenants.cases.access import case_for_actor
from avhopp.tenants.cases.models import PlannedIntervention
from avhopp.tenants.cases.person import open_person
from avhopp.tenants.cases.vocabulary import InterventionStatus

if TYPE_CHECKING:
    from datetime import date
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
    age: int | None
    """Whole years on `today`, from the personnummer or samordningsnummer; None when none is recorded."""


def age_on(personal_number: str, today: date) -> int | None:
    """The age in whole years of the person with this number (twelve digits, as stored), or None."""
    digits = personal_number.replace("-", "").replace("+", "")
    if len(digits) != 12 or not digits.isdigit():  # noqa: PLR2004 - YYYYMMDDNNNN
        return None
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    day -= 60 if day > 60 else 0  # noqa: PLR2004 - a samordningsnummer's day is the day of birth plus 60
    try:
        born = today.replace(year=year, month=month, day=day)
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


async def on_the_case_team(session: AsyncSession, actor: Actor, case_id: UUID) -> None:
    """Nothing, for the owner's team of the case; `NotFoundError` for anyone else, and for a missing case."""
    access = await case_for_actor(session, actor, case_id)
    if not access.owner or access.role is None:
        raise NotFoundError


async def consultation_basis(
    session: AsyncSession, secret_key: str, actor: Actor, case_id: UUID, today: date
) -> ConsultationBasis:
    """The basis, for the owner's team (`NotFoundError` for anyone else, and for a missing case)."""
    access = await case_for_actor(session, actor, case_id)
    if not access.owner or access.role is None:
        raise NotFoundError
    case = access.case
    person = await open_person(session, secret_key, actor, access)
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
        age=None if person.erased else age_on(person.details.personal_number, today),
    )
