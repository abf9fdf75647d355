"""Callbacks: when and on which number it is safe to call someone back, and every try.

The number is sealed (AES-GCM under a key derived from AVHOPP_SECRET_KEY, bound to the
callback's id), shown only to the line's operators, and erased with the note when the callback
closes: when an operator says it is done or abandoned (never as a side effect of a try), or when
it has stayed open longer than the line's setting (7 days unless changed) and expires.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from avhopp.directory.line.models import CALLBACK_NUMBER_PURPOSE, Callback, CallbackAttempt, Contact, LineSettings
from avhopp.directory.line.notices import CALLBACKS_OVERDUE, LIFTED_BY_OPERATOR, notify_supervisors_of_escalation
from avhopp.directory.line.privacy import check_free_text, displayed_phone_number, normalised_phone_number
from avhopp.directory.line.vocabulary import AttemptOutcome, CallbackStatus
from avhopp.platform.database import act_for_tenant
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.sealing import seal, unseal
from avhopp.tenants.registry.service import TenantKind, tenant_ids_of_kind

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

_PURPOSE = CALLBACK_NUMBER_PURPOSE
MAX_NOTE = 500
DEFAULT_EXPIRY_DAYS = 7
MAX_EXPIRY_DAYS = 90
CLOSING = (CallbackStatus.DONE, CallbackStatus.CANCELLED)
"""What an operator may close a callback as: done (the person was helped) or abandoned."""


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """What a caller asked for: a number, a window when it is safe, a short note."""

    phone_number: str
    window_start: datetime | None
    window_end: datetime | None
    note: str = ""


def _checked(request: CallbackRequest, now: datetime) -> tuple[str, datetime, datetime]:
    problems: list[FieldProblem] = []
    number = ""
    try:
        number = normalised_phone_number("phone_number", request.phone_number)
    except InvalidInputError as error:
        problems.append(FieldProblem(error.field, error.message))
    try:
        check_free_text("note", request.note)
    except InvalidInputError as error:
        problems.append(FieldProblem(error.field, error.message))
    if len(request.note) > MAX_NOTE:
        problems.append(FieldProblem("note", f"Skriv högst {MAX_NOTE} tecken."))
    start, end = request.window_start, request.window_end
    if start is None or end is None:
        problems.append(FieldProblem("window_start", "Ange när det går bra att ringa: från och till."))
    elif end <= now:
        problems.append(FieldProblem("window_end", "Tiden har redan passerat. Välj en tid framåt."))
    elif end <= start:
        problems.append(FieldProblem("window_end", "Sluttiden måste vara efter starttiden."))
    if problems:
        raise InvalidInputError(problems)
    assert start is not None  # noqa: S101 - checked above
    assert end is not None  # noqa: S101 - checked above
    return number, start, end


async def request_callback(
    session: AsyncSession,
    line_id: uuid.UUID,
    secret_key: str,
    request: CallbackRequest,
    contact_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Queue a callback (from a contact, or from the public page outside opening hours).

    Raises:
        InvalidInputError: not a phone number, a window in the past or backwards, a note with a
            personal identity number; nothing is saved.

    """
    number, start, end = _checked(request, datetime.now(UTC))
    if contact_id is not None:
        # The console answers a booking with itself, so a reload sends it again: the contact's row is
        # locked while checking, and the same window booked twice from one contact is refused.
        await session.execute(
            select(Contact.id).where(Contact.tenant_id == line_id, Contact.id == contact_id).with_for_update()
        )
        if await _booked_already(session, line_id, contact_id, start, end):
            raise InvalidInputError([FieldProblem("window_start", DUPLICATE_CALLBACK)])
    callback_id = uuid.uuid4()
    session.add(
        Callback(
            id=callback_id,
            tenant_id=line_id,
            contact_id=contact_id,
            phone_sealed=seal(secret_key, _PURPOSE, number.encode(), callback_id.bytes),
            window_start=start,
            window_end=end,
            note=request.note.strip(),
        )
    )
    await session.flush()
    return callback_id


DUPLICATE_CALLBACK = (
    "Kontakten har redan en bokad återuppringning för samma tid, så den bokas inte igen. "
    "Den syns under ”Återuppringningar från den här kontakten”. Det du har skrivit finns kvar."
)
"""The message for the same callback booked a second time from one contact (a page sent again)."""


async def _booked_already(
    session: AsyncSession, line_id: uuid.UUID, contact_id: uuid.UUID, start: datetime, end: datetime
) -> bool:
    """Whether the contact has an open callback for exactly this window."""
    count = await session.scalar(
        select(func.count())
        .select_from(Callback)
        .where(
            Callback.tenant_id == line_id,
            Callback.contact_id == contact_id,
            Callback.status == CallbackStatus.OPEN.value,
            Callback.window_start == start,
            Callback.window_end == end,
        )
    )
    return bool(count)


async def request_callback_from_public(session: AsyncSession, secret_key: str, request: CallbackRequest) -> uuid.UUID:
    """Queue a callback that someone asked for on the public page, with the line responsible for them.

    That is the oldest active guidance line: one line, the same one every time. The visitor acts
    for no tenant: this transaction acts for the line from here on, so that
    row-level security checks the callback against the line it is written for.

    Raises:
        NotFoundError: no guidance line on the platform.
        InvalidInputError: as `request_callback`; nothing is saved.

    """
    lines = await tenant_ids_of_kind(session, TenantKind.GUIDANCE_LINE)
    if not lines:
        raise NotFoundError
    await act_for_tenant(session, lines[0])
    return await request_callback(session, lines[0], secret_key, request)


@dataclass(frozen=True, slots=True)
class QueuedCallback:
    """A callback as the queue shows it, with the number readable for the operator."""

    callback: Callback
    phone_number: str | None
    attempts: list[CallbackAttempt]

    def due(self, now: datetime) -> bool:
        """Whether its window has begun and it is still open."""
        return self.callback.status == CallbackStatus.OPEN and self.callback.window_start <= now


def _opened(callback: Callback, secret_key: str) -> str | None:
    if callback.phone_sealed is None:
        return None
    return displayed_phone_number(unseal(secret_key, _PURPOSE, callback.phone_sealed, callback.id.bytes).decode())


async def callback_queue(
    session: AsyncSession, line_id: uuid.UUID, secret_key: str, *, open_only: bool = True
) -> list[QueuedCallback]:
    """The line's callbacks ordered by when they are due."""
    statement = select(Callback).where(Callback.tenant_id == line_id).order_by(Callback.window_start)
    if open_only:
        statement = statement.where(Callback.status == CallbackStatus.OPEN.value)
    callbacks = list(await session.scalars(statement))
    attempts: dict[uuid.UUID, list[CallbackAttempt]] = {}
    if callbacks:
        for attempt in await session.scalars(
            select(CallbackAttempt)
            .where(CallbackAttempt.callback_id.in_([c.id for c in callbacks]))
            .order_by(CallbackAttempt.attempted_at)
        ):
            attempts.setdefault(attempt.callback_id, []).append(attempt)
    return [QueuedCallback(c, _opened(c, secret_key), attempts.get(c.id, [])) for c in callbacks]


async def _open_callback(session: AsyncSession, line_id: uuid.UUID, callback_id: uuid.UUID) -> Callback:
    callback = await session.scalar(
        select(Callback).where(
            Callback.id == callback_id, Callback.tenant_id == line_id, Callback.status == CallbackStatus.OPEN.value
        )
    )
    if callback is None:
        raise NotFoundError
    return callback


async def log_attempt(
    session: AsyncSession, line_id: uuid.UUID, operator_id: uuid.UUID, callback_id: uuid.UUID, outcome: AttemptOutcome
) -> None:
    """Record one try; the callback stays open (with its number) until an operator closes it."""
    callback = await _open_callback(session, line_id, callback_id)
    session.add(CallbackAttempt(tenant_id=line_id, callback_id=callback_id, operator_id=operator_id, outcome=outcome))
    if outcome is AttemptOutcome.REACHED and callback.first_reached_at is None:
        callback.first_reached_at = datetime.now(UTC)
    await session.flush()


async def close_callback(
    session: AsyncSession, line_id: uuid.UUID, callback_id: uuid.UUID, status: CallbackStatus
) -> None:
    """Close a callback as done or abandoned, as the operator chose; the number and the note are erased.

    Raises:
        NotFoundError: not an open callback of the line.
        InvalidInputError: neither done nor abandoned.

    """
    if status not in CLOSING:
        raise InvalidInputError.one("status", "Välj om återuppringningen är klar eller avbruten.")
    _close(await _open_callback(session, line_id, callback_id), status, datetime.now(UTC))
    await session.flush()


async def escalate_callback(session: AsyncSession, line_id: uuid.UUID, callback_id: uuid.UUID) -> None:
    """An operator lifts an open callback to the line's supervisors, who are told (a kind and a link)."""
    callback = await _open_callback(session, line_id, callback_id)
    if callback.escalated_at is None:
        callback.escalated_at = datetime.now(UTC)
        await session.flush()
        await notify_supervisors_of_escalation(session, line_id, LIFTED_BY_OPERATOR)


def _close(callback: Callback, status: CallbackStatus, now: datetime) -> None:
    callback.status = status.value
    callback.closed_at = now
    callback.phone_sealed = None
    callback.note = ""


async def expiry_days(session: AsyncSession, line_id: uuid.UUID) -> int:
    """How many days an open callback waits before it expires (the line's setting, or 7)."""
    days = await session.scalar(select(LineSettings.callback_expiry_days).where(LineSettings.tenant_id == line_id))
    return DEFAULT_EXPIRY_DAYS if days is None else int(days)


async def set_expiry_days(session: AsyncSession, line_id: uuid.UUID, days: int) -> None:
    """Change how long an open callback waits before it expires.

    Raises:
        InvalidInputError: outside 1 to 90 days.

    """
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        raise InvalidInputError.one("callback_expiry_days", f"Välj mellan 1 och {MAX_EXPIRY_DAYS} dagar.")
    statement = insert(LineSettings).values(tenant_id=line_id, callback_expiry_days=days)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[LineSettings.tenant_id], set_={"callback_expiry_days": days})
    )


async def escalate_overdue(session: AsyncSession, line_id: uuid.UUID, now: datetime) -> int:
    """Mark the line's open callbacks whose window has passed and tell its supervisors once; returns how many."""
    overdue = await session.scalars(
        update(Callback)
        .where(
            Callback.tenant_id == line_id,
            Callback.status == CallbackStatus.OPEN.value,
            Callback.window_end < now,
            Callback.overdue_notified_at.is_(None),
        )
        .values(overdue_notified_at=now)
        .returning(Callback.id)
    )
    count = len(overdue.all())
    if count:
        await notify_supervisors_of_escalation(session, line_id, CALLBACKS_OVERDUE)
    return count


async def expire_callbacks(session: AsyncSession, line_id: uuid.UUID, now: datetime) -> int:
    """Close the line's callbacks open longer than its setting as expired, erasing number and note; how many."""
    cutoff = now - timedelta(days=await expiry_days(session, line_id))
    expired = await session.scalars(
        update(Callback)
        .where(
            Callback.tenant_id == line_id,
            Callback.status == CallbackStatus.OPEN.value,
            Callback.created_at < cutoff,
        )
        .values(status=CallbackStatus.EXPIRED.value, closed_at=now, phone_sealed=None, note="")
        .returning(Callback.id)
    )
    return len(expired.all())


async def due_callbacks(session: AsyncSession, line_id: uuid.UUID, now: datetime) -> int:
    """How many open callbacks have reached their window: the reminder on the console's first page."""
    count = await session.scalar(
        select(func.count())
        .select_from(Callback)
        .where(
            Callback.tenant_id == line_id,
            Callback.status == CallbackStatus.OPEN.value,
            Callback.window_start <= now,
        )
    )
    return int(count or 0)


async def callbacks_of_contact(session: AsyncSession, line_id: uuid.UUID, contact_id: uuid.UUID) -> list[Callback]:
    """The callbacks booked from one contact, by when they are due (the console lists them, without the number)."""
    return list(
        await session.scalars(
            select(Callback)
            .where(Callback.tenant_id == line_id, Callback.contact_id == contact_id)
            .order_by(Callback.window_start)
        )
    )
