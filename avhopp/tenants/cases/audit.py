"""The cases part's audit actions (stable codes, stored in hashed rows) and one way to record them."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from avhopp.platform.audit import AuditEvent, record
from avhopp.platform.labels import register_labels

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.access import Actor


class CaseAction(enum.StrEnum):
    """What happened to a case. Reading a person's identity is the platform's `person.read`."""

    OPENED = "case.opened"
    INTAKE_RECORDED = "case.intake_recorded"
    TEAM_CHANGED = "case.team_changed"
    JOINED = "case.joined"
    EMERGENCY_ACCESS = "case.emergency_access"
    CONSENT_RECORDED = "case.consent_recorded"
    CONSENT_REVOKED = "case.consent_revoked"
    CONSENT_DOCUMENT_READ = "case.consent_document_read"
    THREAT_REQUESTED = "case.threat_requested"
    THREAT_RECORDED = "case.threat_recorded"
    PLAN_RECORDED = "case.plan_recorded"
    INTERVENTION_CHANGED = "case.intervention_changed"
    PHASE_CHANGED = "case.phase_changed"
    FOLLOW_UP_RECORDED = "case.follow_up_recorded"
    ERASED = "case.erased"


register_labels(
    (
        (CaseAction.OPENED, "Ärende öppnat"),
        (CaseAction.INTAKE_RECORDED, "Inledande bedömning registrerad"),
        (CaseAction.TEAM_CHANGED, "Ärendets team ändrat"),
        (CaseAction.JOINED, "Gick med i ett delat ärende"),
        (CaseAction.EMERGENCY_ACCESS, "Nödåtkomst till ärende"),
        (CaseAction.CONSENT_RECORDED, "Samtycke registrerat"),
        (CaseAction.CONSENT_REVOKED, "Samtycke återkallat"),
        (CaseAction.CONSENT_DOCUMENT_READ, "Läste ett undertecknat samtycke"),
        (CaseAction.THREAT_REQUESTED, "Hot- och riskbedömning begärd"),
        (CaseAction.THREAT_RECORDED, "Hot- och riskbedömning registrerad"),
        (CaseAction.PLAN_RECORDED, "Samverkansmöte och handlingsplan registrerade"),
        (CaseAction.INTERVENTION_CHANGED, "Insats uppdaterad"),
        (CaseAction.PHASE_CHANGED, "Ärendets skede ändrat"),
        (CaseAction.FOLLOW_UP_RECORDED, "Uppföljning registrerad"),
        (CaseAction.ERASED, "Personuppgifter gallrade"),
    )
)


async def record_case_event(  # noqa: PLR0913 - the event's fields, keyword-only
    session: AsyncSession,
    action: str,
    case_id: UUID,
    *,
    tenant_id: UUID,
    actor: Actor | None,
    reason: str | None = None,
) -> None:
    """Append one event about a case to the tenant's audit chain, in the caller's transaction.

    The actor is named by its account and, for a machine client, by the client too; None for a job.
    """
    await record(
        session,
        AuditEvent(
            action=action,
            tenant_id=tenant_id,
            actor_user_id=None if actor is None else actor.user_id,
            actor_client_id=None if actor is None else actor.client_id,
            object_type="case",
            object_id=str(case_id),
            reason=reason,
        ),
    )
