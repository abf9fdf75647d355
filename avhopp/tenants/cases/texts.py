"""The one check of free text in cases: no control characters (line breaks where allowed), a length limit."""

from __future__ import annotations

import unicodedata

from avhopp.platform.problems import FieldProblem


def checked_text(  # noqa: PLR0913 - the field, its value and its rules, by name
    field: str,
    value: str,
    limit: int,
    problems: list[FieldProblem],
    *,
    lines: bool = False,
    missing: str | None = None,
) -> str:
    """The value trimmed; a problem is added for control characters, excess length, or absence (`missing` says why)."""
    allowed = "\n\r\t" if lines else ""
    value = value.strip()
    if any(unicodedata.category(char) == "Cc" and char not in allowed for char in value):
        problems.append(FieldProblem(field, "Texten innehåller otillåtna tecken."))
    elif len(value) > limit:
        problems.append(FieldProblem(field, f"Skriv högst {limit} tecken."))
    elif not value and missing is not None:
        problems.append(FieldProblem(field, missing))
    return value
