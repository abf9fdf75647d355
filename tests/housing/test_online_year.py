"""The online simulation of a year: safe as a whole, reproducible, and never above the hindsight optimum."""

from __future__ import annotations

from avhopp.bench.placement_online import simulate_year, year_of_requests
from avhopp.housing.engine.scenarios import ScenarioSpec
from tests.housing.builders import settings

SMALL_YEAR = ScenarioSpec(seed=3, units=600, placements=120, groups=30, requests=30, rivals_per_group=4.0)


def test_the_requests_arrive_over_the_whole_year_in_id_order() -> None:
    start, requests = year_of_requests(SMALL_YEAR)
    days = [(r.earliest_move_in - start.as_of).days for r in requests]
    assert [r.request_id for r in requests] == sorted(r.request_id for r in requests)
    assert min(days) <= 14  # the first within two weeks of the start
    assert max(days) > 300  # the last late in the year


def test_the_online_year_keeps_every_rule_jointly_and_the_hindsight_optimum_bounds_it() -> None:
    result = simulate_year(SMALL_YEAR, settings())
    assert result.online.placed > 0
    assert not result.online_violations(settings())
    report = result.hindsight_batch.solver
    assert report is not None
    assert report.count_proven
    assert report.score_proven
    for totals in (result.online, result.greedy):
        assert totals.placed <= result.hindsight.placed
        if totals.placed == result.hindsight.placed:
            assert totals.points <= result.hindsight.points
    again = simulate_year(SMALL_YEAR, settings())
    assert again.online_assignment == result.online_assignment
    figures = [(t.placed, t.points) for t in (result.online, result.greedy, result.hindsight)]
    assert [(t.placed, t.points) for t in (again.online, again.greedy, again.hindsight)] == figures
