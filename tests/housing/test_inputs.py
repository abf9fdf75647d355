"""Bad input is refused before any matching, with an error that names the field."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from avhopp.housing.engine.batch import assign_batch
from avhopp.housing.engine.context import prepare_context
from avhopp.housing.engine.inputs import (
    EngineSettings,
    GroupConflict,
    PlacementInputError,
    ScoringWeights,
    ThreatLevel,
    ThreatScope,
)
from avhopp.housing.engine.shortlist import shortlist
from tests.housing.builders import AS_OF, GAVLE, OREBRO, UPPSALA, VASTERAS, context, placement, request, unit


def _field_of(error: pytest.ExceptionInfo[PlacementInputError]) -> str:
    return error.value.field


def test_an_unknown_municipality_code_in_a_request_is_named() -> None:
    prepared = prepare_context(context((unit("U1", VASTERAS),)))
    with pytest.raises(PlacementInputError) as error:
        shortlist(prepared, request(origin="9999"))
    assert _field_of(error) == "request.origin_municipality"
    assert "9999" in str(error.value)


def test_an_unknown_municipality_code_on_a_unit_is_named() -> None:
    bad = replace(unit("U1", VASTERAS), municipality_code="0000")
    with pytest.raises(PlacementInputError) as error:
        prepare_context(context((bad,)))
    assert _field_of(error) == "units[0].municipality_code"


@pytest.mark.parametrize("size", [-1, 0, 21])
def test_a_household_size_out_of_range_is_named(size: int) -> None:
    prepared = prepare_context(context((unit("U1", VASTERAS),)))
    with pytest.raises(PlacementInputError) as error:
        shortlist(prepared, request(household=size))
    assert _field_of(error) == "request.household_size"


def test_a_threat_scope_naming_nothing_is_refused() -> None:
    prepared = prepare_context(context((unit("U1", VASTERAS),)))
    with pytest.raises(PlacementInputError) as error:
        shortlist(prepared, request(threat=ThreatScope(ThreatLevel.REGIONAL)))
    assert _field_of(error) == "request.threat"


def test_a_local_threat_naming_a_county_is_refused() -> None:
    prepared = prepare_context(context((unit("U1", VASTERAS),)))
    scope = ThreatScope(ThreatLevel.LOCAL, municipality_codes=frozenset({UPPSALA}), county_codes=frozenset({"03"}))
    with pytest.raises(PlacementInputError) as error:
        shortlist(prepared, request(origin=UPPSALA, threat=scope))
    assert _field_of(error) == "request.threat.level"


def test_an_unknown_police_region_is_named() -> None:
    prepared = prepare_context(context((unit("U1", VASTERAS),)))
    scope = ThreatScope(ThreatLevel.NATIONAL, police_region_codes=frozenset({"gotaland"}))
    with pytest.raises(PlacementInputError) as error:
        shortlist(prepared, request(threat=scope))
    assert _field_of(error) == "request.threat.police_region_codes"


@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan")])
def test_a_weight_outside_its_range_is_named(value: float) -> None:
    settings = EngineSettings(weights=ScoringWeights(cost=value))
    with pytest.raises(PlacementInputError) as error:
        prepare_context(context((unit("U1", VASTERAS),)), settings)
    assert _field_of(error) == "weights.cost"


def test_all_weights_zero_is_refused() -> None:
    zero = ScoringWeights(labour_market=0, operation_distance=0, threat_distance=0, fair_load=0, cost=0)
    with pytest.raises(PlacementInputError) as error:
        prepare_context(context((unit("U1", VASTERAS),)), EngineSettings(weights=zero))
    assert _field_of(error) == "weights"


def test_a_setting_out_of_range_is_named() -> None:
    with pytest.raises(PlacementInputError) as error:
        prepare_context(context((unit("U1", VASTERAS),)), EngineSettings(related_separation_km=-5))
    assert _field_of(error) == "settings.related_separation_km"


def test_a_coordinate_finer_than_a_locality_is_refused() -> None:
    precise = replace(unit("U1", VASTERAS), latitude=59.61234)
    with pytest.raises(PlacementInputError) as error:
        prepare_context(context((precise,)))
    assert _field_of(error) == "units[0].latitude"
    assert "adress" in error.value.message


def test_one_locality_with_two_positions_is_refused() -> None:
    first = unit("U1", VASTERAS, locality="L1")
    moved = unit("U2", VASTERAS, locality="L1", offset=(5, 0))
    with pytest.raises(PlacementInputError) as error:
        prepare_context(context((first, moved)))
    assert _field_of(error) == "units[1].locality_code"


def test_a_repeated_unit_id_is_refused() -> None:
    with pytest.raises(PlacementInputError) as error:
        prepare_context(context((unit("U1", VASTERAS), unit("U1", OREBRO))))
    assert _field_of(error) == "units[1].unit_id"


def test_a_placement_dated_after_the_state_is_refused() -> None:
    future = replace(placement("P1", GAVLE), placed_on=AS_OF + timedelta(days=1))
    with pytest.raises(PlacementInputError) as error:
        prepare_context(context((unit("U1", VASTERAS),), (future,)))
    assert _field_of(error) == "placements[0].placed_on"


def test_a_group_in_conflict_with_itself_is_refused() -> None:
    state = replace(context((unit("U1", VASTERAS),)), conflicts=(GroupConflict("A", "A"),))
    with pytest.raises(PlacementInputError) as error:
        prepare_context(state)
    assert _field_of(error) == "conflicts[0]"


def test_missing_municipality_facts_are_refused() -> None:
    state = context((unit("U1", VASTERAS),))
    with pytest.raises(PlacementInputError) as error:
        prepare_context(replace(state, municipalities=state.municipalities[:-1]))
    assert _field_of(error) == "municipalities"


def test_one_bad_request_stops_the_whole_batch_before_any_matching() -> None:
    prepared = prepare_context(context((unit("U1", VASTERAS), unit("U2", GAVLE))))
    with pytest.raises(PlacementInputError) as error:
        assign_batch(prepared, [request("R1"), request("R2", household=-2)])
    assert _field_of(error) == "requests[1].household_size"


def test_a_repeated_request_id_in_a_batch_is_refused() -> None:
    prepared = prepare_context(context((unit("U1", VASTERAS),)))
    with pytest.raises(PlacementInputError) as error:
        assign_batch(prepared, [request("R1"), request("R1")])
    assert _field_of(error) == "requests[1].request_id"
