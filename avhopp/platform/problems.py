"""What services answer when they refuse: not found, or input with problems.

`NotFoundError`: the object does not exist, or belongs to another tenant (the same answer).
`InvalidInputError`: each problem names its field and says why, in Swedish; raised before
anything changes. Pages show the messages beside their fields and in the error summary; the API
returns them as the problem's `errors` (avhopp.platform.web.errors maps both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable


class NotFoundError(LookupError):
    """The thing does not exist, or this tenant may not know of it: both get the same answer."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong: the field (a form name or a dotted path) and a Swedish message."""

    field: str
    message: str


class InvalidInputError(ValueError):
    """Input has problems; nothing was changed."""

    def __init__(self, problems: Iterable[FieldProblem]) -> None:
        self.problems = tuple(problems)
        # Field names only: a message may quote what was typed, and exceptions reach the logs.
        super().__init__(", ".join(problem.field for problem in self.problems))

    @classmethod
    def one(cls, field: str, message: str) -> InvalidInputError:
        """A refusal that concerns one field."""
        return cls([FieldProblem(field, message)])

    @property
    def field(self) -> str:
        """The first problem's field."""
        return self.problems[0].field if self.problems else ""

    @property
    def message(self) -> str:
        """The first problem's message."""
        return self.problems[0].message if self.problems else ""

    def by_field(self) -> dict[str, str]:
        """Field to message, the first message per field, in the order found."""
        messages: dict[str, str] = {}
        for problem in self.problems:
            messages.setdefault(problem.field, problem.message)
        return messages


@dataclass(slots=True)
class Problems:
    """Problems collected while reading a form, raised together at the end."""

    found: list[FieldProblem] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        """Note a problem with one field."""
        self.found.append(FieldProblem(name, message))

    @property
    def messages(self) -> dict[str, str]:
        """Field to message, the first per field."""
        return InvalidInputError(self.found).by_field()

    def raise_if_any(self) -> None:
        """Refuse the input if anything was wrong."""
        if self.found:
            raise InvalidInputError(self.found)
