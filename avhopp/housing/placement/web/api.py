"""The placement API under /api/v1/housing: the same use cases as the pages, as JSON with OpenAPI.

Every route states its permission and the kinds of tenant where it opens. A person must act: a
machine client has no place on a case's team and no designation as staff, so it is answered
"not found". Refusals are problem details (RFC 9457) with Swedish messages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get, post, put
from litestar.datastructures import State
from litestar.exceptions import TooManyRequestsException
from litestar.params import FromPath, JSONBody

from avhopp.housing.placement.permissions import EXPLAIN, KINDS, OFFER, REQUEST
from avhopp.housing.placement.service import (
    Actor,
    DeclineReason,
    IntakeInput,
    Need,
    OfferStatus,
    RequestInput,
    RequestState,
    RiskLevel,
    ShortlistLimitReached,
    UnitFeature,
    UnitInput,
    UnitState,
    UnitType,
    accept_offer,
    create_request,
    declare_intake,
    decline_offer,
    explanation_for_national,
    inbox,
    intake_of,
    make_offer,
    move_out,
    my_requests,
    placement_address,
    placement_view,
    received_placements,
    register_unit,
    request_view,
    shortlist_for,
    unit_address,
    units_of,
    withdraw_offer,
    withdraw_request,
    withdraw_unit,
)
from avhopp.platform.problems import NotFoundError
from avhopp.platform.scope.request import Acting
from avhopp.platform.web.openapi_problems import problem_responses
from avhopp.tenants.cases.web.components import API_EXCEPTION_HANDLERS

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

    from avhopp.housing.placement.service import IntakeView, OfferLine, PlacementView, RequestView, UnitLine

NATIONAL = ("national_coordinator",)


def needs(permission: str, kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    """A route's `opt`: its permission, in the kinds of tenant where placement happens."""
    return {"permission": permission, "tenant_kinds": kinds}


def actor_of(acting: Acting) -> Actor:
    """The person acting; a machine client is answered "not found"."""
    if acting.user_id is None:
        raise NotFoundError
    return Actor(acting.tenant_id, acting.user_id)


class UnitIn(msgspec.Struct, forbid_unknown_fields=True):
    """A unit as its owner registers it. Coordinates are the town's, rounded to two decimals."""

    unit_type: UnitType
    max_household: int
    available_from: date
    monthly_cost_sek: int
    municipality_code: Annotated[str, msgspec.Meta(max_length=4, description="Kommunkoden, t.ex. 1280")]
    locality_name: Annotated[str, msgspec.Meta(max_length=100, description="Tätorten")]
    latitude: float
    longitude: float
    address: Annotated[str, msgspec.Meta(max_length=300, description="Gatuadressen; förseglas och syns bara för er")]
    features: Annotated[list[UnitFeature], msgspec.Meta(max_length=len(UnitFeature))] = msgspec.field(
        default_factory=list
    )


class UnitOut(msgspec.Struct):
    """A unit in the register, without its address."""

    id: UUID
    unit_type: UnitType
    max_household: int
    features: list[UnitFeature]
    available_from: date
    monthly_cost_sek: int
    municipality_code: str
    locality_name: str
    state: UnitState


class AddressOut(msgspec.Struct):
    """An address, opened for you; the read is in the audit trail."""

    address: str


class IntakeIn(msgspec.Struct, forbid_unknown_fields=True):
    """The municipality's declaration; no cap means the default from its population."""

    handled_by: Annotated[str, msgspec.Meta(max_length=200, description="Funktionen som tar emot erbjudanden")]
    yearly_cap: int | None = None
    paused_until: Annotated[date | None, msgspec.Meta(description="Pausat till och med denna dag")] = None


class IntakeOut(msgspec.Struct):
    """The declaration as it applies."""

    municipality_code: str
    handled_by: str
    yearly_cap: int | None
    default_cap: int
    cap: int
    paused_until: date | None


class RequestIn(msgspec.Struct, forbid_unknown_fields=True):
    """A request from a case; the rest (threat scope, affiliation, needs) comes from the case."""

    case_id: UUID
    household_size: int
    earliest_move_in: date
    needs: Annotated[list[Need], msgspec.Meta(max_length=len(Need))] = msgspec.field(default_factory=list)
    no_assessment_reason: Annotated[
        str, msgspec.Meta(max_length=500, description="Varför ingen hotbedömning behövs, när ingen är registrerad")
    ] = ""


class OfferOut(msgspec.Struct):
    """An offer as the requester sees it."""

    id: UUID
    unit_id: UUID
    status: OfferStatus
    decline_reason: DeclineReason | None
    deadline_at: datetime


class RequestOut(msgspec.Struct):
    """A request as its case team sees it."""

    id: UUID
    case_id: UUID
    state: RequestState
    risk_level: RiskLevel
    household_size: int
    needs: list[Need]
    earliest_move_in: date
    created_at: datetime
    offers: list[OfferOut]
    placement_id: UUID | None


class ProposalOut(msgspec.Struct):
    """One proposed unit: no locality, no fair-load score and no total (they tell where others live)."""

    rank: int
    unit_id: UUID
    municipality_code: str
    unit_type: UnitType
    scores: dict[str, float]


class ShortlistOut(msgspec.Struct):
    """The engine's shortlist, or only its one neutral sentence."""

    proposals: list[ProposalOut]
    message: str | None


class ChoiceIn(msgspec.Struct, forbid_unknown_fields=True):
    """The proposal the requester picks."""

    unit_id: UUID


class OfferCreated(msgspec.Struct):
    """The offer sent."""

    offer_id: UUID


class InboxOut(msgspec.Struct):
    """An offer to one of your units: what you need to decide on, never who."""

    id: UUID
    unit_id: UUID
    unit_type: UnitType
    locality_name: str
    household_size: int
    needs: list[Need]
    risk_level: RiskLevel
    wanted_from: date
    deadline_at: datetime
    status: OfferStatus
    decline_reason: DeclineReason | None


class AcceptIn(msgspec.Struct, forbid_unknown_fields=True):
    """The move-in day; by default the wanted day (or today, if that has passed)."""

    move_in_on: date | None = None


class AcceptanceOut(msgspec.Struct):
    """A placement, or the neutral message when a rule no longer holds."""

    placement_id: UUID | None
    identity_shared: bool
    message: str | None


class DeclineIn(msgspec.Struct, forbid_unknown_fields=True):
    """Why you decline, as a code."""

    reason: DeclineReason


class PlacementOut(msgspec.Struct):
    """A placement without its address."""

    id: UUID
    request_id: UUID | None
    municipality_code: str
    locality_name: str
    move_in_on: date
    moved_out_on: date | None
    identity_shared: bool
    receiving: bool


class MoveOutIn(msgspec.Struct, forbid_unknown_fields=True):
    """The day the person moved out."""

    moved_out_on: date


def _unit_out(line: UnitLine) -> UnitOut:
    return UnitOut(
        line.id,
        line.unit_type,
        line.max_household,
        list(line.features),
        line.available_from,
        line.monthly_cost_sek,
        line.municipality_code,
        line.locality_name,
        line.state,
    )


def _intake_out(view: IntakeView) -> IntakeOut:
    return IntakeOut(
        view.municipality_code, view.handled_by, view.yearly_cap, view.default_cap, view.cap, view.paused_until
    )


def _request_out(view: RequestView) -> RequestOut:
    return RequestOut(
        id=view.id,
        case_id=view.case_id,
        state=view.state,
        risk_level=view.risk_level,
        household_size=view.household_size,
        needs=list(view.needs),
        earliest_move_in=view.earliest_move_in,
        created_at=view.created_at,
        offers=[
            OfferOut(
                o.id,
                o.unit_id,
                OfferStatus(o.status),
                None if o.decline_reason is None else DeclineReason(o.decline_reason),
                o.deadline_at,
            )
            for o in view.offers
        ],
        placement_id=None if view.placement is None else view.placement.id,
    )


def _inbox_out(line: OfferLine) -> InboxOut:
    return InboxOut(
        line.id,
        line.unit_id,
        line.unit_type,
        line.locality_name,
        line.household_size,
        list(line.needs),
        line.risk_level,
        line.wanted_from,
        line.deadline_at,
        line.status,
        line.decline_reason,
    )


def _placement_out(view: PlacementView) -> PlacementOut:
    return PlacementOut(
        view.id,
        view.request_id,
        view.municipality_code,
        view.locality_name,
        view.move_in_on,
        view.moved_out_on,
        view.identity_shared,
        view.receiving,
    )


class RegisterApi(Controller):
    """The register of units and the municipality's intake (the designated staff)."""

    path = "/api/v1/housing"
    tags = ["housing: register"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/units", opt=needs(OFFER), summary="Organisationens bostäder")
    async def units(self, acting: Acting) -> list[UnitOut]:
        """Your organisation's units with their state (free, reserved by an offer, lived in, withdrawn)."""
        return [_unit_out(line) for line in await units_of(acting.session, actor_of(acting).tenant_id)]

    @post("/units", opt=needs(OFFER), summary="Registrera en bostad")
    async def register(self, state: State, acting: Acting, data: JSONBody[UnitIn]) -> UnitOut:
        """Register a unit; its address is sealed. Others see its town only, and only when it is proposed."""
        actor = actor_of(acting)
        unit = UnitInput(
            unit_type=data.unit_type.value,
            max_household=data.max_household,
            available_from=data.available_from,
            monthly_cost_sek=data.monthly_cost_sek,
            municipality_code=data.municipality_code,
            locality_name=data.locality_name,
            latitude=data.latitude,
            longitude=data.longitude,
            address=data.address,
            features=tuple(feature.value for feature in data.features),
        )
        unit_id = await register_unit(acting.session, state.settings.secret_key, actor, unit)
        return next(_unit_out(line) for line in await units_of(acting.session, actor.tenant_id) if line.id == unit_id)

    @get("/units/{unit_id:uuid}/address", opt=needs(OFFER), summary="Bostadens adress")
    async def address(self, state: State, acting: Acting, unit_id: FromPath[UUID]) -> AddressOut:
        """The street address of your unit; every read is audited."""
        return AddressOut(await unit_address(acting.session, state.settings.secret_key, actor_of(acting), unit_id))

    @post("/units/{unit_id:uuid}/withdraw", opt=needs(OFFER), status_code=204, summary="Dra tillbaka")
    async def withdraw(self, acting: Acting, unit_id: FromPath[UUID]) -> None:
        """Take a unit out of the register (not while it is offered or lived in)."""
        await withdraw_unit(acting.session, actor_of(acting), unit_id)

    @get("/intake", opt=needs(OFFER, ("municipality",)), summary="Kommunens mottagande")
    async def intake(self, acting: Acting) -> IntakeOut:
        """The municipality's declared intake, or the defaults."""
        return _intake_out(await intake_of(acting.session, actor_of(acting).tenant_id))

    @put("/intake", opt=needs(OFFER, ("municipality",)), summary="Deklarera mottagande")
    async def declare(self, acting: Acting, data: JSONBody[IntakeIn]) -> IntakeOut:
        """Declare the cap, a pause with its last day, and who handles offers."""
        declared = IntakeInput(data.handled_by, data.yearly_cap, data.paused_until)
        return _intake_out(await declare_intake(acting.session, actor_of(acting), declared))


class RequestApi(Controller):
    """Requests from cases, their shortlists and offers (the case's team)."""

    path = "/api/v1/housing/requests"
    tags = ["housing: requests"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/", opt=needs(REQUEST), summary="Mina placeringsbegäranden")
    async def mine(self, acting: Acting) -> list[RequestOut]:
        """Requests of the cases whose team you are on, newest first."""
        return [_request_out(view) for view in await my_requests(acting.session, actor_of(acting))]

    @post("/", opt=needs(REQUEST), summary="Begär placering")
    async def create(self, acting: Acting, data: JSONBody[RequestIn]) -> RequestOut:
        """Ask for a placement from a case whose consent covers housing."""
        actor = actor_of(acting)
        request = RequestInput(
            data.case_id,
            data.household_size,
            data.earliest_move_in,
            tuple(need.value for need in data.needs),
            data.no_assessment_reason,
        )
        request_id = await create_request(acting.session, actor, request)
        return _request_out(await request_view(acting.session, actor, request_id))

    @get("/{request_id:uuid}", opt=needs(REQUEST), summary="En begäran")
    async def one(self, acting: Acting, request_id: FromPath[UUID]) -> RequestOut:
        """The request with its offers and placement."""
        return _request_out(await request_view(acting.session, actor_of(acting), request_id))

    @post(
        "/{request_id:uuid}/shortlist",
        opt=needs(REQUEST),
        status_code=200,
        summary="Hämta förslag",
        responses=problem_responses(
            {429: "För många förslag på kort tid, för dig eller din organisation; vänta en stund."}
        ),
    )
    async def shortlist(self, acting: Acting, request_id: FromPath[UUID]) -> ShortlistOut:
        """The engine's shortlist for an open request. Counted (per person and organisation) and audited."""
        try:
            answer = await shortlist_for(acting.session, actor_of(acting), request_id)
        except ShortlistLimitReached as refused:
            raise TooManyRequestsException(detail=refused.message) from None
        return ShortlistOut(
            proposals=[
                ProposalOut(
                    p.rank,
                    UUID(p.unit_id),
                    p.municipality_code,
                    p.unit_type,
                    {criterion.value: score for criterion, score in p.scores},
                )
                for p in answer.proposals
            ],
            message=answer.message,
        )

    @post("/{request_id:uuid}/offers", opt=needs(REQUEST), summary="Skicka erbjudande")
    async def offer(self, acting: Acting, request_id: FromPath[UUID], data: JSONBody[ChoiceIn]) -> OfferCreated:
        """Send the unit's owner an offer for one proposal of the current shortlist."""
        try:
            return OfferCreated(await make_offer(acting.session, actor_of(acting), request_id, data.unit_id))
        except ShortlistLimitReached as refused:
            raise TooManyRequestsException(detail=refused.message) from None

    @post("/{request_id:uuid}/withdraw", opt=needs(REQUEST), status_code=204, summary="Återkalla")
    async def withdraw(self, acting: Acting, request_id: FromPath[UUID]) -> None:
        """The placement is no longer needed; a pending offer is withdrawn with it."""
        await withdraw_request(acting.session, actor_of(acting), request_id)


class OfferApi(Controller):
    """Offers: the owner's inbox and answers; the requester's withdrawal."""

    path = "/api/v1/housing/offers"
    tags = ["housing: offers"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/", opt=needs(OFFER), summary="Inkorgen")
    async def inbox(self, acting: Acting) -> list[InboxOut]:
        """Offers to your units, pending first."""
        return [_inbox_out(line) for line in await inbox(acting.session, actor_of(acting).tenant_id)]

    @post("/{offer_id:uuid}/accept", opt=needs(OFFER), status_code=200, summary="Anta")
    async def accept(
        self, state: State, acting: Acting, offer_id: FromPath[UUID], data: JSONBody[AcceptIn]
    ) -> AcceptanceOut:
        """Accept before the deadline. Every rule is checked again now; if one no longer holds, a neutral message."""
        outcome = await accept_offer(
            acting.session, state.settings.secret_key, actor_of(acting), offer_id, data.move_in_on
        )
        return AcceptanceOut(outcome.placement_id, outcome.identity_shared, outcome.message)

    @post("/{offer_id:uuid}/decline", opt=needs(OFFER), status_code=204, summary="Avböj")
    async def decline(self, acting: Acting, offer_id: FromPath[UUID], data: JSONBody[DeclineIn]) -> None:
        """Decline with a coded reason."""
        await decline_offer(acting.session, actor_of(acting), offer_id, data.reason.value)

    @post("/{offer_id:uuid}/withdraw", opt=needs(REQUEST), status_code=204, summary="Återkalla")
    async def withdraw(self, acting: Acting, offer_id: FromPath[UUID]) -> None:
        """The requester takes back a pending offer."""
        await withdraw_offer(acting.session, actor_of(acting), offer_id)


class PlacementApi(Controller):
    """Placements: the home case team and the receiving designated staff."""

    path = "/api/v1/housing/placements"
    tags = ["housing: placements"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/received", opt=needs(OFFER), summary="Mottagna placeringar")
    async def received(self, acting: Acting) -> list[PlacementOut]:
        """Placements in your units, newest first."""
        return [_placement_out(view) for view in await received_placements(acting.session, actor_of(acting))]

    @get("/{placement_id:uuid}", opt=needs(REQUEST), summary="En placering")
    async def one(self, acting: Acting, placement_id: FromPath[UUID]) -> PlacementOut:
        """A placement without its address."""
        return _placement_out(await placement_view(acting.session, actor_of(acting), placement_id))

    @get("/{placement_id:uuid}/address", opt=needs(REQUEST), summary="Placeringens adress")
    async def address(self, state: State, acting: Acting, placement_id: FromPath[UUID]) -> AddressOut:
        """The exact address; every read is audited."""
        return AddressOut(
            await placement_address(acting.session, state.settings.secret_key, actor_of(acting), placement_id)
        )

    @post("/{placement_id:uuid}/move-out", opt=needs(REQUEST), status_code=204, summary="Utflyttning")
    async def move_out(self, acting: Acting, placement_id: FromPath[UUID], data: JSONBody[MoveOutIn]) -> None:
        """The person moved out: the placement ends and the unit is free."""
        await move_out(acting.session, actor_of(acting), placement_id, data.moved_out_on)


class NationalApi(Controller):
    """The national coordinator's full explanation: it shows where others live; every view is audited."""

    path = "/api/v1/housing/national"
    tags = ["housing: national"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get(
        "/requests/{request_id:uuid}/explanation",
        opt=needs(EXPLAIN, NATIONAL),
        summary="Förklaring av förslagen",
    )
    async def explanation(self, acting: Acting, request_id: FromPath[UUID]) -> dict[str, Any]:
        """For each municipality and rule, what was excluded and why (audited)."""
        return await explanation_for_national(acting.session, actor_of(acting), request_id)


API_ROUTES: list[ControllerRouterHandler] = [RegisterApi, RequestApi, OfferApi, PlacementApi, NationalApi]
