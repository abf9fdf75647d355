"""The audited explanation says what blocked a request; it is the only place that does."""

from __future__ import annotations

from avhopp.housing.engine.batch import assign_batch
from avhopp.housing.engine.constraints import DESCRIPTIONS, Constraint
from avhopp.housing.engine.context import prepare_context
from avhopp.housing.engine.explain import Outcome, explain_batch, explain_request
from avhopp.housing.engine.inputs import ThreatLevel, ThreatScope
from tests.housing.builders import ENKOPING, GAVLE, OREBRO, VASTERAS, context, placement, request, settings, unit


def test_when_only_the_threat_blocks_the_explanation_says_so() -> None:
    units = (unit("V", VASTERAS), unit("E", ENKOPING))
    scope = ThreatScope(ThreatLevel.NATIONAL, police_region_codes=frozenset({"mitt", "stockholm"}))
    explanation = explain_request(prepare_context(context(units), settings()), request(threat=scope))
    assert explanation.outcome is Outcome.NO_FEASIBLE_UNIT
    assert explanation.blocking == (Constraint.THREAT_AREA,)
    assert {(c.constraint, c.count) for c in explanation.sole_blockers} == {(Constraint.THREAT_AREA, 2)}
    assert DESCRIPTIONS[Constraint.THREAT_AREA] in explanation.summary()


def test_the_explanation_lists_each_municipality_and_its_reasons() -> None:
    units = (unit("V", VASTERAS), unit("O", OREBRO), unit("G", GAVLE))
    state = context(units, (placement("P1", VASTERAS),), paused=(GAVLE,))
    explanation = explain_request(prepare_context(state, settings()), request())
    assert explanation.outcome is Outcome.PROPOSED
    assert [p.unit_id for p in explanation.proposals] == ["O"]
    by_code = {m.municipality_code: m for m in explanation.municipalities}
    assert [c.constraint for c in by_code[VASTERAS].constraints] == [Constraint.NEAR_PLACEMENT]
    assert [c.constraint for c in by_code[GAVLE].constraints] == [Constraint.INTAKE_PAUSED]
    assert by_code[OREBRO].feasible_units == 1
    assert explanation.units_considered == 3
    assert explanation.units_feasible == 1


def test_when_every_unit_breaks_two_rules_the_most_frequent_come_first() -> None:
    units = (unit("V", VASTERAS, size=1), unit("O", OREBRO, size=1))
    state = context(units, paused=(VASTERAS, OREBRO))
    explanation = explain_request(prepare_context(state, settings()), request(household=3))
    assert explanation.sole_blockers == ()
    assert set(explanation.blocking) == {Constraint.INTAKE_PAUSED, Constraint.HOUSEHOLD_SIZE}


def test_a_batch_explains_who_was_squeezed_out_and_by_what() -> None:
    state = context((unit("V", VASTERAS), unit("E", ENKOPING)), conflicts=(("A", "B"),))
    prepared = prepare_context(state, settings())
    batch = assign_batch(prepared, [request("R1", groups=frozenset({"A"})), request("R2", groups=frozenset({"B"}))])
    explanations = {e.request_id: e for e in explain_batch(prepared, batch)}
    outcomes = sorted(e.outcome for e in explanations.values())
    assert outcomes == sorted([Outcome.PLACED, Outcome.BLOCKED_IN_BATCH])
    squeezed = next(e for e in explanations.values() if e.outcome is Outcome.BLOCKED_IN_BATCH)
    assert squeezed.blocking[0] is Constraint.NEAR_RELATED_NEW_PLACEMENT
    assert squeezed.units_feasible == 2
    assert "Inget förslag" in squeezed.summary()


def test_a_batch_request_with_no_unit_at_all_is_told_apart_from_one_squeezed_out() -> None:
    prepared = prepare_context(context((unit("V", VASTERAS),)), settings())
    batch = assign_batch(prepared, [request("R1"), request("R2", household=9)])
    explanations = {e.request_id: e for e in explain_batch(prepared, batch)}
    assert explanations["R1"].outcome is Outcome.PLACED
    assert explanations["R2"].outcome is Outcome.NO_FEASIBLE_UNIT
    assert explanations["R2"].blocking == (Constraint.HOUSEHOLD_SIZE,)
