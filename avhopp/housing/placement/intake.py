"""A municipality's declaration of what it receives: a cap a year, a pause with an end date, who handles offers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from avhopp.housing.engine.service import EngineSettings
from avhopp.housing.placement.audit import PlacementAction, record_placement_event
from avhopp.housing.placement.common import checked_text
from avhopp.housing.placement.models import Intake
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.times import swedish_date
from avhopp.tenants.registry.service import tenant_municipalities

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.housing.placement.common import Actor

MAX_PAUSE = timedelta(days=366)
MAX_CAP = 100_000
MIN_NAME = 2


@dataclass(frozen=True, slots=True)
class IntakeInput:
    """What the municipality declares; no cap means the default from its population."""

    handled_by: str
    yearly_cap: int | None = None
    paused_until: date | None = None


@dataclass(frozen=True, slots=True)
class IntakeView:
    """The declaration as it applies today."""

    municipality_code: str
    handled_by: str
    yearly_cap: int | None
    default_cap: int
    paused_until: date | None

    @property
    def cap(self) -> int:
        """The cap the engine applies."""
        return self.default_cap if self.yearly_cap is None else self.yearly_cap

    def paused_on(self, day: date) -> bool:
        """Whether intake is paused on `day`."""
        return self.paused_until is not None and day <= self.paused_until


def default_cap(municipality_code: str) -> int:
    """As the engine computes it when nothing is declared: per 10,000 inhabitants, at least 1."""
    population = next(m.population or 1 for m in shipped_geography().municipalities if m.code == municipality_code)
    return max(1, math.floor(population * EngineSettings().default_cap_per_10k / 10_000))


async def _municipality(session: AsyncSession, tenant_id: UUID) -> str:
    code = (await tenant_municipalities(session, [tenant_id])).get(tenant_id)
    if code is None:
        raise NotFoundError
    return code


async def intake_of(session: AsyncSession, tenant_id: UUID) -> IntakeView:
    """The municipality's declaration, or the defaults; NotFoundError for a tenant that is no municipality."""
    code = await _municipality(session, tenant_id)
    declared = await session.get(Intake, tenant_id)
    return IntakeView(
        municipality_code=code,
        handled_by="" if declared is None else declared.handled_by,
        yearly_cap=None if declared is None else declared.yearly_cap,
        default_cap=default_cap(code),
        paused_until=None if declared is None else declared.paused_until,
    )


async def declare_intake(session: AsyncSession, actor: Actor, declared: IntakeInput) -> IntakeView:
    """Record the declaration; InvalidInputError names each wrong field in Swedish."""
    await _municipality(session, actor.tenant_id)
    problems: list[FieldProblem] = []
    handled_by = checked_text("handled_by", declared.handled_by, 200, problems, missing=None)
    if len(handled_by) < MIN_NAME:
        problems.append(FieldProblem("handled_by", "Skriv vilken funktion som tar emot erbjudanden."))
    if declared.yearly_cap is not None and (
        isinstance(declared.yearly_cap, bool) or not 0 <= declared.yearly_cap <= MAX_CAP
    ):
        problems.append(FieldProblem("yearly_cap", "Ange taket som ett heltal, 0 eller mer, eller lämna det tomt."))
    today = swedish_date()
    if declared.paused_until is not None and not today <= declared.paused_until <= today + MAX_PAUSE:
        problems.append(FieldProblem("paused_until", "En paus slutar tidigast i dag och senast om ett år."))
    if problems:
        raise InvalidInputError(problems)
    row = await session.get(Intake, actor.tenant_id)
    if row is None:
        row = Intake(tenant_id=actor.tenant_id)
        session.add(row)
    row.handled_by = handled_by
    row.yearly_cap = declared.yearly_cap
    row.paused_until = declared.paused_until
    row.updated_at = datetime.now(UTC)
    row.updated_by = actor.user_id
    await session.flush()
    await record_placement_event(
        session,
        PlacementAction.INTAKE_DECLARED,
        "housing_intake",
        actor.tenant_id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
    return await intake_of(session, actor.tenant_id)
