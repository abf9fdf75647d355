"""A request for a placement from a case, its shortlist, and the national coordinator's explanation.

The request takes the case's coded facts through the cases part's service (never its tables):
the threat scope from the police's latest assessment, the coded affiliation, needs, and the
municipality of the supporting operation. The requester sees the engine's shortlist and nothing
more; the answer takes at least `SHORTLIST_FLOOR_SECONDS`, so its time says nothing either.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text

from avhopp.housing.engine.service import (
    Need,
    Shortlist,
    ThreatLevel,
    ThreatScope,
    explain_request,
    shortlist,
)
from avhopp.housing.engine.service import (
    PlacementRequest as EngineRequest,
)
from avhopp.housing.placement.audit import PlacementAction, record_placement_event
from avhopp.housing.placement.common import checked_text
from avhopp.housing.placement.feed import national_state
from avhopp.housing.placement.models import MAX_HOUSEHOLD, Offer, Placement, PlacementRequest
from avhopp.housing.placement.notices import notify_national_of_many_shortlists
from avhopp.housing.placement.ratelimit import count_shortlist
from avhopp.housing.placement.vocabulary import OfferStatus, RequestState, RiskLevel
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.heavy import off_loop
from avhopp.platform.jobs import enqueue
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases import service as cases
from avhopp.tenants.registry.service import tenant_municipalities

if TYPE_CHECKING:
    from collections.abc import Mapping
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.housing.engine.service import PlacementExplanation
    from avhopp.housing.placement.common import Actor

SHORTLIST_FLOOR_SECONDS = 0.3
"""Every shortlist answer takes at least this long, whatever the engine found or excluded."""
MAX_EARLIEST = timedelta(days=365)
_CASE_NEEDS = {"supported_housing": Need.SUPPORTED_HOUSING, "addiction_care": Need.ADDICTION_CARE}


@dataclass(frozen=True, slots=True)
class RequestInput:
    """What the officer adds to the case's facts."""

    case_id: UUID
    household_size: int
    earliest_move_in: date
    needs: tuple[str, ...] = ()
    """Needs beyond those the case records (accessibility, for one)."""
    no_assessment_reason: str = ""
    """Why no police assessment is needed, when none is recorded."""


@dataclass(frozen=True, slots=True)
class RequestView:
    """A request as its case team sees it."""

    id: UUID
    case_id: UUID
    state: RequestState
    risk_level: RiskLevel
    household_size: int
    needs: tuple[Need, ...]
    earliest_move_in: date
    created_at: datetime
    offers: tuple[Offer, ...]
    placement: Placement | None


def _cases_actor(actor: Actor) -> cases.Actor:
    return cases.Actor(actor.tenant_id, actor.user_id)


def _threat(basis: cases.PlacementBasis, origin: str) -> tuple[ThreatLevel, list[str], list[str], list[str]]:
    """The police's scope as the engine reads it: municipalities, counties, police regions."""
    threat = basis.threat
    if threat is None:
        return ThreatLevel.LOCAL, [origin], [], []
    if threat.scope == "national":
        # A threat in the whole country leaves nowhere the engine may propose: every region is named.
        return ThreatLevel.NATIONAL, [], [], sorted(shipped_geography().police_regions)
    areas = sorted(threat.areas)
    if threat.area_kind == "county":
        return ThreatLevel.REGIONAL, [], areas, []
    if threat.area_kind == "police_region":
        return ThreatLevel.REGIONAL, [], [], areas
    return ThreatLevel.LOCAL, areas or [origin], [], []


def request_columns(row: PlacementRequest) -> dict[str, Any]:
    """A stored request in the columns of the basis functions of migration 0017."""
    return {column.key: getattr(row, column.key) for column in PlacementRequest.__table__.columns} | {
        "request_id": row.id
    }


def engine_request(columns: Mapping[Any, Any]) -> EngineRequest:
    """A request's basis (see `request_columns`) as the engine's request."""
    return EngineRequest(
        request_id=str(columns["request_id"]),
        origin_municipality=columns["origin_municipality"],
        threat=ThreatScope(
            level=ThreatLevel(columns["threat_level"]),
            municipality_codes=frozenset(columns["threat_municipalities"]),
            county_codes=frozenset(columns["threat_counties"]),
            police_region_codes=frozenset(columns["threat_police_regions"]),
        ),
        affiliations=frozenset(columns["affiliations"]),
        household_size=columns["household_size"],
        needs=frozenset(Need(need) for need in columns["needs"]),
        earliest_move_in=columns["earliest_move_in"],
        operation_municipality=columns["operation_municipality"],
        acute=columns["acute"],
    )


def _checked(request: RequestInput, basis: cases.PlacementBasis, today: date) -> tuple[frozenset[Need], str | None]:
    problems: list[FieldProblem] = []
    if isinstance(request.household_size, bool) or not 1 <= request.household_size <= MAX_HOUSEHOLD:
        problems.append(FieldProblem("household_size", f"Ange hur många personer som ska bo, 1–{MAX_HOUSEHOLD}."))
    if not today <= request.earliest_move_in <= today + MAX_EARLIEST:
        problems.append(FieldProblem("earliest_move_in", "Ange en dag från i dag och högst ett år framåt."))
    if not set(request.needs) <= set(Need):
        problems.append(FieldProblem("needs", "Välj bland de behov som finns."))
    reason = checked_text("no_assessment_reason", request.no_assessment_reason, 500, problems, missing=None)
    if basis.threat is None and len(reason) < 10:  # noqa: PLR2004 - a reason in words
        problems.append(
            FieldProblem(
                "no_assessment_reason",
                "Det finns ingen registrerad hot- och riskbedömning i ärendet. Begär en, eller skriv varför den"
                " inte behövs (minst 10 tecken).",
            )
        )
    if problems:
        raise InvalidInputError(problems)
    needs = frozenset(Need(need) for need in request.needs) | {
        _CASE_NEEDS[need] for need in basis.needs if need in _CASE_NEEDS
    }
    return needs, (reason if basis.threat is None else None)


async def create_request(session: AsyncSession, actor: Actor, request: RequestInput) -> UUID:
    """A request from a case whose consent covers housing; InvalidInputError names what is missing."""
    basis = await cases.placement_basis(session, _cases_actor(actor), request.case_id)
    today = swedish_date()
    needs, reason = _checked(request, basis, today)
    places = await tenant_municipalities(session, basis.supporting_tenants)
    origin = places.get(basis.tenant_id)
    if origin is None:
        raise InvalidInputError.one("case_id", "Organisationen har ingen hemkommun; placering begärs av en kommun.")
    operation = next((places[t] for t in basis.supporting_tenants[1:] if t in places), origin)
    level, municipalities, counties, regions = _threat(basis, origin)
    row = PlacementRequest(
        tenant_id=actor.tenant_id,
        case_id=basis.case_id,
        origin_municipality=origin,
        operation_municipality=operation,
        risk_level=RiskLevel.UNKNOWN.value if basis.threat is None else basis.threat.level,
        threat_level=level.value,
        threat_municipalities=municipalities,
        threat_counties=counties,
        threat_police_regions=regions,
        affiliations=[] if basis.affiliation is None else [basis.affiliation],
        household_size=request.household_size,
        needs=sorted(needs),
        earliest_move_in=request.earliest_move_in,
        acute=basis.acute,
        no_assessment_reason=reason,
        created_by=actor.user_id,
    )
    session.add(row)
    await session.flush()
    await record_placement_event(
        session,
        PlacementAction.REQUEST_CREATED,
        "housing_request",
        row.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
    return row.id


async def own_request(session: AsyncSession, actor: Actor, request_id: UUID) -> PlacementRequest:
    """The request, for its case's team in the requesting organisation; NotFoundError otherwise."""
    row = await session.scalar(
        select(PlacementRequest).where(PlacementRequest.id == request_id, PlacementRequest.tenant_id == actor.tenant_id)
    )
    if row is None:
        raise NotFoundError
    access = await cases.case_for_actor(session, _cases_actor(actor), row.case_id)
    if not access.owner or access.role is None:
        raise NotFoundError
    return row


def state_of(request: PlacementRequest, offers: list[Offer], placement: Placement | None) -> RequestState:
    """Where a request stands, read from its offers and placement."""
    if placement is not None:
        return RequestState.PLACED if placement.moved_out_on is None else RequestState.ENDED
    if request.withdrawn_at is not None:
        return RequestState.WITHDRAWN
    if any(offer.status == OfferStatus.PENDING.value for offer in offers):
        return RequestState.OFFERED
    return RequestState.OPEN


async def request_view(session: AsyncSession, actor: Actor, request_id: UUID) -> RequestView:
    """The request with its offers and placement."""
    row = await own_request(session, actor, request_id)
    return await _view(session, row)


async def _view(session: AsyncSession, row: PlacementRequest) -> RequestView:
    offers = list(
        await session.scalars(select(Offer).where(Offer.request_id == row.id).order_by(Offer.created_at, Offer.id))
    )
    placement = await session.scalar(select(Placement).where(Placement.request_id == row.id))
    return RequestView(
        id=row.id,
        case_id=row.case_id,
        state=state_of(row, offers, placement),
        risk_level=RiskLevel(row.risk_level),
        household_size=row.household_size,
        needs=tuple(Need(need) for need in row.needs),
        earliest_move_in=row.earliest_move_in,
        created_at=row.created_at,
        offers=tuple(offers),
        placement=placement,
    )


async def my_requests(session: AsyncSession, actor: Actor) -> list[RequestView]:
    """Requests of the cases whose team the actor is on, newest first."""
    mine = {line.case_id for line in await cases.my_cases(session, _cases_actor(actor))}
    if not mine:
        return []
    rows = await session.scalars(
        select(PlacementRequest)
        .where(PlacementRequest.tenant_id == actor.tenant_id, PlacementRequest.case_id.in_(mine))
        .order_by(PlacementRequest.created_at.desc(), PlacementRequest.id)
    )
    return [await _view(session, row) for row in rows]


async def open_request(session: AsyncSession, actor: Actor, request_id: UUID) -> PlacementRequest:
    """The request, if it waits for a choice: consent still covers housing, no offer pending, not placed."""
    row = await own_request(session, actor, request_id)
    await cases.placement_basis(session, _cases_actor(actor), row.case_id)
    view = await _view(session, row)
    if view.state is not RequestState.OPEN:
        raise InvalidInputError.one("request_id", "Begäran har redan ett erbjudande, en placering eller är återkallad.")
    return row


async def shortlist_for(session: AsyncSession, actor: Actor, request_id: UUID) -> Shortlist:
    """The engine's shortlist for an open request: counted, audited, and never quicker than the floor."""
    started = time.monotonic()
    row = await open_request(session, actor, request_id)
    now = datetime.now(UTC)
    if await count_shortlist(session, actor.tenant_id, actor.user_id, now):
        await enqueue(session, notify_national_of_many_shortlists)
    await record_placement_event(
        session,
        PlacementAction.SHORTLIST_REQUESTED,
        "housing_request",
        row.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
    state = await national_state(session, swedish_date(now))
    answer = await off_loop(shortlist, state.prepared, engine_request(request_columns(row)))
    await asyncio.sleep(max(0.0, SHORTLIST_FLOOR_SECONDS - (time.monotonic() - started)))
    return answer


async def withdraw_request(session: AsyncSession, actor: Actor, request_id: UUID) -> None:
    """The officer no longer needs a placement; a pending offer is withdrawn with it."""
    row = await own_request(session, actor, request_id)
    view = await _view(session, row)
    if view.state not in {RequestState.OPEN, RequestState.OFFERED}:
        raise InvalidInputError.one("request_id", "Begäran kan inte återkallas: den är redan placerad eller avslutad.")
    now = datetime.now(UTC)
    for offer in view.offers:
        if offer.status == OfferStatus.PENDING.value:
            offer.status, offer.decided_at, offer.decided_by = OfferStatus.WITHDRAWN.value, now, actor.user_id
    row.withdrawn_at = now
    await record_placement_event(
        session,
        PlacementAction.REQUEST_WITHDRAWN,
        "housing_request",
        row.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )


async def explanation_for_national(session: AsyncSession, actor: Actor, request_id: UUID) -> dict[str, Any]:
    """The engine's full explanation of a request, for the national coordinator's placement role; audited.

    It shows where units were excluded and why, which reveals where others live.
    """
    row = (
        (await session.execute(text("SELECT * FROM housing_request_for_national(:id)"), {"id": request_id}))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFoundError
    await record_placement_event(
        session,
        PlacementAction.EXPLANATION_VIEWED,
        "housing_request",
        request_id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
    state = await national_state(session, swedish_date())
    explanation = await off_loop(explain_request, state.prepared, engine_request(row))
    return {"summary": explanation.summary(), **explanation_as_json(explanation)}


def explanation_as_json(explanation: PlacementExplanation) -> dict[str, Any]:
    """An engine explanation (frozen dataclasses and enums) as plain JSON values."""

    def plain(value: object) -> object:
        if is_dataclass(value) and not isinstance(value, type):
            return {key: plain(item) for key, item in asdict(value).items()}
        if isinstance(value, dict):
            return {str(key): plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple | frozenset | set):
            return [plain(item) for item in value]
        if isinstance(value, StrEnum):
            return value.value
        return value

    return {key: plain(item) for key, item in asdict(explanation).items()}
