"""Callback pages: requesting one from a contact, the queue with its tries, and the public request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.directory.catalogue.web.components import public_page
from avhopp.directory.line.callbacks import (
    CLOSING,
    callback_queue,
    close_callback,
    escalate_callback,
    log_attempt,
    request_callback_from_public,
)
from avhopp.directory.line.permissions import LINE_KINDS, OPERATE
from avhopp.directory.line.vocabulary import AttemptOutcome, CallbackStatus
from avhopp.directory.line.web.console import person_of
from avhopp.directory.line.web.forms import callback_request, identity_number_problems, refuse_identity_numbers
from avhopp.platform.labels import labels_of
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, Anyone
from avhopp.platform.scope.route_permissions import PUBLIC
from avhopp.platform.web.csrf import EXCLUDE_FROM_CSRF
from avhopp.platform.web.forms import form_values
from avhopp.platform.web.ratelimit import RateLimit, address_key, count_request, refuse_when_spent, too_many

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler
    from litestar.types import ControllerRouterHandler

PUBLIC_CALLBACK_LIMIT = RateLimit("line.public_callback", requests=5, seconds=3600)
"""Callbacks accepted per address and hour; a refused form does not count."""
ATTEMPT_LABELS = labels_of(AttemptOutcome)
CLOSING_LABELS = {
    CallbackStatus.DONE.value: "Klar: vi har pratat med personen",
    CallbackStatus.CANCELLED.value: "Avbruten: vi ringer inte fler gånger",
}


def _queue_page(queue: list[Any], errors: dict[str, str]) -> Template:
    return Template(
        template_name="line/callbacks.html",
        context={
            "queue": queue,
            "errors": errors,
            "now": datetime.now(UTC),
            "attempt_labels": ATTEMPT_LABELS,
            "closing_labels": CLOSING_LABELS,
        },
        status_code=400 if errors else 200,
    )


class CallbackPages(Controller):
    """Callbacks the line owes, queued by when they are due, each try logged (a contact books one on its console)."""

    path = "/linjen"
    opt = {"permission": OPERATE, "tenant_kinds": LINE_KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/aterringningar")
    async def queue(self, state: State, acting: Acting) -> Template:
        """Open callbacks by when they are due; those whose window has begun are marked."""
        waiting = await callback_queue(acting.session, acting.tenant_id, state.settings.secret_key)
        return _queue_page(waiting, {})

    @post("/aterringningar/{callback_id:uuid}")
    async def attempt(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, callback_id: FromPath[UUID]
    ) -> Response[Any]:
        """Log a try, close the callback as done or abandoned (which erases the number), or lift it.

        Nothing has a default: a try's outcome and a close's kind are always chosen, and only a
        close chosen as done or abandoned erases the number.
        """
        form = await request.form()
        action = form.get("action")
        if problems := identity_number_problems(form):
            return await _refused(acting, state, callback_id, problems[0].field, problems[0].message)
        if action == "escalate":
            await escalate_callback(acting.session, acting.tenant_id, callback_id)
            return Redirect("/linjen/aterringningar")
        if action == "close":
            status = _enum_or_none(CallbackStatus, form.get("status"))
            if status in CLOSING:
                await close_callback(acting.session, acting.tenant_id, callback_id, status)
                return Redirect("/linjen/aterringningar")
            return await _refused(
                acting, state, callback_id, f"status-{callback_id}", "Välj om den är klar eller avbruten."
            )
        outcome = _enum_or_none(AttemptOutcome, form.get("outcome"))
        if outcome is None:
            return await _refused(acting, state, callback_id, f"outcome-{callback_id}", "Välj hur försöket gick.")
        await log_attempt(acting.session, acting.tenant_id, person_of(acting), callback_id, outcome)
        return Redirect("/linjen/aterringningar")


def _enum_or_none(values: type[Any], raw: object) -> Any:  # noqa: ANN401 - a member of `values`
    try:
        return values(str(raw or ""))
    except ValueError:
        return None


async def _refused(acting: Acting, state: State, callback_id: UUID, field: str, message: str) -> Template:
    waiting = await callback_queue(acting.session, acting.tenant_id, state.settings.secret_key)
    if callback_id not in {item.callback.id for item in waiting}:
        raise NotFoundError
    return _queue_page(waiting, {field: message})


async def within_callback_limit(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """A guard: with the limit used up, refuse before the body is read; this request is counted once accepted."""
    await refuse_when_spent(connection, PUBLIC_CALLBACK_LIMIT)


@post(
    "/hitta-stod/ring-mig",
    opt={"permission": PUBLIC, EXCLUDE_FROM_CSRF: True},
    guards=[within_callback_limit],
    include_in_schema=False,
)
async def public_callback(request: Request[Any, Any, Any], state: State, anyone: Anyone) -> Template:
    """Outside opening hours: leave a number and a safe time, and the line calls back."""
    form = await request.form()
    try:
        refuse_identity_numbers(form)
        async with anyone.session.begin_nested():
            await request_callback_from_public(anyone.session, state.settings.secret_key, callback_request(form))
        # In the callback's transaction: a callback refused here is not saved, one saved is counted.
        if not await count_request(anyone.session, PUBLIC_CALLBACK_LIMIT, address_key(request)):
            raise too_many()
    except InvalidInputError as error:
        errors = {f"callback_{p.field}": p.message for p in error.problems}
        return await public_page(anyone, {f"callback_{k}": v for k, v in form_values(form).items()}, errors, None)
    return await public_page(anyone, {}, {}, None, callback_sent=True)


CALLBACK_ROUTES: list[ControllerRouterHandler] = [CallbackPages, public_callback]
