"""The one rule for text that comes in: no control characters, and no value without an end.

Every name and value a request carries (query and path parameters, form fields, JSON keys and
strings at any depth) is read against these rules before a handler sees it
(avhopp.platform.web.input_guard). Control characters (C0, DEL and C1) and lone surrogates are
refused: PostgreSQL cannot store NUL at all, a lone surrogate cannot be encoded, and the rest
mean nothing in what a person types but can hide text or split a line in a log or an export.
Tab and line breaks are let through in values sent in a body, where a text area may hold several
lines; names, and parameters in a URL, are single lines. Each problem names its field: a form
name, or a JSON path such as `service.phones[0].number`, as the services name theirs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from avhopp.platform.problems import FieldProblem

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

MAX_VALUE_LENGTH = 10_000
"""A value sent in a body: the longest free text a service accepts is well below this."""
MAX_PARAMETER_LENGTH = 4_096
"""A query or path parameter: room for an identity provider's authorization code or token hint."""
MAX_NAME_LENGTH = 100
"""A form field's name or a JSON key."""
MAX_DEPTH = 16
"""Levels of nested JSON objects and arrays; a directory entry needs five."""
MAX_PROBLEMS = 20
"""A body full of bad values gets an answer of bounded size."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BUT_TAB_AND_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _control_message(field: str) -> str:
    return f"Fältet ”{field}” innehåller ett tecken som inte är tillåtet (ett styrtecken). Ta bort det och försök igen."


def _length_message(field: str, limit: int) -> str:
    # Swedish groups thousands with a (no-break) space: 10 000.
    grouped = f"{limit:,}".replace(",", "\N{NO-BREAK SPACE}")
    return f"Fältet ”{field}” får vara högst {grouped} tecken långt."


_BAD_NAME = FieldProblem("", "Ett fältnamn i förfrågan är för långt eller innehåller ett styrtecken.")
TOO_DEEP = FieldProblem("", f"Förfrågan har för många nivåer i varandra (högst {MAX_DEPTH}).")


def has_control_character(value: str, *, line_breaks: bool) -> bool:
    """Whether `value` holds a character the rule refuses; tab and line breaks pass only if `line_breaks`."""
    control = _CONTROL_BUT_TAB_AND_LINE_BREAKS if line_breaks else _CONTROL
    return control.search(value) is not None


def text_problem(field: str, value: str, *, max_length: int, line_breaks: bool) -> FieldProblem | None:
    """What is wrong with `value` for `field`, or None; tab and line breaks only if `line_breaks`."""
    if has_control_character(value, line_breaks=line_breaks):
        return FieldProblem(field, _control_message(field))
    if len(value) > max_length:
        return FieldProblem(field, _length_message(field, max_length))
    return None


def _is_clean_name(name: str) -> bool:
    """Whether `name` may name a field: one line, no control character, not too long."""
    return len(name) <= MAX_NAME_LENGTH and not _CONTROL.search(name)


def parameter_problems(parameters: Iterable[tuple[str, object]]) -> Iterator[FieldProblem]:
    """Problems of query or path parameters (single lines); values that are not text have been parsed."""
    for name, value in parameters:
        if not _is_clean_name(name):
            yield _BAD_NAME
        elif isinstance(value, str):
            problem = text_problem(name, value, max_length=MAX_PARAMETER_LENGTH, line_breaks=False)
            if problem is not None:
                yield problem


def field_problems(fields: Iterable[tuple[str, str]]) -> Iterator[FieldProblem]:
    """Problems of form fields, as name and text."""
    for name, value in fields:
        if not _is_clean_name(name):
            yield _BAD_NAME
            continue
        problem = text_problem(name, value, max_length=MAX_VALUE_LENGTH, line_breaks=True)
        if problem is not None:
            yield problem


def json_problems(
    value: object, path: str = "", depth: int = 0, long_fields: Mapping[str, int] | None = None
) -> Iterator[FieldProblem]:
    """Problems of a decoded JSON document: every key and string, however deep.

    `long_fields` names the paths a route lets be longer (an encoded file), with their own limit.
    """
    long_fields = long_fields or {}
    if isinstance(value, str):
        limit = long_fields.get(path, MAX_VALUE_LENGTH)
        problem = text_problem(path, value, max_length=limit, line_breaks=True)
        if problem is not None:
            yield problem
        return
    if not isinstance(value, dict | list):
        return
    if depth >= MAX_DEPTH:
        yield TOO_DEEP
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_problems(item, f"{path}[{index}]", depth + 1, long_fields)
        return
    for key, item in value.items():
        if not isinstance(key, str) or not _is_clean_name(key):
            yield _BAD_NAME
            continue
        yield from json_problems(item, f"{path}.{key}" if path else key, depth + 1, long_fields)
