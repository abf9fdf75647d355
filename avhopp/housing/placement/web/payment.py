"""Payment responsibility's pages and API: each municipality's month, one placement's transfers, disputes.

The placement coordinators of a municipality (`placement:pay`) see what it pays for and what it
receives, export a month for the finance office (audited) and propose, agree to or dispute a
transfer. A county board's network coordinators (`placement:oversee_payment`) read the disputes
that concern their county. No page or answer names or locates the person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from avhopp.housing.placement.permissions import OVERSEE_PAYMENT, PAY
from avhopp.housing.placement.service import (
    REGISTRATION_NOTE,
    DisputeLine,
    DisputeReason,
    Payer,
    PaymentLine,
    PaymentView,
    TransferStatus,
    UnitType,
    agree_transfer,
    county_disputes,
    dispute_transfer,
    parse_month,
    payment_export,
    payment_month,
    payment_view,
    propose_transfer,
    this_month,
)
from avhopp.housing.placement.web.api import actor_of, needs
from avhopp.housing.placement.web.form import FormReader
from avhopp.housing.placement.web.pages import LABELS
from avhopp.platform.labels import labels_of
from avhopp.platform.problems import InvalidInputError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.web.forms import Choice
from avhopp.tenants.cases.web.components import API_EXCEPTION_HANDLERS

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

MUNICIPALITY = ("municipality",)
COUNTY_BOARD = ("county_board",)
PAYMENT_LABELS = {
    **LABELS,
    "payer": labels_of(Payer),
    "transfer": labels_of(TransferStatus),
    "dispute": labels_of(DisputeReason),
}


def _page(name: str, context: dict[str, Any], *, errors: dict[str, str] | None = None) -> Template:
    return Template(
        template_name=f"placement/{name}.html",
        context={"labels": PAYMENT_LABELS, "errors": errors or {}, "form": {}, **context},
        status_code=400 if errors else 200,
    )


def _month_of(value: str | None) -> date:
    return this_month() if value is None or not value.strip() else parse_month(value, "manad")


def _csv(month: date, content: str) -> Response[str]:
    # The byte order mark lets a spreadsheet program read the file as UTF-8 (å, ä, ö).
    return Response(
        content="\ufeff" + content,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="betalningsansvar-{month:%Y-%m}.csv"'},
    )


class PaymentPages(Controller):
    """A municipality's payment responsibility for placements between municipalities."""

    path = "/placering/betalningsansvar"
    opt = {"permission": PAY, "tenant_kinds": MUNICIPALITY}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def month(self, acting: Acting, manad: FromQuery[str | None] = None) -> Template:
        """One month: each placement, which side pays, from and to, and the days."""
        try:
            month = _month_of(manad)
        except InvalidInputError as error:
            return _page(
                "payment", {"lines": [], "month": None, "form": {"manad": [manad or ""]}}, errors=error.by_field()
            )
        lines = await payment_month(acting.session, actor_of(acting), month)
        return _page(
            "payment",
            {
                "lines": lines,
                "month": month,
                "form": {"manad": [f"{month:%Y-%m}"]},
                "paid_days": sum(line.days for line in lines if line.ours),
                "note": REGISTRATION_NOTE,
            },
        )

    @post("/export", status_code=200)
    async def export(self, request: Request[Any, Any, Any], acting: Acting) -> Response[Any]:
        """The month as CSV for the finance office (a button, so that no prefetch records an export)."""
        reader = FormReader(await request.form())
        try:
            month = _month_of(reader.text("manad"))
        except InvalidInputError as error:
            return _page("payment", {"lines": [], "month": None, "form": reader.values()}, errors=error.by_field())
        return _csv(month, await payment_export(acting.session, actor_of(acting), month))

    async def _one(
        self,
        acting: TenantScope,
        placement_id: UUID,
        form: dict[str, list[str]] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        view = await payment_view(acting.session, actor_of(acting), placement_id)
        return _page(
            "payment_placement",
            {
                "view": view,
                "reasons": tuple(Choice(value, label) for value, label in PAYMENT_LABELS["dispute"].items()),
                "note": REGISTRATION_NOTE,
                "form": form or {},
            },
            errors=errors,
        )

    @get("/{placement_id:uuid}")
    async def one(self, acting: Acting, placement_id: FromPath[UUID]) -> Template:
        """One placement: who pays now, the transfer decisions, and what may be done."""
        return await self._one(acting, placement_id)

    @post("/{placement_id:uuid}/overforing")
    async def propose(
        self, request: Request[Any, Any, Any], acting: Acting, placement_id: FromPath[UUID]
    ) -> Response[Any]:
        """Propose the day from which the receiving municipality pays."""
        await payment_view(acting.session, actor_of(acting), placement_id)
        reader = FormReader(await request.form())
        try:
            day = reader.day("transfer_on")
            reader.check()
            async with acting.session.begin_nested():
                await propose_transfer(acting.session, actor_of(acting), placement_id, day)
        except InvalidInputError as error:
            return await self._one(acting, placement_id, reader.values(), error.by_field())
        return Redirect(f"/placering/betalningsansvar/{placement_id}")

    @post("/{placement_id:uuid}/overforing/godkann")
    async def agree(self, acting: Acting, placement_id: FromPath[UUID]) -> Response[Any]:
        """Agree to the other municipality's proposal."""
        try:
            async with acting.session.begin_nested():
                await agree_transfer(acting.session, actor_of(acting), placement_id)
        except InvalidInputError as error:
            return await self._one(acting, placement_id, errors=error.by_field())
        return Redirect(f"/placering/betalningsansvar/{placement_id}")

    @post("/{placement_id:uuid}/overforing/bestrid")
    async def dispute(
        self, request: Request[Any, Any, Any], acting: Acting, placement_id: FromPath[UUID]
    ) -> Response[Any]:
        """Dispute the other municipality's proposal with a coded reason."""
        reader = FormReader(await request.form())
        try:
            async with acting.session.begin_nested():
                await dispute_transfer(
                    acting.session, actor_of(acting), placement_id, reader.text("reason"), reader.text("text")
                )
        except InvalidInputError as error:
            return await self._one(acting, placement_id, reader.values(), error.by_field())
        return Redirect(f"/placering/betalningsansvar/{placement_id}")


class DisputePages(Controller):
    """The county board's view of disputes about payment responsibility in its county."""

    path = "/placering/betalningstvister"
    opt = {"permission": OVERSEE_PAYMENT, "tenant_kinds": COUNTY_BOARD}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def disputes(self, acting: Acting) -> Template:
        """Disputed transfers where either municipality is in the county: which, which date, why."""
        return _page(
            "disputes",
            {"disputes": await county_disputes(acting.session, actor_of(acting))},
        )


class PaymentLineOut(msgspec.Struct):
    """One stretch of one placement in one month, paid by one side."""

    placement_id: UUID
    home_municipality: str
    receiving_municipality: str
    unit_type: UnitType
    month: Annotated[str, msgspec.Meta(description="ÅÅÅÅ-MM")]
    payer: Payer
    first_day: date
    last_day: date
    days: int
    ours: Annotated[bool, msgspec.Meta(description="Er kommun betalar denna del")]


class TransferOut(msgspec.Struct):
    """A proposed transfer and its answer."""

    id: UUID
    transfer_on: Annotated[date, msgspec.Meta(description="Första dagen mottagande kommun betalar")]
    status: TransferStatus
    proposed_by_us: bool
    proposed_at: datetime
    decided_at: datetime | None
    dispute_reason: DisputeReason | None
    dispute_text: str | None


class PaymentOut(msgspec.Struct):
    """One placement's payment responsibility; no address, no identity."""

    placement_id: UUID
    home_municipality: str
    receiving_municipality: str
    unit_type: UnitType
    move_in_on: date
    moved_out_on: date | None
    transfer_on: date | None
    home: Annotated[bool, msgspec.Meta(description="Er kommun är hemkommunen")]
    transfers: list[TransferOut]


class TransferIn(msgspec.Struct, forbid_unknown_fields=True):
    """The first day the receiving municipality would pay; never before the placement's start."""

    transfer_on: date


class DisputeIn(msgspec.Struct, forbid_unknown_fields=True):
    """Why you do not agree, as a code; a short text (required for "other"), without personal data."""

    reason: DisputeReason
    text: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class DisputeOut(msgspec.Struct):
    """A disputed transfer as the county board sees it."""

    placement_id: UUID
    home_municipality: str
    receiving_municipality: str
    transfer_on: date
    proposed_by_home: bool
    dispute_reason: DisputeReason
    dispute_text: str | None
    decided_at: datetime


def _line_out(line: PaymentLine) -> PaymentLineOut:
    return PaymentLineOut(
        line.placement_id,
        line.home_name,
        line.receiving_name,
        line.unit_type,
        line.month,
        line.payer,
        line.first_day,
        line.last_day,
        line.days,
        line.ours,
    )


def _payment_out(view: PaymentView) -> PaymentOut:
    return PaymentOut(
        placement_id=view.placement_id,
        home_municipality=view.home_name,
        receiving_municipality=view.receiving_name,
        unit_type=view.unit_type,
        move_in_on=view.move_in_on,
        moved_out_on=view.moved_out_on,
        transfer_on=view.transfer_on,
        home=view.home,
        transfers=[
            TransferOut(
                t.id,
                t.transfer_on,
                t.status,
                t.proposed_by_us,
                t.proposed_at,
                t.decided_at,
                t.dispute_reason,
                t.dispute_text,
            )
            for t in view.transfers
        ],
    )


def _dispute_out(line: DisputeLine) -> DisputeOut:
    return DisputeOut(
        line.placement_id,
        line.home_name,
        line.receiving_name,
        line.transfer_on,
        line.proposed_by_home,
        line.dispute_reason,
        line.dispute_text,
        line.decided_at,
    )


class PaymentApi(Controller):
    """Payment responsibility for placements between municipalities (the placement coordinators)."""

    path = "/api/v1/housing/payments"
    tags = ["housing: payment"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/", opt=needs(PAY, MUNICIPALITY), summary="Betalningsansvar per månad")
    async def month(self, acting: Acting, month: FromQuery[str | None] = None) -> list[PaymentLineOut]:
        """What your municipality pays for and what it receives in one month (ÅÅÅÅ-MM, default this month)."""
        chosen = this_month() if month is None else parse_month(month)
        return [_line_out(line) for line in await payment_month(acting.session, actor_of(acting), chosen)]

    @get(
        "/export",
        opt=needs(PAY, MUNICIPALITY),
        summary="Exportera en månad som CSV",
        media_type="text/csv",
    )
    async def export(self, acting: Acting, month: FromQuery[str | None] = None) -> Response[str]:
        """The month as CSV for the finance office: placement, the two municipalities, unit type, days. Audited."""
        chosen = this_month() if month is None else parse_month(month)
        return _csv(chosen, await payment_export(acting.session, actor_of(acting), chosen))

    @get("/{placement_id:uuid}", opt=needs(PAY, MUNICIPALITY), summary="En placerings betalningsansvar")
    async def one(self, acting: Acting, placement_id: FromPath[UUID]) -> PaymentOut:
        """Who pays now, and every transfer proposal with its answer."""
        return _payment_out(await payment_view(acting.session, actor_of(acting), placement_id))

    @post("/{placement_id:uuid}/transfers", opt=needs(PAY, MUNICIPALITY), summary="Föreslå överföring")
    async def propose(self, acting: Acting, placement_id: FromPath[UUID], data: JSONBody[TransferIn]) -> PaymentOut:
        """Propose the day from which the receiving municipality pays; the other municipality answers."""
        actor = actor_of(acting)
        await propose_transfer(acting.session, actor, placement_id, data.transfer_on)
        return _payment_out(await payment_view(acting.session, actor, placement_id))

    @post(
        "/{placement_id:uuid}/transfers/agree",
        opt=needs(PAY, MUNICIPALITY),
        status_code=200,
        summary="Godkänn överföring",
    )
    async def agree(self, acting: Acting, placement_id: FromPath[UUID]) -> PaymentOut:
        """Agree to the other municipality's proposal; from its date, the receiving municipality pays."""
        actor = actor_of(acting)
        await agree_transfer(acting.session, actor, placement_id)
        return _payment_out(await payment_view(acting.session, actor, placement_id))

    @post(
        "/{placement_id:uuid}/transfers/dispute",
        opt=needs(PAY, MUNICIPALITY),
        status_code=200,
        summary="Bestrid överföring",
    )
    async def dispute(self, acting: Acting, placement_id: FromPath[UUID], data: JSONBody[DisputeIn]) -> PaymentOut:
        """Dispute the other municipality's proposal; both sides and the county boards see the dispute."""
        actor = actor_of(acting)
        await dispute_transfer(acting.session, actor, placement_id, data.reason.value, data.text)
        return _payment_out(await payment_view(acting.session, actor, placement_id))


class DisputeApi(Controller):
    """The county board's read of disputes about payment responsibility in its county."""

    path = "/api/v1/housing/payment-disputes"
    tags = ["housing: payment"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/", opt=needs(OVERSEE_PAYMENT, COUNTY_BOARD), summary="Tvister i länet")
    async def disputes(self, acting: Acting) -> list[DisputeOut]:
        """Disputed transfers where the home or the receiving municipality is in your county."""
        return [_dispute_out(line) for line in await county_disputes(acting.session, actor_of(acting))]


PAYMENT_ROUTES: list[ControllerRouterHandler] = [PaymentPages, DisputePages, PaymentApi, DisputeApi]
