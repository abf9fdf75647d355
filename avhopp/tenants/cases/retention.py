"""Erasure after retention.

A closed case keeps its identity for a number of years after its last entry (the tenant's
setting, 5 by default), then loses it and keeps only coded facts.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update

from avhopp.tenants.cases.audit import CaseAction, record_case_event
from avhopp.tenants.cases.cases import months_after
from avhopp.tenants.cases.models import CaseFile, CasePerson, Consent
from avhopp.tenants.cases.settings import retention_years_of

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession


async def erase_expired(session: AsyncSession, tenant_id: UUID, now: datetime) -> int:
    """Erase the identity and the documents of the tenant's cases past retention; returns how many.

    Row-level security lets this happen only to closed cases past their tenant's retention
    (the policies of migration 0015), whoever asks.
    """
    years = await retention_years_of(session, tenant_id)
    cutoff = datetime.combine(months_after(now.date(), -12 * years), now.timetz())
    expired = list(
        await session.scalars(
            select(CaseFile.id).where(
                CaseFile.tenant_id == tenant_id,
                CaseFile.closed_at.is_not(None),
                CaseFile.erased_at.is_(None),
                CaseFile.last_entry_at < cutoff,
            )
        )
    )
    if not expired:
        return 0
    await session.execute(delete(CasePerson).where(CasePerson.case_id.in_(expired)))
    await session.execute(
        update(Consent)
        .where(Consent.case_id.in_(expired))
        .values(document_sealed=None, document_type=None, purpose="", witnessed_by="")
    )
    await session.execute(update(CaseFile).where(CaseFile.id.in_(expired)).values(erased_at=now))
    for case_id in expired:
        await record_case_event(session, CaseAction.ERASED, case_id, tenant_id=tenant_id, actor=None)
    return len(expired)
