"""The placement part's audit actions (stable codes, stored in hashed rows) and one way to record them."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from avhopp.platform.audit import AuditEvent, record
from avhopp.platform.labels import register_labels

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession


class PlacementAction(enum.StrEnum):
    """What happened in placement. Every read of an address and of an explanation is one."""

    UNIT_REGISTERED = "housing.unit_registered"
    UNIT_WITHDRAWN = "housing.unit_withdrawn"
    UNIT_ADDRESS_READ = "housing.unit_address_read"
    INTAKE_DECLARED = "housing.intake_declared"
    REQUEST_CREATED = "housing.request_created"
    REQUEST_WITHDRAWN = "housing.request_withdrawn"
    SHORTLIST_REQUESTED = "housing.shortlist_requested"
    EXPLANATION_VIEWED = "housing.explanation_viewed"
    OFFER_MADE = "housing.offer_made"
    OFFER_WITHDRAWN = "housing.offer_withdrawn"
    OFFER_DECLINED = "housing.offer_declined"
    OFFER_ACCEPTED = "housing.offer_accepted"
    OFFER_FAILED = "housing.offer_failed"
    PLACEMENT_ADDRESS_READ = "housing.placement_address_read"
    MOVED_OUT = "housing.moved_out"
    TRANSFER_PROPOSED = "housing.transfer_proposed"
    TRANSFER_AGREED = "housing.transfer_agreed"
    TRANSFER_DISPUTED = "housing.transfer_disputed"
    PAYMENT_EXPORTED = "housing.payment_exported"
    ROUND_GATHERED = "housing.round_gathered"
    ROUND_VIEWED = "housing.round_viewed"
    ROUND_SENT = "housing.round_sent"
    ROUND_CANCELLED = "housing.round_cancelled"


register_labels(
    (
        (PlacementAction.UNIT_REGISTERED, "Bostad registrerad"),
        (PlacementAction.UNIT_WITHDRAWN, "Bostad tillbakadragen"),
        (PlacementAction.UNIT_ADDRESS_READ, "Läste en bostads adress"),
        (PlacementAction.INTAKE_DECLARED, "Mottagande deklarerat"),
        (PlacementAction.REQUEST_CREATED, "Placering begärd"),
        (PlacementAction.REQUEST_WITHDRAWN, "Placeringsbegäran återkallad"),
        (PlacementAction.SHORTLIST_REQUESTED, "Förslag på boende hämtade"),
        (PlacementAction.EXPLANATION_VIEWED, "Läste placeringsmotorns förklaring"),
        (PlacementAction.OFFER_MADE, "Erbjudande skickat"),
        (PlacementAction.OFFER_WITHDRAWN, "Erbjudande återkallat"),
        (PlacementAction.OFFER_DECLINED, "Erbjudande avböjt"),
        (PlacementAction.OFFER_ACCEPTED, "Erbjudande antaget"),
        (PlacementAction.OFFER_FAILED, "Erbjudande kunde inte genomföras"),
        (PlacementAction.PLACEMENT_ADDRESS_READ, "Läste en placerings adress"),
        (PlacementAction.MOVED_OUT, "Utflyttning registrerad"),
        (PlacementAction.TRANSFER_PROPOSED, "Överföring av betalningsansvar föreslagen"),
        (PlacementAction.TRANSFER_AGREED, "Överföring av betalningsansvar godkänd"),
        (PlacementAction.TRANSFER_DISPUTED, "Överföring av betalningsansvar bestridd"),
        (PlacementAction.PAYMENT_EXPORTED, "Betalningsansvar exporterat för ekonomin"),
        (PlacementAction.ROUND_GATHERED, "Nationell placeringsomgång beräknad"),
        (PlacementAction.ROUND_VIEWED, "Läste en nationell omgångs förklaringar"),
        (PlacementAction.ROUND_SENT, "Nationell omgångs erbjudanden skickade"),
        (PlacementAction.ROUND_CANCELLED, "Nationell placeringsomgång avbruten"),
    )
)


async def record_placement_event(  # noqa: PLR0913 - the event's fields, keyword-only
    session: AsyncSession,
    action: PlacementAction,
    object_type: str,
    object_id: UUID,
    *,
    tenant_id: UUID,
    user_id: UUID | None,
    reason: str | None = None,
) -> None:
    """Append one event to the tenant's audit chain, in the caller's transaction."""
    await record(
        session,
        AuditEvent(
            action=action.value,
            tenant_id=tenant_id,
            actor_user_id=user_id,
            object_type=object_type,
            object_id=str(object_id),
            reason=reason,
        ),
    )
