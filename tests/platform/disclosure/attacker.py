"""The disclosure audit as an attacker would run it, written apart from the service it audits.

Given only what is published (each cell's count, or None where it is hidden) and the sums the
cells are known to obey, a linear program (OR-Tools MathOpt with GLOP) finds the least and the
greatest value each hidden cell can take: counts are non-negative, shown cells are fixed and
every sum is an equality. A table passes when no interval is narrower than the threshold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.math_opt.python import mathopt

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from avhopp.platform.disclosure import CellKey, Published, Sum


def narrowest_intervals(shown: Mapping[CellKey, int | None], sums: Iterable[Sum]) -> dict[CellKey, tuple[float, float]]:
    """Each hidden cell's least and greatest possible value (`inf` when it has no upper limit)."""
    model = mathopt.Model()
    unknown = {key: model.add_variable(lb=0.0) for key, value in shown.items() if value is None}

    def term(key: CellKey) -> mathopt.LinearExpression | float:
        value = shown[key]
        return unknown[key] if value is None else float(value)

    for relation in sums:
        if all(shown[key] is not None for key in (relation.total, *relation.parts)):
            continue  # a sum of shown figures tells nothing more
        model.add_linear_constraint(sum((term(part) for part in relation.parts), start=0.0) == term(relation.total))
    found: dict[CellKey, tuple[float, float]] = {}
    for key, variable in unknown.items():
        model.minimize(variable)
        low = mathopt.solve(model, mathopt.SolverType.GLOP)
        assert low.termination.reason == mathopt.TerminationReason.OPTIMAL, "what was published is inconsistent"
        model.maximize(variable)
        high = mathopt.solve(model, mathopt.SolverType.GLOP)
        # The minimum proved the model feasible, so a maximum without an optimum is unbounded.
        top = high.objective_value() if high.termination.reason == mathopt.TerminationReason.OPTIMAL else float("inf")
        found[key] = (low.objective_value(), top)
    return found


def too_narrow(
    shown: Mapping[CellKey, int | None], sums: Iterable[Sum], threshold: int, cells: Iterable[CellKey] | None = None
) -> list[CellKey]:
    """The hidden cells (of `cells`, if given) an attacker can pin down to an interval narrower than `threshold`."""
    audited = set(shown) if cells is None else set(cells)
    return [
        key
        for key, (low, high) in narrowest_intervals(shown, sums).items()
        if key in audited and high - low < threshold - 1e-6
    ]


def audit(published: Published) -> list[CellKey]:
    """What `too_narrow` finds among the cells the rule must protect.

    Those are the hidden cells of every table published, and every small count anywhere: a table
    withheld as too detailed is not published, so a large count in it may follow from the rest.
    """
    counts, threshold = published.table.counts, published.rule.threshold
    shown = published.shown
    unknown = {key for key, value in shown.items() if value is None}
    withheld = {key for key in unknown if key[0] in published.withheld}
    small = {key for key, count in counts.items() if 0 < count < threshold}
    return too_narrow(shown, published.table.sums, threshold, (unknown - withheld) | (small & withheld))
