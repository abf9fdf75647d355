"""The exact solver warm-started from the heuristic: never breaks a rule, never worse than its start."""

from __future__ import annotations

from dataclasses import replace

from avhopp.housing.engine.batch import assign_batch
from avhopp.housing.engine.batch_problem import build_problem, placed_count, total_points
from avhopp.housing.engine.constraints import violations
from avhopp.housing.engine.context import prepare_context
from avhopp.housing.engine.exact import solve_exact
from avhopp.housing.engine.heuristic import assignment_is_consistent, heuristic, improve, naive_greedy
from avhopp.housing.engine.scenarios import ScenarioSpec, generate_scenario
from tests.housing.builders import settings

DENSE = [
    ScenarioSpec(seed=seed, units=1_200, placements=200, groups=40, requests=40, rivals_per_group=8.0)
    for seed in (2, 4, 6)
]


def test_the_local_search_from_any_valid_answer_keeps_every_rule_and_never_loses() -> None:
    for spec in DENSE:
        scenario = generate_scenario(spec)
        prepared = prepare_context(scenario.context, settings())
        problem = build_problem(prepared, scenario.requests)
        greedy = naive_greedy(problem)
        better = improve(problem, greedy)
        assert assignment_is_consistent(problem, better), spec
        key = (placed_count(better), total_points(problem, better))
        assert key >= (placed_count(greedy), total_points(problem, greedy)), spec
        assignment = {
            problem.requests[r].request_id: prepared.unit_ids[int(problem.candidate_units[r][c])]
            for r, c in enumerate(better)
            if c >= 0
        }
        assert not violations(prepared.context, prepared.settings, problem.requests, assignment), spec


def test_the_warm_started_answer_keeps_every_rule_and_is_at_least_the_heuristics() -> None:
    for spec in DENSE:
        scenario = generate_scenario(spec)
        prepared = prepare_context(scenario.context, settings())
        batch = assign_batch(prepared, scenario.requests)
        assert batch.solver is not None
        assert (batch.placed, batch.points) >= (batch.heuristic_placed, batch.heuristic_points), spec
        assert batch.placed <= batch.solver.placed_bound
        assert batch.points <= batch.solver.points_bound
        assert not violations(prepared.context, prepared.settings, scenario.requests, batch.assignment())


def test_a_warm_start_cut_short_at_once_still_returns_the_start_or_better() -> None:
    spec = replace(DENSE[0], requests=80)
    scenario = generate_scenario(spec)
    prepared = prepare_context(scenario.context, settings())
    problem = build_problem(prepared, scenario.requests)
    start = heuristic(problem)
    hurried = replace(settings().solver, max_deterministic_time=0.01, max_wall_seconds=0.1)
    best, report = solve_exact(problem, hurried, start)
    assert assignment_is_consistent(problem, best)
    assert (placed_count(best), total_points(problem, best)) >= (placed_count(start), total_points(problem, start))
    assert report.placed == placed_count(best)
    assert report.points == total_points(problem, best)
