"""Primary and secondary suppression, and the "too detailed" rule.

Primary: every count from 1 up to the threshold less one is hidden (a zero is shown: it points
at nobody). Secondary: further cells are hidden until, given every published cell and every sum
the table obeys, each hidden cell could still be anything within an interval at least as wide
as the threshold. That is checked the way an attacker would: for each hidden cell a linear
program (GLOP) finds the least and the greatest value it can take. Cells are added greedily: a
sum with a single hidden cell gives it away at once and is closed first, preferring a cell that
already shares a sum with another hidden one (the classic rectangle), an inner cell over a
margin, and the smallest count; then the linear programs find any cell still too narrow.
Hiding more never narrows an interval, so the loop ends, at worst with the section hidden.

Too detailed: a section in which more than `Rule.max_hidden_share` of the non-empty inner cells
would be hidden is not published at all; a request for it answers `TooDetailedError`. Its cells
stay unknown to a reader, and its small counts keep the guarantee like any hidden cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from avhopp.platform.problems import FieldProblem, InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from avhopp.platform.disclosure.tables import CellKey, Sum, Table

_UNBOUNDED = 1e9
"""An upper bound no count reaches, so that every linear program has an optimum."""
_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class Rule:
    """How much is hidden: counts below `threshold`, and sections too detailed to show."""

    threshold: int = 5
    max_hidden_share: float = 0.5
    """A section with more than this share of its non-empty inner cells hidden is too detailed."""

    def __post_init__(self) -> None:
        if self.threshold < 1 or not 0 < self.max_hidden_share <= 1:
            raise ValueError("a disclosure rule needs a threshold of at least 1 and a share in (0, 1]")

    @property
    def hides(self) -> bool:
        """Whether the rule hides anything (a tenant's view of its own records does not)."""
        return self.threshold > 1

    @property
    def statement(self) -> str:
        """The rule in Swedish, as an export's metadata states it."""
        return self.statement_text % self.statement_values

    @property
    def statement_text(self) -> str:
        """The statement with its numbers left out, for a page to translate: `_(text) | format(**values)`."""
        return HIDING_STATEMENT if self.hides else OWN_RECORDS_STATEMENT

    @property
    def statement_values(self) -> dict[str, int]:
        """The numbers of the statement."""
        return {"below": self.threshold - 1, "width": self.threshold, "share": round(self.max_hidden_share * 100)}


HIDING_STATEMENT = (
    "Antal från 1 till %(below)s visas inte (..). Så många andra tal är också dolda att inget dolt tal kan "
    "räknas fram ur de summor som visas: varje dolt tal kan ligga var som helst inom ett spann på minst "
    "%(width)s. Andelar visas bara när både täljare och nämnare visas, och avrundas till hela procent. En "
    "tabell där mer än %(share)s %% av de ifyllda cellerna skulle behöva döljas visas inte alls."
)
OWN_RECORDS_STATEMENT = (
    "Inga tal är dolda: det här är organisationens egna uppgifter. Andelar avrundas till hela procent."
)


UNSUPPRESSED = Rule(threshold=1)
"""For a tenant's own records only: the tenant may see each of them anyway, so nothing is hidden."""


TOO_DETAILED = (
    "Tabellen är för detaljerad: för många tal skulle behöva döljas för att ingen person ska kunna pekas ut. "
    "Välj färre indelningar eller en längre period."
)


class TooDetailedError(InvalidInputError):
    """The table would need so many hidden cells that it is not published; the field is the section."""

    def __init__(self, section: str) -> None:
        super().__init__([FieldProblem(section, TOO_DETAILED)])
        self.section = section


@dataclass(frozen=True, slots=True)
class Published:
    """A table as it may be shown: its counts, with the hidden ones as None."""

    table: Table
    hidden: frozenset[CellKey]
    """The hidden cells of the sections shown."""
    withheld: tuple[str, ...]
    """Sections too detailed to show at all: none of their cells is published."""
    rule: Rule

    @property
    def shown(self) -> dict[CellKey, int | None]:
        """Every cell as published: its count, or None where it is hidden."""
        return {key: self.value(key) for key in self.table.counts}

    def value(self, key: CellKey) -> int | None:
        """The count to show, or None where it is hidden."""
        return None if key in self.hidden or key[0] in self.withheld else self.table.counts[key]

    def percent(self, part: CellKey, whole: Iterable[CellKey]) -> int | None:
        """`part` as a whole percentage (halves rounded up) of the sum of `whole`, or None if any is hidden."""
        keys = list(whole)
        if any(self.value(key) is None for key in (part, *keys)):
            return None
        denominator = sum(self.table.counts[key] for key in keys)
        if denominator == 0:
            return None
        return (200 * self.table.counts[part] + denominator) // (2 * denominator)


def protect(table: Table, rule: Rule, *, withhold_too_detailed: bool = False) -> Published:
    """`table` with primary and secondary suppression applied.

    A too-detailed section raises `TooDetailedError`, or, with `withhold_too_detailed` (a page of
    several tables), is hidden whole while the rest is shown.
    """
    if not rule.hides:
        return Published(table, frozenset(), (), rule)
    primary = {key for key, count in table.counts.items() if 0 < count < rule.threshold}
    # Hiding more only adds to a section's hidden cells: one too detailed by its small counts alone
    # is unknown to a reader from the start, and spares the search for the others' further cells.
    early = {
        key
        for section in table.sections
        if _too_detailed(table, section, primary, rule)
        for key in table.cells_of(section)
    }
    hidden = _secondary(table, primary | early, rule.threshold, exempt=early - primary)
    detailed = tuple(section for section in table.sections if _too_detailed(table, section, hidden, rule))
    if detailed:
        if not withhold_too_detailed:
            raise TooDetailedError(detailed[0])
        withheld = {key for section in detailed for key in table.cells_of(section)}
        # A withheld section is not published: its cells are unknown to a reader, and only its
        # small counts need the guarantee (a large one may follow from what is shown).
        hidden = _secondary(table, primary | withheld, rule.threshold, exempt=withheld - primary) - withheld
    return Published(table, frozenset(hidden), detailed, rule)


def _too_detailed(table: Table, section: str, hidden: set[CellKey], rule: Rule) -> bool:
    inner = [key for key in table.cells_of(section) if not table.is_margin(key) and table.counts[key] > 0]
    return bool(inner) and sum(key in hidden for key in inner) > rule.max_hidden_share * len(inner)


def _secondary(table: Table, start: set[CellKey], threshold: int, exempt: set[CellKey] | None = None) -> set[CellKey]:
    """`start` and the further cells to hide; cells in `exempt` are unknown but need no interval."""
    hidden = set(start)
    free = exempt or set()
    member_of: dict[CellKey, list[Sum]] = {}
    for relation in table.sums:
        for key in (relation.total, *relation.parts):
            member_of.setdefault(key, []).append(relation)
    components = _components(table)
    wide: set[CellKey] = set()
    while True:
        _close_lone_cells(table, hidden, free, member_of)
        weak = _first_too_narrow(table, hidden=hidden, free=free, components=components, wide=wide, threshold=threshold)
        if weak is None:
            return hidden
        choice = _candidate(table, hidden, member_of.get(weak, []), member_of)
        if choice is None:
            component = next(cells for cells in components if weak in cells)
            choice = _cheapest(table, hidden, [key for key in component if key not in hidden], member_of, ())
        if choice is None:
            return hidden  # everything it is tied to is hidden; nothing more can be done
        hidden.add(choice)


def _close_lone_cells(
    table: Table, hidden: set[CellKey], free: set[CellKey], member_of: dict[CellKey, list[Sum]]
) -> None:
    """Hide a further cell in every sum with exactly one hidden member, until there is none."""
    changed = True
    while changed:
        changed = False
        for relation in table.sums:
            unknown = [key for key in (relation.total, *relation.parts) if key in hidden]
            if len(unknown) == 1 and unknown[0] not in free:
                choice = _candidate(table, hidden, [relation], member_of)
                if choice is not None:
                    hidden.add(choice)
                    changed = True


def _candidate(
    table: Table, hidden: set[CellKey], relations: list[Sum], member_of: dict[CellKey, list[Sum]]
) -> CellKey | None:
    keys = {key for relation in relations for key in (relation.total, *relation.parts) if key not in hidden}
    return _cheapest(table, hidden, sorted(keys), member_of, relations)


def _cheapest(
    table: Table,
    hidden: set[CellKey],
    keys: list[CellKey],
    member_of: dict[CellKey, list[Sum]],
    relations: Iterable[Sum],
) -> CellKey | None:
    own = set(map(id, relations))

    def cost(key: CellKey) -> tuple[bool, bool, bool, int, CellKey]:
        closes = any(
            id(other) not in own and any(cell in hidden for cell in (other.total, *other.parts))
            for other in member_of.get(key, [])
        )
        return (table.counts[key] == 0, not closes, table.is_margin(key), table.counts[key], key)

    return min(keys, key=cost, default=None)


def _components(table: Table) -> list[frozenset[CellKey]]:
    """The groups of cells that sums tie together (a cell in no sum is in none)."""
    parent: dict[CellKey, CellKey] = {}

    def root(key: CellKey) -> CellKey:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for relation in table.sums:
        for part in relation.parts:
            parent[root(part)] = root(relation.total)
    groups: dict[CellKey, set[CellKey]] = {}
    for key in parent:
        groups.setdefault(root(key), set()).add(key)
    return [frozenset(group) for group in groups.values()]


def _first_too_narrow(  # noqa: PLR0913 - the state of the search, passed rather than kept in an object
    table: Table,
    *,
    hidden: set[CellKey],
    free: set[CellKey],
    components: list[frozenset[CellKey]],
    wide: set[CellKey],
    threshold: int,
) -> CellKey | None:
    """The first hidden cell whose interval is too narrow; the cells found wide are added to `wide`.

    Hiding more never narrows an interval, so a cell once found wide is not checked again.
    """
    for component in components:
        hidden_here = component & hidden
        checked = sorted(hidden_here - free - wide)
        if not checked:
            continue
        relations = [r for r in table.sums if r.total in component]
        narrow = _first_narrow_cell(table.counts, relations, hidden_here, checked, threshold)
        wide.update(checked if narrow is None else checked[: checked.index(narrow)])
        if narrow is not None:
            return narrow
    return None


def _first_narrow_cell(
    counts: Mapping[CellKey, int],
    relations: Iterable[Sum],
    hidden: Iterable[CellKey],
    checked: list[CellKey],
    threshold: int,
) -> CellKey | None:
    """The first of the `checked` cells whose least and greatest value lie closer than `threshold`.

    Counts are non-negative. The model is built once and each objective solved from scratch:
    GLOP, re-solving one model from its last basis, was seen to cycle for ever on a 5 by 5
    table (`test_a_table_that_made_the_solver_cycle_is_protected`).
    """
    from ortools.linear_solver.python import model_builder  # noqa: PLC0415 - OR-Tools loads only where used

    model = model_builder.Model()
    variables = {cell: model.new_num_var(0.0, _UNBOUNDED, "") for cell in hidden}
    for relation in relations:
        terms = [(relation.total, -1.0)] + [(part, 1.0) for part in relation.parts]
        if any(cell in variables for cell, _ in terms):
            known = sum(sign * counts[cell] for cell, sign in terms if cell not in variables)
            model.add(sum(sign * variables[cell] for cell, sign in terms if cell in variables) == -known)
    solver = model_builder.Solver("glop")
    solver.set_time_limit_in_seconds(_SOLVE_SECONDS)

    def bound(key: CellKey, *, maximise: bool) -> float:
        if maximise:
            model.maximize(variables[key])
        else:
            model.minimize(variables[key])
        if solver.solve(model) != model_builder.SolveStatus.OPTIMAL:
            raise RuntimeError("the disclosure check found no optimum")
        return float(solver.objective_value)

    for key in checked:
        # The true count lies in the interval: a greatest value that far above it needs no least.
        high = bound(key, maximise=True)
        if high - counts[key] < threshold - _TOLERANCE and high - bound(key, maximise=False) < threshold - _TOLERANCE:
            return key
    return None


_SOLVE_SECONDS = 5.0
"""Far more than a table's solve takes (milliseconds); past it the check fails rather than hang."""
