"""Erasure after retention.

A closed case keeps its identity for a number of years after its last entry (the tenant's
setting, 5 by default), then loses it and keeps only coded facts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.tenants.cases.audit import CaseAction, record_case_event

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession


async def erase_expired(session: AsyncSession, tenant_id: UUID, _now: datetime) -> int:
    """Erase the identity and the documents of the tenant's cases past retention; returns how many.

    The database's `erase_expired_cases()` (migration 0027) decides and erases, with its own
    clock, for the tenant the session acts for: no caller chooses what goes or when, and nothing
    else can delete a case's identity.
    """
    erased = list(await session.scalars(text("SELECT erase_expired_cases()")))
    for case_id in erased:
        await record_case_event(session, CaseAction.ERASED, case_id, tenant_id=tenant_id, actor=None)
    return len(erased)
