"""The placement pages: the officers' requests, the designated staff's offers inbox and register of units.

Every page states its permission and opens in municipalities and operations only. Addresses are
shown only after a button press (a POST), so a prefetch or a link preview never opens one, and
every opening is audited.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import TooManyRequestsException
from litestar.params import FromPath
from litestar.response import Redirect, Template

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
    withdraw_request,
    withdraw_unit,
)
from avhopp.housing.placement.web.form import FormReader
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.labels import labels_of
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.web.forms import Choice, municipality_groups
from avhopp.tenants.cases import service as cases

LABELS = {
    "state": labels_of(RequestState),
    "risk": labels_of(RiskLevel),
    "need": labels_of(Need),
    "offer": labels_of(OfferStatus),
    "decline": labels_of(DeclineReason),
    "unit_type": labels_of(UnitType),
    "unit_state": labels_of(UnitState),
}


def _actor(acting: TenantScope) -> Actor:
    if acting.user_id is None:
        raise NotFoundError
    return Actor(acting.tenant_id, acting.user_id)


def _choices(values: dict[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(value, label) for value, label in values.items())


def _page(name: str, context: dict[str, Any], *, errors: dict[str, str] | None = None) -> Template:
    return Template(
        template_name=f"placement/{name}.html",
        context={"labels": LABELS, "errors": errors or {}, "form": {}, **context},
        status_code=400 if errors else 200,
    )


class RequestPages(Controller):
    """A case officer's placement workspace: requests, shortlists, offers and the placement."""

    path = "/placering"
    opt = {"permission": REQUEST, "tenant_kinds": KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    async def _workspace(
        self, acting: TenantScope, form: dict[str, list[str]] | None = None, errors: dict[str, str] | None = None
    ) -> Template:
        actor = _actor(acting)
        open_cases = await cases.my_cases(acting.session, cases.Actor(actor.tenant_id, actor.user_id))
        return _page(
            "workspace",
            {
                "requests": await my_requests(acting.session, actor),
                "cases": [line for line in open_cases if line.phase not in cases.CLOSED_PHASES],
                "needs": _choices({Need.ACCESSIBLE.value: LABELS["need"][Need.ACCESSIBLE.value]}),
                "form": form or {},
            },
            errors=errors,
        )

    @get("/")
    async def workspace(self, acting: Acting) -> Template:
        """The requests of my cases and where each stands; a new request."""
        return await self._workspace(acting)

    @post("/begaran")
    async def create(self, request: Request[Any, Any, Any], acting: Acting) -> Response[Any]:
        """Ask for a placement from one of my cases."""
        reader = FormReader(await request.form())
        try:
            wanted = RequestInput(
                case_id=reader.ident("case_id", "Välj ärendet."),
                household_size=reader.integer("household_size", "Ange antalet personer som ett heltal."),
                earliest_move_in=reader.day("earliest_move_in"),
                needs=reader.texts("needs"),
                no_assessment_reason=reader.text("no_assessment_reason"),
            )
            reader.check()
            async with acting.session.begin_nested():
                request_id = await create_request(acting.session, _actor(acting), wanted)
        except InvalidInputError as error:
            return await self._workspace(acting, reader.values(), error.by_field())
        return Redirect(f"/placering/begaran/{request_id}")

    async def _request(
        self,
        acting: TenantScope,
        request_id: UUID,
        extra: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        view = await request_view(acting.session, _actor(acting), request_id)
        names = {m.code: m.name for m in shipped_geography().municipalities}
        return _page("request", {"view": view, "municipalities": names, **(extra or {})}, errors=errors)

    @get("/begaran/{request_id:uuid}")
    async def one(self, acting: Acting, request_id: FromPath[UUID]) -> Template:
        """The request, its offers and its placement."""
        return await self._request(acting, request_id)

    @post("/begaran/{request_id:uuid}/forslag")
    async def shortlist(self, acting: Acting, request_id: FromPath[UUID]) -> Template:
        """The engine's proposals (counted and audited)."""
        try:
            async with acting.session.begin_nested():
                answer = await shortlist_for(acting.session, _actor(acting), request_id)
        except ShortlistLimitReached as refused:
            raise TooManyRequestsException(detail=refused.message) from None
        except InvalidInputError as error:
            return await self._request(acting, request_id, errors=error.by_field())
        return await self._request(acting, request_id, {"shortlist": answer})

    @post("/begaran/{request_id:uuid}/erbjud")
    async def offer(self, request: Request[Any, Any, Any], acting: Acting, request_id: FromPath[UUID]) -> Response[Any]:
        """Send an offer for the chosen proposal."""
        reader = FormReader(await request.form())
        try:
            unit_id = reader.ident("unit_id", "Välj ett förslag.")
            reader.check()
            async with acting.session.begin_nested():
                await make_offer(acting.session, _actor(acting), request_id, unit_id)
        except ShortlistLimitReached as refused:
            raise TooManyRequestsException(detail=refused.message) from None
        except InvalidInputError as error:
            return await self._request(acting, request_id, errors=error.by_field())
        return Redirect(f"/placering/begaran/{request_id}")

    @post("/begaran/{request_id:uuid}/aterkalla")
    async def withdraw(self, acting: Acting, request_id: FromPath[UUID]) -> Response[Any]:
        """The placement is no longer needed."""
        try:
            async with acting.session.begin_nested():
                await withdraw_request(acting.session, _actor(acting), request_id)
        except InvalidInputError as error:
            return await self._request(acting, request_id, errors=error.by_field())
        return Redirect(f"/placering/begaran/{request_id}")

    async def _placement(
        self, acting: TenantScope, placement_id: UUID, address: str | None = None, errors: dict[str, str] | None = None
    ) -> Template:
        view = await placement_view(acting.session, _actor(acting), placement_id)
        return _page("placement", {"view": view, "address": address}, errors=errors)

    @get("/placeringar/{placement_id:uuid}")
    async def placement(self, acting: Acting, placement_id: FromPath[UUID]) -> Template:
        """A placement: where (the town), from when; the address behind a button."""
        return await self._placement(acting, placement_id)

    @post("/placeringar/{placement_id:uuid}/adress")
    async def address(self, state: State, acting: Acting, placement_id: FromPath[UUID]) -> Template:
        """Open the exact address (audited)."""
        opened = await placement_address(acting.session, state.settings.secret_key, _actor(acting), placement_id)
        return await self._placement(acting, placement_id, opened)

    @post("/placeringar/{placement_id:uuid}/utflyttning")
    async def move_out(
        self, request: Request[Any, Any, Any], acting: Acting, placement_id: FromPath[UUID]
    ) -> Response[Any]:
        """Record the move-out: the placement ends and the unit is free."""
        await placement_view(acting.session, _actor(acting), placement_id)
        reader = FormReader(await request.form())
        try:
            day = reader.day("moved_out_on")
            reader.check()
            async with acting.session.begin_nested():
                await move_out(acting.session, _actor(acting), placement_id, day)
        except InvalidInputError as error:
            return await self._placement(acting, placement_id, errors=error.by_field())
        return Redirect(f"/placering/placeringar/{placement_id}")


class OfferPages(Controller):
    """The designated staff's offers inbox, received placements, register of units and intake."""

    path = "/placering"
    opt = {"permission": OFFER, "tenant_kinds": KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    async def _inbox(self, acting: TenantScope, errors: dict[str, str] | None = None) -> Template:
        actor = _actor(acting)
        return _page(
            "inbox",
            {
                "offers": await inbox(acting.session, actor.tenant_id),
                "placements": await received_placements(acting.session, actor),
                "reasons": _choices(LABELS["decline"]),
            },
            errors=errors,
        )

    @get("/erbjudanden")
    async def inbox(self, acting: Acting) -> Template:
        """Offers to our units: household size, needs, risk level and wanted date, never who."""
        return await self._inbox(acting)

    @post("/erbjudanden/{offer_id:uuid}/anta")
    async def accept(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, offer_id: FromPath[UUID]
    ) -> Response[Any]:
        """Accept: every rule is checked again now."""
        reader = FormReader(await request.form())
        try:
            day = reader.optional_day("move_in_on")
            reader.check()
            async with acting.session.begin_nested():
                outcome = await accept_offer(acting.session, state.settings.secret_key, _actor(acting), offer_id, day)
        except InvalidInputError as error:
            return await self._inbox(acting, error.by_field())
        if outcome.placement_id is None:
            return await self._inbox(acting, {"offer_id": outcome.message or ""})
        return Redirect(f"/placering/placeringar/{outcome.placement_id}")

    @post("/erbjudanden/{offer_id:uuid}/avboj")
    async def decline(self, request: Request[Any, Any, Any], acting: Acting, offer_id: FromPath[UUID]) -> Response[Any]:
        """Decline with a coded reason."""
        reader = FormReader(await request.form())
        try:
            async with acting.session.begin_nested():
                await decline_offer(acting.session, _actor(acting), offer_id, reader.text("reason"))
        except InvalidInputError as error:
            return await self._inbox(acting, error.by_field())
        return Redirect("/placering/erbjudanden")

    async def _units(
        self,
        acting: TenantScope,
        form: dict[str, list[str]] | None = None,
        errors: dict[str, str] | None = None,
        opened: tuple[UUID, str] | None = None,
    ) -> Template:
        actor = _actor(acting)
        try:
            intake = await intake_of(acting.session, actor.tenant_id)
        except NotFoundError:
            intake = None
        return _page(
            "units",
            {
                "units": await units_of(acting.session, actor.tenant_id),
                "intake": intake,
                "opened": opened,
                "unit_types": _choices(LABELS["unit_type"]),
                "features": _choices({f.value: LABELS["need"][f.value] for f in UnitFeature}),
                "municipalities": municipality_groups(),
                "form": form or {},
            },
            errors=errors,
        )

    @get("/bostader")
    async def units(self, acting: Acting) -> Template:
        """Our register of units and, for a municipality, its intake."""
        return await self._units(acting)

    @post("/bostader")
    async def register(self, request: Request[Any, Any, Any], state: State, acting: Acting) -> Response[Any]:
        """Register a unit; its address is sealed."""
        reader = FormReader(await request.form())
        try:
            unit = UnitInput(
                unit_type=reader.text("unit_type"),
                max_household=reader.integer("max_household", "Ange antalet personer som ett heltal."),
                available_from=reader.day("available_from"),
                monthly_cost_sek=reader.integer("monthly_cost_sek", "Ange kostnaden i hela kronor."),
                municipality_code=reader.text("municipality_code"),
                locality_name=reader.text("locality_name"),
                latitude=reader.number("latitude", "Ange latituden som ett tal, t.ex. 55.60."),
                longitude=reader.number("longitude", "Ange longituden som ett tal, t.ex. 13.00."),
                address=reader.text("address"),
                features=reader.texts("features"),
            )
            reader.check()
            async with acting.session.begin_nested():
                await register_unit(acting.session, state.settings.secret_key, _actor(acting), unit)
        except InvalidInputError as error:
            return await self._units(acting, reader.values(), error.by_field())
        return Redirect("/placering/bostader")

    @post("/bostader/{unit_id:uuid}/adress")
    async def address(self, state: State, acting: Acting, unit_id: FromPath[UUID]) -> Template:
        """Open a unit's address (audited)."""
        opened = await unit_address(acting.session, state.settings.secret_key, _actor(acting), unit_id)
        return await self._units(acting, opened=(unit_id, opened))

    @post("/bostader/{unit_id:uuid}/dra-tillbaka")
    async def withdraw(self, acting: Acting, unit_id: FromPath[UUID]) -> Response[Any]:
        """Take a unit out of the register."""
        try:
            async with acting.session.begin_nested():
                await withdraw_unit(acting.session, _actor(acting), unit_id)
        except InvalidInputError as error:
            return await self._units(acting, errors=error.by_field())
        return Redirect("/placering/bostader")

    @post("/mottagande", opt={"tenant_kinds": ("municipality",)})
    async def intake(self, request: Request[Any, Any, Any], acting: Acting) -> Response[Any]:
        """Declare the municipality's intake."""
        reader = FormReader(await request.form())
        try:
            declared = IntakeInput(
                handled_by=reader.text("handled_by"),
                yearly_cap=reader.optional_integer("yearly_cap", "Ange taket som ett heltal, eller lämna tomt."),
                paused_until=reader.optional_day("paused_until"),
            )
            reader.check()
            async with acting.session.begin_nested():
                await declare_intake(acting.session, _actor(acting), declared)
        except InvalidInputError as error:
            return await self._units(acting, reader.values(), error.by_field())
        return Redirect("/placering/bostader")


class NationalPages(Controller):
    """The national coordinator's view of the engine's full explanation of one request (audited)."""

    path = "/placering/nationell"
    opt = {"permission": EXPLAIN, "tenant_kinds": ("national_coordinator",)}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def start(self) -> Template:
        """Ask for a request's explanation by its id."""
        return _page("national", {})

    @post("/forklaring")
    async def explanation(self, request: Request[Any, Any, Any], acting: Acting) -> Template:
        """The explanation: per municipality and rule, what was excluded. It shows where others live; logged."""
        reader = FormReader(await request.form())
        try:
            request_id = reader.ident("request_id", "Ange begärans id.")
            reader.check()
            explained = await explanation_for_national(acting.session, _actor(acting), request_id)
        except InvalidInputError as error:
            return _page("national", {"form": reader.values()}, errors=error.by_field())
        except NotFoundError:
            return _page("national", {"form": reader.values()}, errors={"request_id": "Ingen begäran med det id:t."})
        return _page("national", {"explanation": explained, "form": reader.values()})


PAGE_ROUTES = [RequestPages, OfferPages, NationalPages]
