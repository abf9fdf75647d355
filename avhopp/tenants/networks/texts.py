"""Checking the short texts of a network: one line, trimmed, within limits; a function, not a person's details."""

from __future__ import annotations

import re

from avhopp.platform.problems import FieldProblem
from avhopp.platform.text_input import text_problem

_CONTACT_DETAIL = re.compile(r"@|\d[\d\s\-‐-―]{5,}\d")
"""An e-mail address or a phone number: the member list shows functions, never private contact details."""


def one_line(field: str, value: str, *, minimum: int, maximum: int, problems: list[FieldProblem]) -> str:
    """`value` trimmed; a problem added for `field` if it is empty, too short or long, or holds a control character."""
    trimmed = value.strip()
    problem = text_problem(field, trimmed, max_length=maximum, line_breaks=False)
    if problem is not None:
        problems.append(problem)
    elif len(trimmed) < minimum:
        problems.append(FieldProblem(field, f"Skriv minst {minimum} tecken."))
    return trimmed


def contact_function(field: str, value: str, problems: list[FieldProblem]) -> str:
    """A function to contact, e.g. "Avhopparsamordnare, socialtjänsten", without an address or number."""
    trimmed = one_line(field, value, minimum=2, maximum=200, problems=problems)
    if _CONTACT_DETAIL.search(trimmed):
        problems.append(
            FieldProblem(
                field,
                "Ange en funktion, till exempel ”Avhopparsamordnare, socialtjänsten”, utan e-postadress"
                " eller telefonnummer.",
            )
        )
    return trimmed
