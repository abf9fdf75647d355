"""Offers: the requester picks one proposal; the unit's owner accepts or declines before a deadline.

The owner sees what it needs to decide (household size, needs, risk level, wanted date), never who.
Acceptance re-checks every hard constraint of the engine against the state at that moment, under
one lock that every acceptance takes, so two acceptances can never together put two people in
conflict in one place or exceed a municipality's cap. A re-check that fails answers neutrally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import uuid4

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from avhopp.housing.engine.service import shortlist, violations
from avhopp.housing.placement.audit import PlacementAction, record_placement_event
from avhopp.housing.placement.common import (
    PLACEMENT_ADDRESS,
    UNIT_ADDRESS,
    opened_address,
    sealed_address,
)
from avhopp.housing.placement.feed import SETTINGS, engine_unit, national_state
from avhopp.housing.placement.models import HousingUnit, Locality, Offer, Placement
from avhopp.housing.placement.notices import (
    notify_national_of_many_shortlists,
    notify_offer_answered,
    notify_offer_received,
    notify_police_region,
)
from avhopp.housing.placement.ratelimit import count_shortlist
from avhopp.housing.placement.requests import engine_request, open_request, own_request, request_columns
from avhopp.housing.placement.vocabulary import DeclineReason, Need, OfferStatus, RiskLevel, UnitType
from avhopp.platform.heavy import off_loop
from avhopp.platform.jobs import enqueue
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases import service as cases

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.housing.placement.common import Actor

ANSWER_WITHIN = timedelta(days=3)
ACCEPTANCE_LOCK = 0x486F7573  # every acceptance in the country takes this one transaction-level lock
NEUTRAL_FAILURE = "Erbjudandet kan inte genomföras just nu. Den som begärde placeringen får nya förslag."
NOT_CURRENT = "Erbjudandet är inte längre aktuellt: det är återkallat eller redan besvarat."


@dataclass(frozen=True, slots=True)
class OfferLine:
    """An offer as the unit's owner sees it: what to decide on, and which of its units."""

    id: UUID
    unit_id: UUID
    unit_type: UnitType
    locality_name: str
    household_size: int
    needs: tuple[Need, ...]
    risk_level: RiskLevel
    wanted_from: date
    deadline_at: datetime
    status: OfferStatus
    decline_reason: DeclineReason | None


@dataclass(frozen=True, slots=True)
class Acceptance:
    """What an acceptance led to: a placement, or the neutral message."""

    placement_id: UUID | None
    identity_shared: bool = False
    message: str | None = None


async def make_offer(session: AsyncSession, actor: Actor, request_id: UUID, unit_id: UUID) -> UUID:
    """Send the unit's owner an offer for one proposal of the request's current shortlist."""
    row = await open_request(session, actor, request_id)
    now = datetime.now(UTC)
    if await count_shortlist(session, actor.tenant_id, actor.user_id, now):
        await enqueue(session, notify_national_of_many_shortlists)
    state = await national_state(session, swedish_date(now))
    answer = await off_loop(shortlist, state.prepared, engine_request(request_columns(row)))
    proposed = {proposal.unit_id for proposal in answer.proposals}
    if str(unit_id) not in proposed:
        raise InvalidInputError.one("unit_id", "Bostaden finns inte bland förslagen just nu. Hämta nya förslag.")
    offer = Offer(
        id=uuid4(),
        tenant_id=actor.tenant_id,
        owner_tenant_id=state.unit_owners[str(unit_id)],
        request_id=row.id,
        unit_id=unit_id,
        household_size=row.household_size,
        needs=list(row.needs),
        risk_level=row.risk_level,
        wanted_from=row.earliest_move_in,
        deadline_at=now + ANSWER_WITHIN,
        created_by=actor.user_id,
    )
    try:
        async with session.begin_nested():
            session.add(offer)
    except IntegrityError:
        raise InvalidInputError.one("unit_id", "Bostaden har just erbjudits någon annan. Hämta nya förslag.") from None
    await record_placement_event(
        session, PlacementAction.OFFER_MADE, "housing_offer", offer.id, tenant_id=actor.tenant_id, user_id=actor.user_id
    )
    await enqueue(session, notify_offer_received, offer_id=str(offer.id))
    return offer.id


async def withdraw_offer(session: AsyncSession, actor: Actor, offer_id: UUID) -> None:
    """The requester takes back a pending offer."""
    offer = await session.scalar(
        select(Offer).where(Offer.id == offer_id, Offer.tenant_id == actor.tenant_id).with_for_update()
    )
    if offer is None:
        raise NotFoundError
    await open_request_of_offer(session, actor, offer)
    if offer.status != OfferStatus.PENDING.value:
        raise InvalidInputError.one("offer_id", NOT_CURRENT)
    offer.status, offer.decided_at, offer.decided_by = OfferStatus.WITHDRAWN.value, datetime.now(UTC), actor.user_id
    await record_placement_event(
        session,
        PlacementAction.OFFER_WITHDRAWN,
        "housing_offer",
        offer.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )


async def open_request_of_offer(session: AsyncSession, actor: Actor, offer: Offer) -> None:
    """The actor must be on the team of the offer's case (NotFoundError otherwise)."""
    await own_request(session, actor, offer.request_id)


async def inbox(session: AsyncSession, tenant_id: UUID) -> list[OfferLine]:
    """Offers to the organisation's units, pending first, then the latest answered."""
    rows = await session.execute(
        select(Offer, HousingUnit.unit_type, Locality.name)
        .join(HousingUnit, HousingUnit.id == Offer.unit_id)
        .join(Locality, Locality.code == HousingUnit.locality_code)
        .where(Offer.owner_tenant_id == tenant_id, HousingUnit.tenant_id == tenant_id)
        .order_by((Offer.status != OfferStatus.PENDING.value), Offer.deadline_at, Offer.id)
        .limit(200)
    )
    return [
        OfferLine(
            id=offer.id,
            unit_id=offer.unit_id,
            unit_type=UnitType(unit_type),
            locality_name=locality,
            household_size=offer.household_size,
            needs=tuple(Need(need) for need in offer.needs),
            risk_level=RiskLevel(offer.risk_level),
            wanted_from=offer.wanted_from,
            deadline_at=offer.deadline_at,
            status=OfferStatus(offer.status),
            decline_reason=None if offer.decline_reason is None else DeclineReason(offer.decline_reason),
        )
        for offer, unit_type, locality in rows
    ]


async def _received(session: AsyncSession, actor: Actor, offer_id: UUID) -> Offer:
    offer = await session.scalar(
        select(Offer).where(Offer.id == offer_id, Offer.owner_tenant_id == actor.tenant_id).with_for_update()
    )
    if offer is None:
        raise NotFoundError
    if offer.status != OfferStatus.PENDING.value:
        raise InvalidInputError.one("offer_id", NOT_CURRENT)
    return offer


async def decline_offer(session: AsyncSession, actor: Actor, offer_id: UUID, reason: str) -> None:
    """Decline with a coded reason; the requester is told and may pick another proposal."""
    offer = await _received(session, actor, offer_id)
    if reason not in set(DeclineReason):
        raise InvalidInputError.one("reason", "Välj ett skäl.")
    offer.status, offer.decline_reason = OfferStatus.DECLINED.value, reason
    offer.decided_at, offer.decided_by = datetime.now(UTC), actor.user_id
    await record_placement_event(
        session,
        PlacementAction.OFFER_DECLINED,
        "housing_offer",
        offer.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
        reason=reason,
    )
    await enqueue(session, notify_offer_answered, offer_id=str(offer.id))


async def accept_offer(
    session: AsyncSession, secret_key: str, actor: Actor, offer_id: UUID, move_in_on: date | None = None
) -> Acceptance:
    """Accept before the deadline; every hard constraint is checked again under the acceptance lock.

    Raises:
        NotFoundError: no such offer to the actor's organisation.
        InvalidInputError: the offer is no longer pending, its deadline has passed, or the date is wrong.

    """
    offer = await _received(session, actor, offer_id)
    now = datetime.now(UTC)
    if now >= offer.deadline_at:
        raise InvalidInputError.one("offer_id", "Svarstiden för erbjudandet har gått ut.")
    moving_in = move_in_on or max(offer.wanted_from, swedish_date(now))
    if not swedish_date(now) - timedelta(days=7) <= moving_in <= swedish_date(now) + timedelta(days=365):
        raise InvalidInputError(
            [FieldProblem("move_in_on", "Ange en inflyttningsdag från förra veckan och högst ett år framåt.")]
        )
    # Until this transaction ends, no other acceptance reads the state or writes a placement.
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ACCEPTANCE_LOCK})
    basis = (await session.execute(text("SELECT * FROM housing_offer_basis(:id)"), {"id": offer.id})).mappings().one()
    unit = await session.scalar(select(HousingUnit).where(HousingUnit.id == offer.unit_id))
    locality = await session.get(Locality, unit.locality_code) if unit is not None else None
    if unit is None or locality is None or unit.withdrawn_at is not None:
        return await _failed(session, actor, offer, now)
    this_unit = engine_unit(
        {
            "unit_id": unit.id,
            "municipality_code": locality.municipality_code,
            "locality_code": locality.code,
            "latitude": locality.latitude,
            "longitude": locality.longitude,
            "unit_type": unit.unit_type,
            "max_household": unit.max_household,
            "available_from": unit.available_from,
            "monthly_cost_sek": unit.monthly_cost_sek,
            "features": unit.features,
        }
    )
    state = await national_state(session, swedish_date(now), extra_units=(this_unit,))
    request = engine_request(basis)
    if violations(state.prepared.context, SETTINGS, [request], {request.request_id: this_unit.unit_id}):
        return await _failed(session, actor, offer, now)
    placement_id = uuid4()
    address = opened_address(secret_key, UNIT_ADDRESS, unit.id, unit.address_sealed)
    shared = await cases.consent_shares_identity(session, basis["case_id"], actor.tenant_id)
    session.add(
        Placement(
            id=placement_id,
            tenant_id=basis["requester_tenant_id"],
            receiving_tenant_id=actor.tenant_id,
            request_id=basis["request_id"],
            offer_id=offer.id,
            case_id=basis["case_id"],
            unit_id=unit.id,
            municipality_code=locality.municipality_code,
            locality_code=locality.code,
            affiliations=list(basis["affiliations"]),
            move_in_on=moving_in,
            address_sealed=sealed_address(secret_key, PLACEMENT_ADDRESS, placement_id, address),
            identity_shared=shared,
            created_by=actor.user_id,
        )
    )
    offer.status, offer.decided_at, offer.decided_by = OfferStatus.ACCEPTED.value, now, actor.user_id
    await session.flush()
    await record_placement_event(
        session,
        PlacementAction.OFFER_ACCEPTED,
        "housing_offer",
        offer.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
    await enqueue(session, notify_offer_answered, offer_id=str(offer.id), consent_needed=not shared)
    await enqueue(session, notify_police_region, placement_id=str(placement_id))
    return Acceptance(placement_id=placement_id, identity_shared=shared)


async def _failed(session: AsyncSession, actor: Actor, offer: Offer, now: datetime) -> Acceptance:
    """The offer ends as failed; the requester is told (and asks for a new shortlist). No reason is given."""
    offer.status, offer.decided_at, offer.decided_by = OfferStatus.FAILED.value, now, actor.user_id
    await record_placement_event(
        session,
        PlacementAction.OFFER_FAILED,
        "housing_offer",
        offer.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
    await enqueue(session, notify_offer_answered, offer_id=str(offer.id))
    return Acceptance(placement_id=None, message=NEUTRAL_FAILURE)
