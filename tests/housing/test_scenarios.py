"""The scenario generator: real geography, realistic shapes, reproducible."""

from __future__ import annotations

from avhopp.housing.engine.context import prepare_context
from avhopp.housing.engine.scenarios import ScenarioSpec, generate_scenario, metro_municipalities


def test_the_same_spec_gives_the_same_scenario() -> None:
    spec = ScenarioSpec(seed=4, units=500, placements=100, requests=30)
    assert generate_scenario(spec) == generate_scenario(spec)
    assert generate_scenario(spec) != generate_scenario(ScenarioSpec(seed=5, units=500, placements=100, requests=30))


def test_a_national_scenario_has_the_asked_sizes_and_valid_inputs() -> None:
    scenario = generate_scenario(ScenarioSpec(seed=1, requests=200))
    assert len(scenario.context.municipalities) == 290
    assert len(scenario.context.units) == 5_000
    assert len(scenario.context.placements) == 1_000
    assert len(scenario.requests) == 200
    prepare_context(scenario.context)


def test_most_requests_come_from_the_three_metropolitan_areas() -> None:
    scenario = generate_scenario(ScenarioSpec(seed=2, units=200, placements=50, requests=400))
    metro = {code for codes in metro_municipalities().values() for code in codes}
    share = sum(r.origin_municipality in metro for r in scenario.requests) / len(scenario.requests)
    assert 0.7 < share < 0.9
    assert {"0180", "1480", "1280"} <= metro


def test_placements_lean_away_from_the_metropolitan_areas() -> None:
    scenario = generate_scenario(ScenarioSpec(seed=3, units=200, placements=1_000, requests=1))
    metro = {code for codes in metro_municipalities().values() for code in codes}
    share = sum(p.municipality_code in metro for p in scenario.context.placements) / 1_000
    assert share < 0.3
