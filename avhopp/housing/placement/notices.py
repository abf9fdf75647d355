"""What placement tells people, through the platform's notifications: a kind and a link, nothing personal.

An offer is the requester's change but its receivers are another tenant's people, and a placement
concerns the police region of the receiving municipality: jobs committed with the change find and
notify them, each acting for the tenant it notifies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import select

from avhopp.housing.placement.common import DESIGNATED_ROLES
from avhopp.housing.placement.models import Offer, Placement, Transfer
from avhopp.platform.database import act_for_tenant
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.jobs import job
from avhopp.platform.notifications import notify, register_kind
from avhopp.tenants.registry.service import (
    Role,
    TenantKind,
    members_with_roles,
    national_coordinator_id,
    tenant_ids_of_kind_in_counties,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

OFFER_RECEIVED = register_kind("housing_offer_received", "Nytt erbjudande om placering att besvara")
OFFER_DUE = register_kind("housing_offer_due", "Ett erbjudande om placering ska besvaras inom ett dygn")
OFFER_EXPIRED = register_kind("housing_offer_expired", "Ett erbjudande om placering besvarades inte i tid")
OFFER_ANSWERED = register_kind("housing_offer_answered", "Ett erbjudande om placering har besvarats")
CONSENT_NEEDED = register_kind(
    "housing_consent_needed", "En placering är antagen: utöka samtycket så att mottagaren får se identiteten"
)
POLICE_PLACEMENT = register_kind(
    "housing_police_placement",
    "En person under ert skydd har flyttat in i er region (detaljer i ärendet, enligt samtycke)",
)
ROUND_OFFER = register_kind(
    "housing_round_offer", "Den nationella samordnaren har skickat ett erbjudande om placering för er begäran"
)
MANY_SHORTLISTS = register_kind(
    "housing_many_shortlists", "En organisation har hämtat placeringsförslag ovanligt många gånger på kort tid"
)
TRANSFER_NOTICES = {
    "proposed": register_kind(
        "housing_transfer_proposed", "En kommun föreslår att betalningsansvaret för en placering förs över"
    ),
    "agreed": register_kind(
        "housing_transfer_agreed", "En överföring av betalningsansvaret för en placering är godkänd"
    ),
    "disputed": register_kind(
        "housing_transfer_disputed", "En överföring av betalningsansvaret för en placering är bestridd"
    ),
}
INBOX_LINK = "/placering/erbjudanden"
NATIONAL_LINK = "/placering/nationell"
POLICE_LINK = "/arenden/hotbedomningar"


def request_link(request_id: UUID) -> str:
    """The requester's page of one request."""
    return f"/placering/begaran/{request_id}"


@job()
async def notify_offer_received(session: AsyncSession, *, offer_id: str) -> None:
    """Tell the unit owner's designated staff that an offer waits (runs for the requester)."""
    owner = await session.scalar(select(Offer.owner_tenant_id).where(Offer.id == UUID(offer_id)))
    if owner is None:
        return
    await act_for_tenant(session, owner)
    staff = await members_with_roles(session, owner, DESIGNATED_ROLES)
    await notify(session, owner, staff, OFFER_RECEIVED, INBOX_LINK)


@job()
async def notify_offer_answered(session: AsyncSession, *, offer_id: str, consent_needed: bool = False) -> None:
    """Tell the officer who made the offer that it was answered (runs for the unit's owner)."""
    offer = (
        await session.execute(
            select(Offer.tenant_id, Offer.created_by, Offer.request_id).where(Offer.id == UUID(offer_id))
        )
    ).one_or_none()
    if offer is None or offer.created_by is None:
        return
    await act_for_tenant(session, offer.tenant_id)
    kind = CONSENT_NEEDED if consent_needed else OFFER_ANSWERED
    await notify(session, offer.tenant_id, [offer.created_by], kind, request_link(offer.request_id))


@job()
async def notify_round_offer(session: AsyncSession, *, offer_id: str, requester_tenant_id: str) -> None:
    """A national round sent an offer: tell the officer who asked, then the unit owner's designated staff.

    Runs for the national coordinator, who sees no offer: it acts for the requester to read it.
    """
    requester = UUID(requester_tenant_id)
    await act_for_tenant(session, requester)
    offer = (
        await session.execute(
            select(Offer.created_by, Offer.request_id, Offer.owner_tenant_id).where(
                Offer.id == UUID(offer_id), Offer.tenant_id == requester
            )
        )
    ).one_or_none()
    if offer is None:
        return
    if offer.created_by is not None:
        await notify(session, requester, [offer.created_by], ROUND_OFFER, request_link(offer.request_id))
    await act_for_tenant(session, offer.owner_tenant_id)
    staff = await members_with_roles(session, offer.owner_tenant_id, DESIGNATED_ROLES)
    await notify(session, offer.owner_tenant_id, staff, OFFER_RECEIVED, INBOX_LINK)


def payment_link(placement_id: UUID) -> str:
    """The payment page of one placement."""
    return f"/placering/betalningsansvar/{placement_id}"


@job()
async def notify_transfer(session: AsyncSession, *, transfer_id: str, event: str) -> None:
    """Tell the other municipality's placement coordinators of a proposal, an agreement or a dispute.

    Runs for the side that acted; the notice is a kind and a link to the placement's payment page.
    """
    transfer = (
        await session.execute(
            select(
                Transfer.placement_id,
                Transfer.tenant_id,
                Transfer.receiving_tenant_id,
                Transfer.proposed_by_tenant_id,
                Transfer.decided_by_tenant_id,
            ).where(Transfer.id == UUID(transfer_id))
        )
    ).one_or_none()
    if transfer is None or event not in TRANSFER_NOTICES:
        return
    acted = transfer.proposed_by_tenant_id if event == "proposed" else transfer.decided_by_tenant_id
    other = transfer.receiving_tenant_id if acted == transfer.tenant_id else transfer.tenant_id
    await act_for_tenant(session, other)
    staff = await members_with_roles(session, other, DESIGNATED_ROLES)
    await notify(session, other, staff, TRANSFER_NOTICES[event], payment_link(transfer.placement_id))


@job()
async def notify_police_region(session: AsyncSession, *, placement_id: str) -> None:
    """Tell the police region of the receiving municipality that someone under its protection moved in.

    No address and no identity: the security officers of the police tenants in the region's counties
    get a kind and a link to their assessments; the details are in the case, under its consent.
    """
    municipality = await session.scalar(select(Placement.municipality_code).where(Placement.id == UUID(placement_id)))
    if municipality is None:
        return
    geography = shipped_geography()
    county = next(m.county_code for m in geography.municipalities if m.code == municipality)
    region = next(c.police_region_code for c in geography.counties if c.code == county)
    counties = [c.code for c in geography.counties if c.police_region_code == region]
    for police in await tenant_ids_of_kind_in_counties(session, TenantKind.OTHER_AUTHORITY, counties):
        await act_for_tenant(session, police)
        officers = await members_with_roles(session, police, [Role.SECURITY_OFFICER])
        await notify(session, police, officers, POLICE_PLACEMENT, POLICE_LINK)


@job()
async def notify_national_of_many_shortlists(session: AsyncSession) -> None:
    """Tell the national placement coordinators that someone reached the shortlist limit.

    Many requests in a short while may vary their parameters to learn where others live. Who, and
    which requests, are in the requesting organisation's audit trail; the notice names neither.
    """
    national = await national_coordinator_id(session)
    if national is None:
        return
    await act_for_tenant(session, national)
    coordinators = await members_with_roles(session, national, [Role.PLACEMENT_NATIONAL])
    await notify(session, national, coordinators, MANY_SHORTLISTS, NATIONAL_LINK)
