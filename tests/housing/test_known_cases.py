"""Small hand-made cases whose answers are known: one rule at a time, then the batch logic."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from avhopp.housing.engine.batch import BatchMethod, assign_batch
from avhopp.housing.engine.batch_problem import build_problem, placed_count
from avhopp.housing.engine.context import prepare_context
from avhopp.housing.engine.heuristic import naive_greedy
from avhopp.housing.engine.inputs import (
    EngineSettings,
    Need,
    PlacementContext,
    PlacementRequest,
    ThreatLevel,
    ThreatScope,
    UnitType,
)
from avhopp.housing.engine.scoring import SCORE_SCALE, Criterion
from avhopp.housing.engine.shortlist import propose, shortlist
from tests.housing.builders import (
    AS_OF,
    ENKOPING,
    GAVLE,
    OREBRO,
    STOCKHOLM,
    UMEA,
    UPPSALA,
    VASTERAS,
    context,
    placement,
    request,
    settings,
    unit,
)

THREE_TOWNS = (unit("U-vas", VASTERAS), unit("U-ore", OREBRO), unit("U-gav", GAVLE))


def _proposed(
    state: PlacementContext, person: PlacementRequest, engine_settings: EngineSettings | None = None
) -> list[str]:
    prepared = prepare_context(state, engine_settings or settings())
    return [p.unit_id for p in shortlist(prepared, person).proposals]


def test_the_origin_municipality_is_never_proposed() -> None:
    state = context((unit("U-sto", STOCKHOLM, offset=(10, 10)), *THREE_TOWNS))
    assert "U-sto" not in _proposed(state, request(origin=STOCKHOLM))
    assert "U-sto" in _proposed(state, request(origin=UPPSALA))


def test_nothing_is_proposed_where_a_regional_threat_applies() -> None:
    scope = ThreatScope(ThreatLevel.REGIONAL, county_codes=frozenset({"19"}))
    assert sorted(_proposed(context(THREE_TOWNS), request(threat=scope, origin=STOCKHOLM))) == ["U-gav", "U-ore"]


def test_nothing_is_proposed_in_a_police_region_under_national_threat() -> None:
    # Region Mitt is Uppsala, Västmanland and Gävleborg; Örebro belongs to Bergslagen.
    scope = ThreatScope(ThreatLevel.NATIONAL, police_region_codes=frozenset({"mitt", "stockholm"}))
    assert _proposed(context(THREE_TOWNS), request(threat=scope)) == ["U-ore"]


def test_a_municipality_that_paused_intake_gets_no_one() -> None:
    assert "U-vas" not in _proposed(context(THREE_TOWNS, paused=(VASTERAS,)), request())


def test_a_municipality_at_its_declared_cap_gets_no_one() -> None:
    elsewhere = placement("P1", VASTERAS, locality="far-side", offset=(10, 10))
    assert "U-vas" not in _proposed(context(THREE_TOWNS, (elsewhere,), caps={VASTERAS: 1}), request())
    assert "U-vas" in _proposed(context(THREE_TOWNS, (elsewhere,), caps={VASTERAS: 2}), request())


def test_the_default_cap_follows_the_population() -> None:
    elsewhere = placement("P1", VASTERAS, locality="far-side", offset=(10, 10))
    engine = replace(settings(), default_cap_per_10k=0.1)  # Västerås: 161,240 inhabitants -> cap 1
    assert "U-vas" not in _proposed(context(THREE_TOWNS, (elsewhere,)), request(), engine)
    engine = replace(settings(), default_cap_per_10k=0.2)  # cap 3
    assert "U-vas" in _proposed(context(THREE_TOWNS, (elsewhere,)), request(), engine)


def test_no_one_goes_where_their_own_or_a_rival_group_is_present() -> None:
    state = context(THREE_TOWNS, conflicts=(("A", "B"),), presence=(("A", VASTERAS), ("B", OREBRO), ("C", GAVLE)))
    assert _proposed(state, request(groups=frozenset({"A"}))) == ["U-gav"]
    assert sorted(_proposed(state, request(groups=frozenset({"D"})))) == ["U-gav", "U-ore", "U-vas"]


def test_no_one_goes_to_a_locality_where_someone_is_placed() -> None:
    same = placement("P1", VASTERAS)  # the unit's own locality
    other = unit("U-vas2", VASTERAS, locality="1980-01", offset=(5, 5))
    assert _proposed(context((*THREE_TOWNS, other), (same,)), request()).count("U-vas") == 0
    assert "U-vas2" in _proposed(context((*THREE_TOWNS, other), (same,)), request())


def test_a_general_minimum_distance_keeps_everyone_apart() -> None:
    near = placement("P1", ENKOPING)  # 32 km from Västerås
    engine = replace(settings(), min_separation_km=40.0, related_separation_km=100.0)
    assert "U-vas" not in _proposed(context(THREE_TOWNS, (near,)), request(), engine)
    engine = replace(settings(), min_separation_km=30.0, related_separation_km=100.0)
    assert "U-vas" in _proposed(context(THREE_TOWNS, (near,)), request(), engine)


def test_related_placements_must_be_much_further_apart() -> None:
    same_group = placement("P1", ENKOPING, groups=frozenset({"A"}))  # 32 km from Västerås, 112 from Örebro
    state = context(THREE_TOWNS, (same_group,), conflicts=(("A", "B"),))
    assert sorted(_proposed(state, request(groups=frozenset({"A"})))) == ["U-gav", "U-ore"]
    assert sorted(_proposed(state, request(groups=frozenset({"B"})))) == ["U-gav", "U-ore"]
    assert sorted(_proposed(state, request(groups=frozenset({"C"})))) == ["U-gav", "U-ore", "U-vas"]
    closer_rule = replace(settings(), related_separation_km=30.0)
    assert "U-vas" in _proposed(state, request(groups=frozenset({"A"})), closer_rule)


def test_the_unit_must_fit_the_household_the_needs_and_the_date() -> None:
    units = (
        unit("small", VASTERAS, locality="a", size=1),
        unit("supported", OREBRO, locality="b", unit_type=UnitType.SUPPORTED_HOUSING, size=1),
        unit("care", GAVLE, locality="c", features=frozenset({Need.ADDICTION_CARE}), size=4),
        unit("later", UMEA, locality="d", size=4, available_from=AS_OF + timedelta(days=8)),
    )
    state = context(units)
    assert sorted(_proposed(state, request(household=2))) == ["care"]
    assert _proposed(state, request(needs=frozenset({Need.SUPPORTED_HOUSING}))) == ["supported"]
    assert _proposed(state, request(needs=frozenset({Need.ADDICTION_CARE}))) == ["care"]
    assert "later" in _proposed(state, request(household=3, move_in=AS_OF + timedelta(days=1)))
    assert "later" not in _proposed(state, request(household=3))


def test_better_labour_markets_rank_first_with_the_scores_shown() -> None:
    state = context(THREE_TOWNS, labour={VASTERAS: 0.6, OREBRO: 0.9, GAVLE: 0.3})
    answer = shortlist(prepare_context(state, settings(labour_market=1.0)), request())
    assert [p.unit_id for p in answer.proposals] == ["U-ore", "U-vas", "U-gav"]
    assert [dict(p.scores)[Criterion.LABOUR_MARKET] for p in answer.proposals] == [0.9, 0.6, 0.3]


def test_cost_scores_fall_linearly_to_the_scale() -> None:
    units = (unit("cheap", VASTERAS, cost=3_000), unit("dear", OREBRO, cost=15_000), unit("top", GAVLE, cost=45_000))
    prepared = prepare_context(context(units), settings(cost=1.0))
    _, proposals = propose(prepared, request())
    assert [(p.unit_id, p.points) for p in proposals] == [("cheap", 9_000), ("dear", 5_000), ("top", 0)]


def test_distance_from_the_threat_counts_from_the_threat_and_the_origin() -> None:
    units = (unit("near", ENKOPING), unit("far", UMEA))
    prepared = prepare_context(context(units), settings(threat_distance=1.0))
    _, proposals = propose(prepared, request(origin=STOCKHOLM))
    # Enköping is 62 km from Stockholm's centroid; the scale is 400 km.
    assert [p.unit_id for p in proposals] == ["far", "near"]
    assert proposals[0].points == SCORE_SCALE
    assert proposals[1].points == pytest.approx(62 / 400 * SCORE_SCALE, abs=60)


def test_outside_the_acute_phase_nearness_to_the_operation_weighs_less() -> None:
    units = (unit("near", ENKOPING), unit("far", UMEA))
    state = context(units, labour={ENKOPING: 0.3, UMEA: 0.7})
    engine = settings(labour_market=0.5, operation_distance=0.5)
    acute = [p.unit_id for p in shortlist(prepare_context(state, engine), request(acute=True)).proposals]
    later = [p.unit_id for p in shortlist(prepare_context(state, engine), request(acute=False)).proposals]
    assert acute == ["near", "far"]
    assert later == ["far", "near"]


def test_the_shortlist_spans_three_municipalities_when_it_can() -> None:
    best = tuple(unit(f"O{i}", OREBRO, locality=f"o{i}", offset=(i, 0)) for i in range(5))
    state = context((*best, unit("V", VASTERAS), unit("G", GAVLE)), labour={OREBRO: 0.9, VASTERAS: 0.5, GAVLE: 0.4})
    spread = _proposed(state, request(), settings(labour_market=1.0))
    assert spread == ["O0", "O1", "O2", "V", "G"]
    narrow = replace(settings(labour_market=1.0), min_municipalities=1)
    assert _proposed(state, request(), narrow) == ["O0", "O1", "O2", "O3", "O4"]


def test_a_batch_places_more_people_before_it_seeks_a_higher_score() -> None:
    # R1 prefers Örebro but can live in Gävle; R2's household only fits the Örebro flat.
    units = (unit("X", OREBRO, size=3), unit("Y", GAVLE, size=1))
    prepared = prepare_context(context(units, labour={OREBRO: 0.9, GAVLE: 0.2}), settings(labour_market=1.0))
    people = [request("R1"), request("R2", household=3)]
    greedy = naive_greedy(build_problem(prepared, people))
    assert placed_count(greedy) == 1
    batch = assign_batch(prepared, people)
    assert batch.assignment() == {"R1": "Y", "R2": "X"}
    assert batch.method is BatchMethod.EXACT


def test_related_people_in_one_batch_are_kept_apart() -> None:
    units = (unit("V", VASTERAS), unit("E", ENKOPING), unit("U", UMEA))
    state = context(units, labour={VASTERAS: 0.9, ENKOPING: 0.8, UMEA: 0.2}, conflicts=(("A", "B"),))
    prepared = prepare_context(state, settings(labour_market=1.0))
    rivals = assign_batch(prepared, [request("R1", groups=frozenset({"A"})), request("R2", groups=frozenset({"B"}))])
    assert sorted(rivals.assignment().values()) == ["U", "V"]
    strangers = assign_batch(prepared, [request("R1", groups=frozenset({"A"})), request("R2", groups=frozenset({"C"}))])
    assert sorted(strangers.assignment().values()) == ["E", "V"]


def test_a_batch_respects_the_cap_and_the_one_per_locality_rule() -> None:
    units = (
        unit("V1", VASTERAS, locality="v1"),
        unit("V2", VASTERAS, locality="v2", offset=(10, 10)),
        unit("O1", OREBRO, locality="o"),
        unit("O2", OREBRO, locality="o"),
        unit("G", GAVLE),
    )
    state = context(units, labour={VASTERAS: 0.9, OREBRO: 0.8, GAVLE: 0.1}, caps={VASTERAS: 1})
    batch = assign_batch(prepare_context(state, settings(labour_market=1.0)), [request(f"R{i}") for i in range(4)])
    placed = sorted(batch.assignment().values())
    assert batch.placed == 3
    assert sum(u.startswith("V") for u in placed) == 1
    assert sum(u.startswith("O") for u in placed) == 1
    assert "G" in placed


def test_when_nobody_can_be_placed_every_requester_gets_the_neutral_answer() -> None:
    prepared = prepare_context(context((unit("U1", STOCKHOLM),)))
    batch = assign_batch(prepared, [request("R1"), request("R2")])
    assert batch.placed == 0
    assert batch.requester_view("R1").proposals == ()
    assert batch.requester_view("R1").message == batch.requester_view("R2").message
