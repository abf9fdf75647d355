"""The guidance line's referrals, received in the case workspace.

Accepting one opens a draft case with only what the caller agreed to share. Reading one is an
audited read of what the person shared, as reading a case's person is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.directory.line.service import (
    Decision,
    ReferralStatus,
    ReferralView,
    decide_referral,
    inbox_of_tenant,
    open_referral,
)
from avhopp.platform.audit import Action, AuditEvent, record
from avhopp.tenants.cases.cases import NewCase, open_case
from avhopp.tenants.cases.person import Intake, PersonDetails
from avhopp.tenants.cases.vocabulary import ContactSource

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.access import Actor

__all__ = ["ReferralStatus", "ReferralView", "accept_referral", "decline_referral", "read_referral", "referral_inbox"]

UNANSWERED = frozenset({ReferralStatus.SENT, ReferralStatus.OPENED})
"""A referral in these states still waits for the receiver's answer."""


async def referral_inbox(session: AsyncSession, actor: Actor) -> list[ReferralView]:
    """The referrals the guidance line sent to the actor's organisation, newest first."""
    return await inbox_of_tenant(session, actor.tenant_id)


async def read_referral(session: AsyncSession, actor: Actor, referral_id: UUID) -> ReferralView:
    """One referral to the actor's organisation (the first look marks it opened); the read is audited."""
    view = await open_referral(session, actor.tenant_id, referral_id)
    await record(
        session,
        AuditEvent(
            Action.PERSON_READ, actor.tenant_id, actor.user_id, object_type="referral", object_id=str(referral_id)
        ),
    )
    return view


async def accept_referral(session: AsyncSession, secret_key: str, actor: Actor, referral_id: UUID) -> UUID:
    """Accept a referral sent to the actor's tenant and open a draft case from it; returns the case."""
    referral = await decide_referral(
        session, actor.tenant_id, actor.user_id, referral_id, Decision(accept=True, reason="")
    )
    return await open_case(
        session,
        secret_key,
        actor,
        NewCase(
            contact_source=ContactSource.GUIDANCE_LINE,
            person=PersonDetails(name="", safe_contact=referral.safe_contact),
            intake=Intake(situation=referral.shared_information),
            referral_id=referral.id,
        ),
    )


async def decline_referral(session: AsyncSession, actor: Actor, referral_id: UUID, reason: str) -> None:
    """Decline a referral sent to the actor's tenant, with a reason the line sees."""
    await decide_referral(session, actor.tenant_id, actor.user_id, referral_id, Decision(accept=False, reason=reason))
