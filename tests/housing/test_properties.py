"""Property-based tests: no answer, in any mode, ever breaks a hard constraint.

Every example is a random small world (see `strategies`); every answer is checked by the
independent checker `constraints.violations`, and the batch optimum by brute force.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

from hypothesis import given

from avhopp.housing.engine.batch import assign_batch
from avhopp.housing.engine.batch_problem import build_problem, placed_count, total_points
from avhopp.housing.engine.constraints import violations
from avhopp.housing.engine.context import prepare_context
from avhopp.housing.engine.heuristic import naive_greedy
from avhopp.housing.engine.scoring import REQUESTER_CRITERIA
from avhopp.housing.engine.screening import screen
from avhopp.housing.engine.shortlist import shortlist
from tests.housing.strategies import PROPERTIES, SOLVER_PROPERTIES, World, worlds

if TYPE_CHECKING:
    from avhopp.housing.engine.context import PreparedContext
    from avhopp.housing.engine.results import Shortlist


@PROPERTIES
@given(worlds())
def test_the_screening_finds_exactly_what_the_checker_allows(world: World) -> None:
    prepared = prepare_context(world.context, world.settings)
    for request in world.requests:
        screening = screen(prepared, request)
        for index, unit in enumerate(prepared.context.units):
            found = violations(world.context, world.settings, [request], {request.request_id: unit.unit_id})
            expected = {v.constraint for v in found}
            screened = {c for c, mask in screening.failures.items() if mask[index]}
            assert screened == expected, unit.unit_id
        feasible_ids = {prepared.unit_ids[i] for i in screening.feasible}
        allowed = {
            u.unit_id
            for u in world.context.units
            if not violations(world.context, world.settings, [request], {request.request_id: u.unit_id})
        }
        assert feasible_ids == allowed


@PROPERTIES
@given(worlds())
def test_no_shortlist_proposal_breaks_a_hard_constraint(world: World) -> None:
    prepared = prepare_context(world.context, world.settings)
    settings = world.settings
    for request in world.requests:
        answer = shortlist(prepared, request)
        screening = screen(prepared, request)
        for proposal in answer.proposals:
            assert not violations(world.context, settings, [request], {request.request_id: proposal.unit_id})
        feasible = len(screening.feasible)
        assert len(answer.proposals) == min(settings.shortlist_size, feasible)
        municipalities = set(prepared.unit_municipality[screening.feasible].tolist())
        wanted_spread = min(settings.min_municipalities, settings.shortlist_size, len(municipalities))
        assert len({p.municipality_code for p in answer.proposals}) >= wanted_spread
        if feasible:
            assert answer.proposals[0].unit_id == prepared.unit_ids[screening.feasible[0]]


@SOLVER_PROPERTIES
@given(worlds(max_units=10, max_placements=6, max_requests=4))
def test_no_batch_assignment_breaks_a_hard_constraint_and_the_solver_finds_the_optimum(world: World) -> None:
    prepared = prepare_context(world.context, world.settings)
    exact = assign_batch(prepared, world.requests)
    fast = assign_batch(prepared, world.requests, use_solver=False)
    greedy = naive_greedy(build_problem(prepared, world.requests))
    problem = build_problem(prepared, world.requests)

    for answer in (exact, fast):
        assert not violations(world.context, world.settings, world.requests, answer.assignment())
    assert exact.solver is not None
    assert exact.solver.count_proven
    assert exact.solver.score_proven
    assert (exact.placed, exact.points) == _brute_force_optimum(world, prepared)
    assert (exact.placed, exact.points) >= (fast.placed, fast.points)
    assert (fast.placed, fast.points) >= (placed_count(greedy), total_points(problem, greedy))


@PROPERTIES
@given(worlds())
def test_nothing_a_requester_sees_names_a_placement_a_locality_or_an_excluded_municipality(world: World) -> None:
    prepared = prepare_context(world.context, world.settings)
    views: list[Shortlist] = [shortlist(prepared, request) for request in world.requests]
    batch = assign_batch(prepared, world.requests, use_solver=False)
    views += [batch.requester_view(request.request_id) for request in world.requests]
    secrets = {p.placement_id for p in world.context.placements}
    secrets |= {p.locality_code for p in world.context.placements} | {u.locality_code for u in world.context.units}
    for view in views:
        payload = json.loads(view.to_json())
        text = view.to_json().decode()
        assert not any(secret in text for secret in secrets)
        assert set(payload) == {"request_id", "message", "proposals"}
        shown = {p["municipality_code"] for p in payload["proposals"]}
        units = {u.unit_id: u for u in world.context.units}
        assert shown == {units[p["unit_id"]].municipality_code for p in payload["proposals"]}
        for proposal in payload["proposals"]:
            assert set(proposal) == {"rank", "unit_id", "municipality_code", "unit_type", "scores"}
            assert set(proposal["scores"]) == {c.value for c in REQUESTER_CRITERIA}


@PROPERTIES
@given(worlds())
def test_the_same_inputs_in_any_order_give_the_same_answers(world: World) -> None:
    shuffled = replace(
        world.context,
        units=world.context.units[::-1],
        placements=world.context.placements[::-1],
        conflicts=world.context.conflicts[::-1],
        presence=world.context.presence[::-1],
        municipalities=world.context.municipalities[::-1],
    )
    first = prepare_context(world.context, world.settings)
    second = prepare_context(shuffled, world.settings)
    for request in world.requests:
        assert shortlist(first, request) == shortlist(second, request)
    one = assign_batch(first, world.requests)
    other = assign_batch(second, world.requests[::-1])
    assert one.proposals == other.proposals


def _brute_force_optimum(world: World, prepared: PreparedContext) -> tuple[int, int]:
    """(placed, points) of the best assignment, by trying them all with the independent checker."""
    context, settings, requests = world.context, world.settings, world.requests
    options: list[list[tuple[str, int]]] = []
    for request in requests:
        screening = screen(prepared, request)
        points = {prepared.unit_ids[i]: int(p) for i, p in zip(screening.feasible, screening.points, strict=True)}
        options.append(
            [
                (u.unit_id, points[u.unit_id])
                for u in context.units
                if not violations(context, settings, requests, {request.request_id: u.unit_id})
            ]
        )
    pair_ok: dict[tuple[int, str, int, str], bool] = {}

    def compatible(i: int, unit_id: str, j: int, other: str) -> bool:
        key = (i, unit_id, j, other)
        if key not in pair_ok:
            pair = {requests[i].request_id: unit_id, requests[j].request_id: other}
            pair_ok[key] = not violations(context, settings, requests, pair)
        return pair_ok[key]

    best = (0, 0)

    def search(i: int, chosen: list[tuple[int, str, int]]) -> None:
        nonlocal best
        if i == len(requests):
            key = (len(chosen), sum(p for _, _, p in chosen))
            assignment = {requests[j].request_id: unit_id for j, unit_id, _ in chosen}
            # Pairs are checked on the way; caps can bind three or more at a time, so check the whole.
            if key > best and not violations(context, settings, requests, assignment):
                best = key
            return
        search(i + 1, chosen)
        for unit_id, points in options[i]:
            if all(compatible(j, other, i, unit_id) for j, other, _ in chosen):
                search(i + 1, [*chosen, (i, unit_id, points)])

    search(0, [])
    return best
