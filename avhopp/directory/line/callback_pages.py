"""Callback pages: requesting one from a contact, the queue with its tries, and the public request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from avhopp.directory.entry import EntryRejectedError
from avhopp.directory.guards import guidance_line_only
from avhopp.directory.line.callbacks import (
    CallbackRequest,
    callback_queue,
    cancel_callback,
    log_attempt,
    request_callback,
)
from avhopp.directory.line.pages import OPERATE, line_context
from avhopp.directory.line.service import LineNotFoundError, contact_in_line
from avhopp.directory.line.vocabulary import AttemptOutcome, line_label
from avhopp.directory.pages.common import form_values
from avhopp.directory.pages.public import public_page
from avhopp.platform.auth.permissions import PUBLIC
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.web.csrf import EXCLUDE_FROM_CSRF
from avhopp.platform.web.ratelimit import RateLimit, SlidingWindowLimiter, check_rate, client_address
from avhopp.tenants.models import TenantKind
from avhopp.tenants.service import tenant_ids_of_kind

if TYPE_CHECKING:
    from litestar.datastructures import FormMultiDict

SWEDEN = ZoneInfo("Europe/Stockholm")
PUBLIC_CALLBACK_LIMIT = RateLimit(requests=5, seconds=3600)
_LIMITER_STATE = "line_public_callback_limiter"
ATTEMPT_LABELS = {outcome.value: line_label(outcome) for outcome in AttemptOutcome}


def _moment(form: FormMultiDict, name: str) -> datetime | None:
    """A datetime-local field, read as Swedish time."""
    raw = str(form.get(name) or "").strip()
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=SWEDEN) if raw else None
    except ValueError:
        return None


def _callback_request(form: FormMultiDict) -> CallbackRequest:
    return CallbackRequest(
        phone_number=str(form.get("phone_number") or ""),
        window_start=_moment(form, "window_start"),
        window_end=_moment(form, "window_end"),
        note=str(form.get("note") or ""),
    )


@post(
    "/linjen/kontakter/{contact_id:uuid}/aterringning",
    opt={"permission": OPERATE},
    guards=[guidance_line_only],
    include_in_schema=False,
)
async def request_from_contact(request: Request[Any, Any, Any], state: State, contact_id: UUID) -> Template | Redirect:
    """The caller wants to be called back: when it is safe, on which number."""
    line_id, _user, context = line_context(request)
    form = await request.form()
    try:
        async with context_session(state.sessions, context) as session:
            contact = await contact_in_line(session, line_id, contact_id)
            await request_callback(session, line_id, state.settings.secret_key, _callback_request(form), contact.id)
    except LineNotFoundError:
        raise NotFoundException from None
    except EntryRejectedError as error:
        return _queue_page([], {p.field: p.message for p in error.problems}, form_values(form), contact_id)
    return Redirect("/linjen/aterringningar")


def _queue_page(
    queue: list[Any], errors: dict[str, str], form: dict[str, list[str]], contact_id: UUID | None = None
) -> Template:
    return Template(
        template_name="line/callbacks.html",
        context={
            "queue": queue,
            "errors": errors,
            "form": form,
            "contact_id": contact_id,
            "now": datetime.now(UTC),
            "attempt_labels": ATTEMPT_LABELS,
            "sweden": SWEDEN,
        },
        status_code=400 if errors else 200,
    )


@get("/linjen/aterringningar", opt={"permission": OPERATE}, guards=[guidance_line_only], include_in_schema=False)
async def queue(request: Request[Any, Any, Any], state: State) -> Template:
    """Open callbacks by when they are due; those whose window has begun are marked."""
    line_id, _user, context = line_context(request)
    async with context_session(state.sessions, context) as session:
        waiting = await callback_queue(session, line_id, state.settings.secret_key)
    return _queue_page(waiting, {}, {})


@post(
    "/linjen/aterringningar/{callback_id:uuid}",
    opt={"permission": OPERATE},
    guards=[guidance_line_only],
    include_in_schema=False,
)
async def attempt(request: Request[Any, Any, Any], state: State, callback_id: UUID) -> Redirect:
    """Log a try (reaching the person closes it), or cancel; closing erases the number."""
    line_id, user_id, context = line_context(request)
    form = await request.form()
    try:
        async with context_session(state.sessions, context) as session:
            if form.get("action") == "cancel":
                await cancel_callback(session, line_id, callback_id)
            else:
                outcome = AttemptOutcome(str(form.get("outcome") or AttemptOutcome.NO_ANSWER.value))
                await log_attempt(session, line_id, user_id, callback_id, outcome)
    except (LineNotFoundError, ValueError):
        raise NotFoundException from None
    return Redirect("/linjen/aterringningar")


def _limiter(state: State) -> SlidingWindowLimiter:
    limiter = state.get(_LIMITER_STATE)
    if limiter is None:
        limiter = state[_LIMITER_STATE] = SlidingWindowLimiter(PUBLIC_CALLBACK_LIMIT)
    return limiter


@post("/hitta-stod/ring-mig", opt={"permission": PUBLIC, EXCLUDE_FROM_CSRF: True}, include_in_schema=False)
async def public_callback(request: Request[Any, Any, Any], state: State) -> Template:
    """Outside opening hours: leave a number and a safe time, and the line calls back."""
    check_rate(_limiter(state).allow(client_address(request)))
    form = await request.form()
    async with context_session(state.sessions, RequestContext()) as session:
        lines = await tenant_ids_of_kind(session, TenantKind.GUIDANCE_LINE)
    if not lines:
        raise NotFoundException
    line_context_ = RequestContext(tenant_id=lines[0])
    try:
        async with context_session(state.sessions, line_context_) as session:
            await request_callback(session, lines[0], state.settings.secret_key, _callback_request(form))
    except EntryRejectedError as error:
        errors = {f"callback_{p.field}": p.message for p in error.problems}
        return await public_page(state, {f"callback_{k}": v for k, v in form_values(form).items()}, errors, None)
    return await public_page(state, {}, {}, None, callback_sent=True)


CALLBACK_ROUTES = [request_from_contact, queue, attempt, public_callback]
