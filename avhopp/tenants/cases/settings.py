"""A tenant's choices for its cases: the follow-up schedule and how long identities are kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.dialects.postgresql import insert

from avhopp.platform.problems import FieldProblem, InvalidInputError
from avhopp.tenants.cases.models import CaseSettings

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

DEFAULT_FOLLOW_UP_MONTHS = (6, 12, 24, 36, 60, 96)
DEFAULT_RETENTION_YEARS = 5
MAX_FOLLOW_UPS = 12
MAX_MONTHS = 240
RETENTION_YEARS = range(1, 31)


@dataclass(frozen=True, slots=True)
class CaseRules:
    """When follow-ups fall due (months after the work began) and for how many years identities are kept."""

    follow_up_months: tuple[int, ...] = DEFAULT_FOLLOW_UP_MONTHS
    retention_years: int = DEFAULT_RETENTION_YEARS


async def case_rules(session: AsyncSession, tenant_id: UUID) -> CaseRules:
    """The tenant's rules, or the defaults."""
    row = await session.get(CaseSettings, tenant_id)
    if row is None:
        return CaseRules()
    return CaseRules(tuple(row.follow_up_months), row.retention_years)


async def set_case_rules(session: AsyncSession, tenant_id: UUID, rules: CaseRules) -> None:
    """Change the tenant's rules; they apply to cases whose work begins, and to erasure, from now on."""
    months = tuple(sorted(set(rules.follow_up_months)))
    problems = []
    if not months or len(months) > MAX_FOLLOW_UPS or not all(0 < month <= MAX_MONTHS for month in months):
        problems.append(
            FieldProblem(
                "follow_up_months", f"Ange 1–{MAX_FOLLOW_UPS} uppföljningar, 1–{MAX_MONTHS} månader efter start."
            )
        )
    if rules.retention_years not in RETENTION_YEARS:
        problems.append(FieldProblem("retention_years", "Ange hur många år uppgifterna sparas: 1–30."))
    if problems:
        raise InvalidInputError(problems)
    values = {"follow_up_months": list(months), "retention_years": rules.retention_years}
    await session.execute(
        insert(CaseSettings)
        .values(tenant_id=tenant_id, **values)
        .on_conflict_do_update(index_elements=[CaseSettings.tenant_id], set_=values)
    )
    await session.flush()
