"""Tables as the disclosure control sees them: counts, and the sums that tie them together.

A cell is named by a tuple whose first element is its section (one published table); the rest
names the cell within it, with `TOTAL` standing for a margin. A sum says that one cell equals the
sum of others: a row total, a column total, a grand total, a week that is the sum of its days, or
two sections that count the same people (a sum of one part). An attacker can use every sum of
what is published, so every sum the published figures obey must be declared here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

TOTAL = "__total__"
"""The key part that names a margin ("Totalt")."""

CellKey: TypeAlias = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Sum:
    """`total` equals the sum of `parts`."""

    total: CellKey
    parts: tuple[CellKey, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """Counts (never negative) and the sums they obey; build with `one_way`, `two_way` and `joined`."""

    counts: Mapping[CellKey, int]
    sums: tuple[Sum, ...] = ()
    sections: tuple[str, ...] = field(default=())
    """The sections in the order they were added (the order a page shows them)."""

    def __post_init__(self) -> None:
        if any(count < 0 for count in self.counts.values()):
            raise ValueError("a count is negative")
        for relation in self.sums:
            for key in (relation.total, *relation.parts):
                if key not in self.counts:
                    raise ValueError(f"a sum names a missing cell in section {key[0]!r}")
            if self.counts[relation.total] != sum(self.counts[part] for part in relation.parts):
                raise ValueError(f"a sum does not hold in section {relation.total[0]!r}")

    def cells_of(self, section: str) -> list[CellKey]:
        """The cells of one section, in the order they were given."""
        return [key for key in self.counts if key[0] == section]

    def is_margin(self, key: CellKey) -> bool:
        """Whether the cell is a total of its section (a margin) rather than an inner cell."""
        return TOTAL in key[1:]


def one_way(section: str, counts: Mapping[str, int], *, total: bool = True) -> Table:
    """One classification: a count per value, and (unless the values may overlap) their total."""
    cells: dict[CellKey, int] = {(section, value): count for value, count in counts.items()}
    sums: tuple[Sum, ...] = ()
    if total:
        cells[(section, TOTAL)] = sum(counts.values())
        sums = (Sum((section, TOTAL), tuple((section, value) for value in counts)),)
    return Table(cells, sums, (section,))


def two_way(section: str, counts: Mapping[tuple[str, str], int], rows: Iterable[str], columns: Iterable[str]) -> Table:
    """A cross-tabulation with row, column and grand totals; a missing combination counts zero."""
    row_values, column_values = list(rows), list(columns)
    cells: dict[CellKey, int] = {}
    for row in row_values:
        for column in column_values:
            cells[(section, row, column)] = counts.get((row, column), 0)
    sums: list[Sum] = []
    for row in row_values:
        parts = tuple((section, row, column) for column in column_values)
        cells[(section, row, TOTAL)] = sum(cells[part] for part in parts)
        sums.append(Sum((section, row, TOTAL), parts))
    for column in column_values:
        parts = tuple((section, row, column) for row in row_values)
        cells[(section, TOTAL, column)] = sum(cells[part] for part in parts)
        sums.append(Sum((section, TOTAL, column), parts))
    cells[(section, TOTAL, TOTAL)] = sum(cells[(section, row, TOTAL)] for row in row_values)
    sums.append(Sum((section, TOTAL, TOTAL), tuple((section, row, TOTAL) for row in row_values)))
    sums.append(Sum((section, TOTAL, TOTAL), tuple((section, TOTAL, column) for column in column_values)))
    return Table(cells, tuple(sums), (section,))


def joined(*tables: Table, sums: Iterable[Sum] = ()) -> Table:
    """Tables published together, with the sums that tie one to another (e.g. the same total)."""
    cells: dict[CellKey, int] = {}
    sections: list[str] = []
    for table in tables:
        if set(table.sections) & set(sections):
            raise ValueError("two tables share a section")
        cells |= table.counts
        sections.extend(table.sections)
    return Table(cells, tuple(relation for table in tables for relation in table.sums) + tuple(sums), tuple(sections))
