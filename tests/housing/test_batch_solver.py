"""The batch solver on generated Swedish scenarios: exact, reproducible, and the heuristic close to it."""

from __future__ import annotations

from dataclasses import replace

from avhopp.housing.engine.batch import BatchMethod, assign_batch
from avhopp.housing.engine.batch_problem import build_problem, placed_count, total_points
from avhopp.housing.engine.constraints import violations
from avhopp.housing.engine.context import prepare_context
from avhopp.housing.engine.heuristic import assignment_is_consistent, heuristic, naive_greedy
from avhopp.housing.engine.scenarios import ScenarioSpec, generate_scenario
from tests.housing.builders import settings

SMALL_BATCHES = [
    ScenarioSpec(seed=seed, units=600, placements=120, groups=30, requests=size, rivals_per_group=rivals)
    for seed in range(1, 21)
    for size, rivals in ((5, 2.0), (10, 8.0))
]


def test_the_heuristic_agrees_with_the_exact_solver_on_small_batches() -> None:
    agreed = 0
    for spec in SMALL_BATCHES:
        scenario = generate_scenario(spec)
        batch = assign_batch(prepare_context(scenario.context, settings()), scenario.requests)
        assert batch.method is BatchMethod.EXACT
        assert batch.heuristic_placed == batch.placed, spec
        assert batch.heuristic_points >= 0.98 * batch.points, spec
        agreed += batch.heuristic_points == batch.points
    assert agreed >= 0.9 * len(SMALL_BATCHES)


def test_a_national_scale_batch_of_twenty_is_solved_to_proven_optimum() -> None:
    scenario = generate_scenario(ScenarioSpec(seed=7, requests=20))
    prepared = prepare_context(scenario.context, settings())
    batch = assign_batch(prepared, scenario.requests)
    assert batch.solver is not None
    assert batch.solver.count_proven
    assert batch.solver.score_proven
    assert batch.solver.gap == 0
    assert not violations(prepared.context, prepared.settings, scenario.requests, batch.assignment())
    problem = build_problem(prepared, scenario.requests)
    greedy = naive_greedy(problem)
    assert (batch.placed, batch.points) >= (placed_count(greedy), total_points(problem, greedy))


def test_the_same_batch_gives_the_same_answer_every_time() -> None:
    scenario = generate_scenario(ScenarioSpec(seed=11, requests=30, rivals_per_group=8.0))
    prepared = prepare_context(scenario.context, settings())
    first = assign_batch(prepared, scenario.requests)
    again = assign_batch(prepare_context(scenario.context, settings()), list(reversed(scenario.requests)))
    assert first.proposals == again.proposals
    assert first.choice == again.choice


def test_a_solver_cut_short_still_returns_a_safe_answer_with_its_bound() -> None:
    scenario = generate_scenario(ScenarioSpec(seed=3, requests=120, rivals_per_group=8.0))
    hurried = replace(settings(), solver=replace(settings().solver, max_deterministic_time=0.05))
    prepared = prepare_context(scenario.context, hurried)
    batch = assign_batch(prepared, scenario.requests)
    assert batch.solver is not None
    assert batch.placed <= batch.solver.placed_bound
    assert batch.points <= batch.solver.points_bound or not batch.solver.count_proven
    assert (batch.placed, batch.points) >= (batch.heuristic_placed, batch.heuristic_points)
    assert not violations(prepared.context, prepared.settings, scenario.requests, batch.assignment())
    assert assignment_is_consistent(batch.problem, batch.choice)


def test_the_heuristic_alone_keeps_every_constraint_on_a_dense_national_batch() -> None:
    scenario = generate_scenario(ScenarioSpec(seed=5, requests=80, rivals_per_group=8.0))
    prepared = prepare_context(scenario.context, settings())
    problem = build_problem(prepared, scenario.requests)
    choice = heuristic(problem)
    assert assignment_is_consistent(problem, choice)
    batch = assign_batch(prepared, scenario.requests, use_solver=False)
    assert batch.method is BatchMethod.HEURISTIC
    assert not violations(prepared.context, prepared.settings, scenario.requests, batch.assignment())
