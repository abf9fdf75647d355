"""What every form of the line refuses before anything else: a personal identity number in any field."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from avhopp.directory.line.callbacks import CallbackRequest
from avhopp.directory.line.privacy import check_free_text
from avhopp.platform.problems import FieldProblem, InvalidInputError
from avhopp.platform.times import STOCKHOLM
from avhopp.platform.web.csrf import CSRF_FORM_FIELD

if TYPE_CHECKING:
    from litestar.datastructures import FormMultiDict

_NOT_FREE_TEXT = frozenset({"phone_number", CSRF_FORM_FIELD})
"""A callback's number is read as a phone number, which no personal identity number passes. The
form's CSRF token is random hex that nobody types: about one in 600 tokens holds ten digits that
read as a personal identity number, and refusing it would refuse every form of that session."""


def _an_identifier(name: str, value: str) -> bool:
    """An `…_id` field holding a canonical UUID names one of the platform's rows and is never kept as text.

    Its hex digits can happen to read as a personal identity number ("19811228-9874-…"): refusing it
    would refuse that row's form for ever.
    """
    if not name.endswith("_id"):
        return False
    try:
        return str(UUID(value)) == value
    except ValueError:
        return False


def identity_number_problems(form: FormMultiDict) -> list[FieldProblem]:
    """A problem for each field that holds a personal identity number, however it is written."""
    problems: list[FieldProblem] = []
    for name in form:
        if name in _NOT_FREE_TEXT:
            continue
        for value in form.getall(name):
            if _an_identifier(name, str(value)):
                continue
            try:
                check_free_text(name, str(value))
            except InvalidInputError as error:
                problems += error.problems
                break
    return problems


def refuse_identity_numbers(form: FormMultiDict) -> None:
    """Raise if any field holds a personal identity number.

    Raises:
        InvalidInputError: naming each such field; the form is not used.

    """
    if problems := identity_number_problems(form):
        raise InvalidInputError(problems)


def _moment(form: FormMultiDict, name: str) -> datetime | None:
    """A datetime-local field, read as Swedish time."""
    raw = str(form.get(name) or "").strip()
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=STOCKHOLM) if raw else None
    except ValueError:
        return None


def callback_request(form: FormMultiDict) -> CallbackRequest:
    """The callback a form asks for: the number, the safe window (Swedish time), the note."""
    return CallbackRequest(
        phone_number=str(form.get("phone_number") or ""),
        window_start=_moment(form, "window_start"),
        window_end=_moment(form, "window_end"),
        note=str(form.get("note") or ""),
    )
