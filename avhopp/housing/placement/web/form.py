"""Reading the placement pages' forms: each value parsed or named in Swedish, never a 500."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from avhopp.platform.problems import FieldProblem, InvalidInputError

if TYPE_CHECKING:
    from litestar.datastructures import FormMultiDict


class FormReader:
    """Values of a submitted form; problems are collected and raised together by `check`."""

    def __init__(self, form: FormMultiDict) -> None:
        self.form = form
        self.problems: list[FieldProblem] = []

    def text(self, name: str) -> str:
        """The field's text ("" if absent)."""
        value = self.form.get(name)
        return value if isinstance(value, str) else ""

    def texts(self, name: str) -> tuple[str, ...]:
        """Every value of a field that repeats (checkboxes)."""
        return tuple(value for value in self.form.getall(name, []) if isinstance(value, str))

    def integer(self, name: str, message: str) -> int:
        """A whole number; `message` when it is not one."""
        try:
            return int(self.text(name).strip())
        except ValueError:
            self.problems.append(FieldProblem(name, message))
            return 0

    def optional_integer(self, name: str, message: str) -> int | None:
        """A whole number, or None when left empty."""
        return None if not self.text(name).strip() else self.integer(name, message)

    def number(self, name: str, message: str) -> float:
        """A decimal number (a comma is read as the decimal point)."""
        try:
            return float(self.text(name).strip().replace(",", "."))
        except ValueError:
            self.problems.append(FieldProblem(name, message))
            return 0.0

    def day(self, name: str, message: str = "Ange ett datum, ÅÅÅÅ-MM-DD.") -> date:
        """A date in ISO form."""
        try:
            return date.fromisoformat(self.text(name).strip())
        except ValueError:
            self.problems.append(FieldProblem(name, message))
            return date.min

    def optional_day(self, name: str) -> date | None:
        """A date, or None when left empty."""
        return None if not self.text(name).strip() else self.day(name)

    def ident(self, name: str, message: str) -> UUID:
        """An id (UUID)."""
        try:
            return UUID(self.text(name).strip())
        except ValueError:
            self.problems.append(FieldProblem(name, message))
            return UUID(int=0)

    def check(self) -> None:
        """Raise the problems found while reading, if any."""
        if self.problems:
            raise InvalidInputError(self.problems)

    def values(self) -> dict[str, list[str]]:
        """The form as name -> values, to fill it in again."""
        return {name: [value for value in self.form.getall(name) if isinstance(value, str)] for name in self.form}
