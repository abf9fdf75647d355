# The benchmark's output is its purpose: printing is allowed here and nowhere else in the engine.
# ruff: noqa: T201
"""Online simulation: a year of requests arriving one at a time, against the optimum in hindsight.

Run: `uv run python -m avhopp.bench.placement_online` (also the last part of
`avhopp.bench.placement_engine`; see `--help` for sizes and seeds).

The year: a generated national state as of the year's start and a year's requests, one arriving
every 365/N days in id order. Each request gets the engine's shortlist against the state as it
is then, the workflow takes the first proposal, and that placement joins the state before the
next request arrives (nobody moves out during the year). The same year's requests are then
assigned jointly in batch mode against the year's start (the optimum in hindsight), and naive
greedy takes them in arrival order on the same problem. All three are scored with the points of
the year's start, so the fair-load criterion, which the online run sees rise as it places people,
does not make the totals incomparable. Deterministic: the same seed gives the same figures.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from avhopp.housing.engine.batch import assign_batch
from avhopp.housing.engine.batch_problem import placed_count, total_points
from avhopp.housing.engine.constraints import violations
from avhopp.housing.engine.context import prepare_context
from avhopp.housing.engine.heuristic import naive_greedy
from avhopp.housing.engine.inputs import ActivePlacement, EngineSettings, SolverSettings
from avhopp.housing.engine.scenarios import ScenarioSpec, generate_scenario
from avhopp.housing.engine.shortlist import shortlist

if TYPE_CHECKING:
    from collections.abc import Sequence

    from avhopp.housing.engine.batch import BatchAssignment
    from avhopp.housing.engine.constraints import Violation
    from avhopp.housing.engine.inputs import PlacementContext, PlacementRequest

ONLINE_TARGET = 0.95
DAYS_IN_YEAR = 365
HINDSIGHT_SOLVER = SolverSettings(max_deterministic_time=60.0, max_wall_seconds=240.0)
"""The hindsight answer is the yardstick, computed once and offline: it gets more time than a round."""


@dataclass(frozen=True, slots=True)
class Totals:
    """People placed and their points at the year's start."""

    placed: int
    points: int
    seconds: float


@dataclass(frozen=True, slots=True)
class YearResult:
    """One simulated year: the online first choices, naive greedy, and the optimum in hindsight."""

    requests: int
    placeable: int
    online: Totals
    greedy: Totals
    hindsight: Totals
    hindsight_batch: BatchAssignment
    online_assignment: dict[str, str]
    """Request id to unit id, as placed online."""
    start: PlacementContext = field(repr=False)
    year: tuple[PlacementRequest, ...] = field(repr=False)

    def online_violations(self, settings: EngineSettings | None = None) -> tuple[Violation, ...]:
        """What the online placements, taken together, break at the year's start (nothing, if safe)."""
        return violations(self.start, settings or EngineSettings(), self.year, self.online_assignment)

    def ratio(self, totals: Totals) -> float:
        """Points against the hindsight answer's points."""
        return totals.points / self.hindsight.points if self.hindsight.points else 1.0


def year_of_requests(spec: ScenarioSpec) -> tuple[PlacementContext, tuple[PlacementRequest, ...]]:
    """The state at the year's start and `spec.requests` requests spread evenly over the year."""
    scenario = generate_scenario(spec)
    ordered = sorted(scenario.requests, key=lambda r: r.request_id)
    step = DAYS_IN_YEAR / max(1, len(ordered))
    spread = tuple(
        replace(request, earliest_move_in=request.earliest_move_in + timedelta(days=int(index * step)))
        for index, request in enumerate(ordered)
    )
    return scenario.context, spread


def simulate_year(spec: ScenarioSpec, settings: EngineSettings | None = None) -> YearResult:
    """Run the year online, then in hindsight, and greedy; see the module docstring."""
    settings = settings or EngineSettings(solver=HINDSIGHT_SOLVER)
    start, requests = year_of_requests(spec)

    started = time.perf_counter()
    online_assignment = _online(start, requests, settings)
    online_seconds = time.perf_counter() - started

    started = time.perf_counter()
    prepared = prepare_context(start, settings)
    hindsight = assign_batch(prepared, requests)
    hindsight_seconds = time.perf_counter() - started
    problem = hindsight.problem

    started = time.perf_counter()
    greedy = naive_greedy(problem)
    greedy_seconds = time.perf_counter() - started

    online_points = 0
    for r, request in enumerate(problem.requests):
        unit_id = online_assignment.get(request.request_id)
        if unit_id is not None:
            # Any unit allowed later in the year was allowed at its start: the state only fills up.
            screening = problem.screenings[r]
            position = int(np.flatnonzero(screening.feasible == prepared.unit_ids.index(unit_id))[0])
            online_points += int(screening.points[position])
    return YearResult(
        requests=len(requests),
        placeable=sum(1 for sites in problem.candidate_sites if len(sites)),
        online=Totals(len(online_assignment), online_points, online_seconds),
        greedy=Totals(placed_count(greedy), total_points(problem, greedy), greedy_seconds),
        hindsight=Totals(hindsight.placed, hindsight.points, hindsight_seconds),
        hindsight_batch=hindsight,
        online_assignment=online_assignment,
        start=start,
        year=requests,
    )


def _online(start: PlacementContext, requests: Sequence[PlacementRequest], settings: EngineSettings) -> dict[str, str]:
    """Each request in turn takes the first proposal of its shortlist, which then joins the state."""
    context = start
    units = {unit.unit_id: unit for unit in start.units}
    assignment: dict[str, str] = {}
    for request in requests:
        answer = shortlist(prepare_context(context, settings), request)
        if not answer.proposals:
            continue
        unit = units[answer.proposals[0].unit_id]
        assignment[request.request_id] = unit.unit_id
        placement = ActivePlacement(
            placement_id=f"Y-{request.request_id}",
            municipality_code=unit.municipality_code,
            locality_code=unit.locality_code,
            latitude=unit.latitude,
            longitude=unit.longitude,
            affiliations=request.affiliations,
            placed_on=start.as_of,
        )
        context = replace(
            context,
            units=tuple(u for u in context.units if u.unit_id != unit.unit_id),
            placements=(*context.placements, placement),
        )
    return assignment


def print_year(result: YearResult) -> None:
    """Print the year's figures and ratios."""
    report = result.hindsight_batch.solver
    print(
        f"Online year: {result.requests} requests arriving one at a time "
        f"({result.placeable} placeable alone), normal conflicts"
    )
    rows = (
        ("online first choice", result.online),
        ("naive greedy", result.greedy),
        ("hindsight batch", result.hindsight),
    )
    for name, totals in rows:
        print(
            f"  {name:<20} placed {totals.placed:>4}  points {totals.points:>8}  time {totals.seconds:7.2f} s  "
            f"ratio {result.ratio(totals):.4f}"
        )
    if report is not None:
        if report.count_proven and report.score_proven:
            print("  hindsight batch: proven optimum")
        else:
            print(
                f"  hindsight batch: not proven optimal (placed at most {report.placed_bound}, points at most "
                f"{report.points_bound}): the ratios to the true optimum are at most those above"
            )
    print()


def main(argv: Sequence[str] | None = None) -> None:
    """Simulate one year and print it."""
    parser = argparse.ArgumentParser(
        prog="python -m avhopp.bench.placement_online", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seed", type=int, default=1, help="scenario seed (default 1)")
    parser.add_argument("--requests", type=int, default=300, help="requests in the year (default 300)")
    parser.add_argument("--units", type=int, default=5_000, help="housing units (default 5000)")
    parser.add_argument("--placements", type=int, default=1_000, help="active placements at the start (default 1000)")
    args = parser.parse_args(argv)
    spec = ScenarioSpec(seed=args.seed, units=args.units, placements=args.placements, requests=args.requests)
    print_year(simulate_year(spec))


if __name__ == "__main__":
    main()
