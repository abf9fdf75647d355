"""Free text in cases: the platform's rule on control characters, a field's own limit, its own message.

The input guard has refused control characters in every request already; this holds the same
rule for the services' other callers (jobs, commands), with messages shown beside the field.
"""

from __future__ import annotations

from avhopp.platform.problems import FieldProblem
from avhopp.platform.text_input import has_control_character


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
    value = value.strip()
    if has_control_character(value, line_breaks=lines):
        problems.append(FieldProblem(field, "Texten innehåller otillåtna tecken."))
    elif len(value) > limit:
        problems.append(FieldProblem(field, f"Skriv högst {limit} tecken."))
    elif not value and missing is not None:
        problems.append(FieldProblem(field, missing))
    return value
