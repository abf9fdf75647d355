"""Follow-up reminders: the responsible officer before each due date, the unit head when one is two weeks late.

Notifications carry a kind and a link only: nothing about the person reaches them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from avhopp.platform.notifications import notify, register_kind
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.cases import HEAD_ROLES, LATE_AFTER, case_link
from avhopp.tenants.cases.models import CaseFile, CaseTeamMember, FollowUp
from avhopp.tenants.cases.vocabulary import CLOSED_PHASES, TeamRole
from avhopp.tenants.registry.service import members_with_roles, people_among

if TYPE_CHECKING:
    from datetime import date, datetime
    from uuid import UUID

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

REMIND_BEFORE = timedelta(days=14)
OVERVIEW_LINK = "/arenden/oversikt"

FOLLOW_UP_DUE = register_kind("case_follow_up_due", "En uppföljning ska göras snart")
FOLLOW_UP_LATE = register_kind("case_follow_up_late", "En uppföljning är mer än två veckor sen")


def _open_case() -> ColumnElement[bool]:
    return CaseFile.phase.not_in([phase.value for phase in CLOSED_PHASES])


async def remind_follow_ups(session: AsyncSession, tenant_id: UUID, now: datetime) -> int:
    """Remind and escalate, each once; returns how many notifications were due (acting for the tenant)."""
    today: date = swedish_date(now)
    due = list(
        await session.execute(
            select(FollowUp, CaseTeamMember.user_id)
            .join(CaseFile, CaseFile.id == FollowUp.case_id)
            .join(
                CaseTeamMember,
                (CaseTeamMember.case_id == FollowUp.case_id) & (CaseTeamMember.role == TeamRole.RESPONSIBLE.value),
            )
            .where(
                FollowUp.tenant_id == tenant_id,
                FollowUp.done_at.is_(None),
                FollowUp.reminded_at.is_(None),
                FollowUp.due_on <= today + REMIND_BEFORE,
                _open_case(),
            )
        )
    )
    for follow_up, responsible in due:
        follow_up.reminded_at = now
        # A machine client that is responsible is reminded of nothing; the unit head hears when it is late.
        await notify(
            session, tenant_id, await people_among(session, [responsible]), FOLLOW_UP_DUE, case_link(follow_up.case_id)
        )
    late = list(
        await session.scalars(
            select(FollowUp)
            .join(CaseFile, CaseFile.id == FollowUp.case_id)
            .where(
                FollowUp.tenant_id == tenant_id,
                FollowUp.done_at.is_(None),
                FollowUp.escalated_at.is_(None),
                FollowUp.due_on < today - LATE_AFTER,
                _open_case(),
            )
        )
    )
    if late:
        heads = await members_with_roles(session, tenant_id, HEAD_ROLES)
        for follow_up in late:
            follow_up.escalated_at = now
        await notify(session, tenant_id, heads, FOLLOW_UP_LATE, OVERVIEW_LINK)
    await session.flush()
    return len(due) + len(late)
