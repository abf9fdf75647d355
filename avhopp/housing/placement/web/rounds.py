"""National rounds' pages and API: gather open requests, review the engine's joint answer, send or set aside.

Only the national coordinator's placement role (`placement:round`), in the national coordinator's
tenant. A round's page shows the engine's full explanations, which reveal where others live: every
view is audited. Sending is a button behind a confirmation; it sends all of the round's offers or,
when the country has changed since the round was solved, none.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template

from avhopp.housing.engine.service import BatchMethod
from avhopp.housing.placement.permissions import ROUND
from avhopp.housing.placement.service import (
    MAX_ROUND,
    Candidate,
    Need,
    RoundLine,
    RoundStatus,
    RoundView,
    cancel_round,
    gather_round,
    round_candidates,
    round_view,
    rounds_in_tenant,
    send_round,
)
from avhopp.housing.placement.web.api import NATIONAL, actor_of, needs
from avhopp.housing.placement.web.pages import LABELS
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.labels import labels_of
from avhopp.platform.problems import FieldProblem, InvalidInputError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.tenants.cases.web.components import API_EXCEPTION_HANDLERS

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

ROUND_LABELS = {**LABELS, "round": labels_of(RoundStatus), "method": labels_of(BatchMethod)}
ROUNDS = "/placering/nationell/omgangar"


def _page(name: str, context: dict[str, Any], *, errors: dict[str, str] | None = None) -> Template:
    return Template(
        template_name=f"placement/{name}.html",
        context={"labels": ROUND_LABELS, "errors": errors or {}, "form": {}, **context},
        status_code=400 if errors else 200,
    )


def _request_ids(values: tuple[str, ...]) -> list[UUID]:
    try:
        return [UUID(value.strip()) for value in values]
    except ValueError:
        raise InvalidInputError([FieldProblem("request_ids", "Välj begäranden i listan.")]) from None


class RoundPages(Controller):
    """The national coordinator's rounds: gather, review (audited), send or cancel."""

    path = ROUNDS
    opt = {"permission": ROUND, "tenant_kinds": NATIONAL}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    async def _rounds(
        self, acting: TenantScope, form: dict[str, list[str]] | None = None, errors: dict[str, str] | None = None
    ) -> Template:
        return _page(
            "rounds",
            {
                "rounds": await rounds_in_tenant(acting.session, acting.tenant_id),
                "candidates": await round_candidates(acting.session),
                "form": form or {},
            },
            errors=errors,
        )

    async def _round(self, acting: Acting, round_id: UUID, errors: dict[str, str] | None = None) -> Template:
        view = await round_view(acting.session, actor_of(acting), round_id)
        names = {municipality.code: municipality.name for municipality in shipped_geography().municipalities}
        return _page("round", {"view": view, "municipalities": names}, errors=errors)

    @get("/")
    async def start(self, acting: Acting) -> Template:
        """The rounds so far and the requests open now, to gather a new one."""
        return await self._rounds(acting)

    @post("/")
    async def gather(self, request: Request[Any, Any, Any], acting: Acting) -> Response[Any]:
        """Solve the chosen requests jointly; the answer waits for review."""
        form = await request.form()
        chosen = tuple(value for value in form.getall("request_ids", []) if isinstance(value, str))
        try:
            async with acting.session.begin_nested():
                round_id = await gather_round(acting.session, actor_of(acting), _request_ids(chosen))
        except InvalidInputError as error:
            return await self._rounds(acting, {"request_ids": list(chosen)}, error.by_field())
        return Redirect(f"{ROUNDS}/{round_id}")

    @get("/{round_id:uuid}")
    async def one(self, acting: Acting, round_id: FromPath[UUID]) -> Template:
        """The engine's answer per request with its full explanation (the view is audited)."""
        return await self._round(acting, round_id)

    @post("/{round_id:uuid}/skicka")
    async def send(self, acting: Acting, round_id: FromPath[UUID]) -> Response[Any]:
        """Send the round's offers, all or none."""
        try:
            async with acting.session.begin_nested():
                await send_round(acting.session, actor_of(acting), round_id)
        except InvalidInputError as error:
            return await self._round(acting, round_id, error.by_field())
        return Redirect(f"{ROUNDS}/{round_id}")

    @post("/{round_id:uuid}/avbryt")
    async def cancel(self, acting: Acting, round_id: FromPath[UUID]) -> Response[Any]:
        """Set the round aside; nothing is sent."""
        try:
            async with acting.session.begin_nested():
                await cancel_round(acting.session, actor_of(acting), round_id)
        except InvalidInputError as error:
            return await self._round(acting, round_id, error.by_field())
        return Redirect(f"{ROUNDS}/{round_id}")


class CandidateOut(msgspec.Struct):
    """An open request: coded facts and the requesting organisation, never a case or a person."""

    request_id: UUID
    requester: str
    household_size: int
    needs: list[Need]
    earliest_move_in: date
    acute: bool
    waiting_since: datetime


class RoundIn(msgspec.Struct, forbid_unknown_fields=True):
    """The open requests to solve jointly."""

    request_ids: Annotated[list[UUID], msgspec.Meta(min_length=2, max_length=MAX_ROUND)]


class RoundLineOut(msgspec.Struct):
    """A round: when, how it was solved, how many were placed, where it stands."""

    id: UUID
    status: RoundStatus
    method: BatchMethod
    requested: int
    placed: int
    heuristic_placed: int
    created_at: datetime


class EntryOut(msgspec.Struct):
    """One request's answer: the municipality and locality chosen (never an address), and the explanation."""

    request_id: UUID
    requester: str
    placed: bool
    municipality_code: str | None
    locality_code: str | None
    offer_id: UUID | None
    explanation: dict[str, Any]


class RoundOut(msgspec.Struct):
    """A round with every request's answer."""

    round: RoundLineOut
    entries: list[EntryOut]


def _candidate_out(candidate: Candidate) -> CandidateOut:
    return CandidateOut(
        candidate.request_id,
        candidate.requester,
        candidate.household_size,
        list(candidate.needs),
        candidate.earliest_move_in,
        candidate.acute,
        candidate.waiting_since,
    )


def _line_out(line: RoundLine) -> RoundLineOut:
    return RoundLineOut(
        line.id,
        line.status,
        BatchMethod(line.method),
        line.requested,
        line.placed,
        line.heuristic_placed,
        line.created_at,
    )


def _round_out(view: RoundView) -> RoundOut:
    return RoundOut(
        round=_line_out(view.line),
        entries=[
            EntryOut(
                entry.request_id,
                entry.requester,
                entry.placed,
                entry.municipality_code,
                entry.locality_code,
                entry.offer_id,
                entry.explanation,
            )
            for entry in view.entries
        ],
    )


class RoundApi(Controller):
    """National rounds for the national coordinator's own tools; every view of a round is audited."""

    path = "/api/v1/housing/rounds"
    tags = ["housing: national"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/candidates", opt=needs(ROUND, NATIONAL), summary="Öppna begäranden")
    async def candidates(self, acting: Acting) -> list[CandidateOut]:
        """The requests open now, acute first, then the oldest."""
        return [_candidate_out(candidate) for candidate in await round_candidates(acting.session)]

    @get("/", opt=needs(ROUND, NATIONAL), summary="Omgångar")
    async def list_rounds(self, acting: Acting) -> list[RoundLineOut]:
        """The rounds, newest first."""
        return [_line_out(line) for line in await rounds_in_tenant(acting.session, acting.tenant_id)]

    @post("/", opt=needs(ROUND, NATIONAL), summary="Beräkna en omgång")
    async def gather(self, acting: Acting, data: JSONBody[RoundIn]) -> RoundOut:
        """Solve open requests jointly; nothing is sent until the round is sent."""
        actor = actor_of(acting)
        round_id = await gather_round(acting.session, actor, data.request_ids)
        return _round_out(await round_view(acting.session, actor, round_id))

    @get("/{round_id:uuid}", opt=needs(ROUND, NATIONAL), summary="En omgång")
    async def one(self, acting: Acting, round_id: FromPath[UUID]) -> RoundOut:
        """The round with every request's answer and full explanation (audited)."""
        return _round_out(await round_view(acting.session, actor_of(acting), round_id))

    @post("/{round_id:uuid}/send", opt=needs(ROUND, NATIONAL), status_code=204, summary="Skicka erbjudandena")
    async def send(self, acting: Acting, round_id: FromPath[UUID]) -> None:
        """Send the round's offers, all or none (none when the country changed since it was solved)."""
        await send_round(acting.session, actor_of(acting), round_id)

    @post("/{round_id:uuid}/cancel", opt=needs(ROUND, NATIONAL), status_code=204, summary="Avbryt omgången")
    async def cancel(self, acting: Acting, round_id: FromPath[UUID]) -> None:
        """Set the round aside; its requests stay open."""
        await cancel_round(acting.session, actor_of(acting), round_id)


ROUND_ROUTES: list[ControllerRouterHandler] = [RoundPages, RoundApi]
