"""Reading typed values out of HSDS JSON, collecting every problem with its path.

HSDS JSON from elsewhere may be wrong in many places at once; an importer wants them all, each
pointing at where it is (a JSON path such as ("phones", 0, "number")), in Swedish.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

if TYPE_CHECKING:
    from collections.abc import Mapping
    from enum import StrEnum

E = TypeVar("E", bound="StrEnum")
JsonPath = tuple[str | int, ...]
JsonObject = dict[str, object]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TIME = re.compile(r"^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?$")


@dataclass(frozen=True, slots=True)
class MappingProblem:
    """One thing in HSDS JSON that cannot become part of an entry: where (a JSON path) and why, in Swedish."""

    path: JsonPath
    message: str


def dotted(path: JsonPath) -> str:
    """A JSON path for people, e.g. "phones[0].number"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text or "(hela objektet)"


class HsdsMappingError(ValueError):
    """HSDS JSON cannot become a directory entry; `problems` lists every reason."""

    def __init__(self, problems: list[MappingProblem]) -> None:
        super().__init__("; ".join(f"{dotted(problem.path)}: {problem.message}" for problem in problems))
        self.problems = problems


class Reader:
    """Typed access to HSDS JSON that records a problem instead of failing at the first one.

    Each accessor returns a typed placeholder when the value is missing or wrong, so reading can go
    on and an entry can still be built (and validated); `problems` says whether it can be trusted.
    """

    def __init__(self) -> None:
        self.problems: list[MappingProblem] = []

    def problem(self, path: JsonPath, message: str) -> None:
        """Record a problem."""
        self.problems.append(MappingProblem(path, message))

    def mapping(self, value: object, path: JsonPath) -> Mapping[str, object]:
        """A JSON object (an empty one, recorded as a problem, if it is something else)."""
        if isinstance(value, dict):
            return value
        self.problem(path, "Ska vara ett objekt.")
        return {}

    def objects(
        self, data: Mapping[str, object], key: str, path: JsonPath
    ) -> list[tuple[JsonPath, Mapping[str, object]]]:
        """The objects of an optional array, each with its path."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem((*path, key), "Ska vara en lista.")
            return []
        return [((*path, key, index), self.mapping(item, (*path, key, index))) for index, item in enumerate(value)]

    def text(self, data: Mapping[str, object], key: str, path: JsonPath, *, required: bool = False) -> str:
        """A string field; missing is the empty string (a problem if `required`)."""
        value = data.get(key)
        if value is None:
            if required:
                self.problem((*path, key), "Fältet saknas.")
            return ""
        if not isinstance(value, str):
            self.problem((*path, key), "Ska vara en text.")
            return ""
        return value

    def uuid(self, data: Mapping[str, object], key: str, path: JsonPath) -> UUID:
        """A required UUID field (the nil UUID, recorded as a problem, if missing or malformed)."""
        value = self.text(data, key, path, required=True)
        if value and _UUID.fullmatch(value):
            return UUID(value)
        if value:
            self.problem((*path, key), f"Ska vara ett UUID, inte {value!r}.")
        return UUID(int=0)

    def choice(self, data: Mapping[str, object], key: str, path: JsonPath, vocabulary: type[E], default: E) -> E:
        """A value of a vocabulary; missing is `default`."""
        value = self.text(data, key, path)
        if not value:
            return default
        try:
            return vocabulary(value)
        except ValueError:
            allowed = ", ".join(member.value for member in vocabulary)
            self.problem((*path, key), f"Okänt värde {value!r}; tillåtna värden: {allowed}.")
            return default

    def age(self, data: Mapping[str, object], key: str, path: JsonPath) -> int | None:
        """An optional age in whole years (HSDS says number; a whole float is accepted)."""
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem((*path, key), "Ska vara ett tal.")
            return None
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            self.problem((*path, key), f"Åldern måste vara ett helt antal år, inte {value}.")
            return None
        return int(value)

    def date_of(self, data: Mapping[str, object], key: str, path: JsonPath) -> date | None:
        """An optional date as YYYY-MM-DD."""
        value = self.text(data, key, path)
        if not value:
            return None
        try:
            if _DATE.fullmatch(value):
                return date.fromisoformat(value)
        except ValueError:
            pass
        self.problem((*path, key), f"Ange ett datum som ÅÅÅÅ-MM-DD, inte {value!r}.")
        return None

    def time_of(self, data: Mapping[str, object], key: str, path: JsonPath) -> time:
        """A required time of day as HH:MM (seconds and a UTC offset allowed); midnight if missing."""
        value = self.text(data, key, path, required=True)
        try:
            if _TIME.fullmatch(value):
                return time.fromisoformat(value)
        except ValueError:
            pass
        if value:
            self.problem((*path, key), f"Ange en tid som TT:MM, inte {value!r}.")
        return time()
