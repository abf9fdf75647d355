"""What a requester sees can never reveal where someone else lives.

A requester gets only `Shortlist`: proposals with public scores, or one neutral sentence. These
tests change the hidden state (other people's placements, the reason nothing fits) and require
the requester's answer to stay the same, byte for byte.
"""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from avhopp.housing.engine.batch import assign_batch
from avhopp.housing.engine.context import prepare_context
from avhopp.housing.engine.inputs import Need, PlacementContext, PlacementRequest, ThreatLevel, ThreatScope
from avhopp.housing.engine.results import NO_PROPOSAL_MESSAGE, ProposalView, Shortlist
from avhopp.housing.engine.scoring import REQUESTER_CRITERIA, Criterion
from avhopp.housing.engine.shortlist import shortlist
from tests.housing.builders import (
    AS_OF,
    ENKOPING,
    GAVLE,
    LULEA,
    OREBRO,
    STOCKHOLM,
    UMEA,
    VASTERAS,
    context,
    placement,
    request,
    settings,
    unit,
)


def _view(state: PlacementContext, person: PlacementRequest) -> Shortlist:
    return shortlist(prepare_context(state, settings()), person)


def test_a_placement_in_a_third_town_changes_nothing_the_requester_sees() -> None:
    only = (unit("U1", VASTERAS),)
    person = request(groups=frozenset({"A"}))
    alone = _view(context(only), person)
    assert len(alone.proposals) == 1
    for elsewhere in (
        placement("P1", UMEA),
        placement("P1", UMEA, groups=frozenset({"A"})),
        placement("P1", LULEA, groups=frozenset({"B"})),
    ):
        seen = _view(context(only, (elsewhere,), conflicts=(("A", "B"),)), person)
        assert seen == alone
        assert seen.to_json() == alone.to_json()


def test_a_placement_in_the_proposed_town_itself_does_not_show() -> None:
    """Its locality stays free and its load is not shown, so the answer is the same."""
    only = (unit("U1", VASTERAS),)
    person = request()
    alone = _view(context(only), person)
    neighbour = placement("P1", VASTERAS, locality="1980-far", offset=(15, 15), days_ago=3)
    assert _view(context(only, (neighbour,)), person).to_json() == alone.to_json()


def test_the_fair_load_score_and_the_total_are_never_shown() -> None:
    assert {f.name for f in fields(ProposalView)} == {"rank", "unit_id", "municipality_code", "unit_type", "scores"}
    answer = _view(context((unit("U1", VASTERAS), unit("U2", OREBRO))), request())
    for proposal in answer.proposals:
        assert tuple(c for c, _ in proposal.scores) == REQUESTER_CRITERIA
        assert Criterion.FAIR_LOAD not in dict(proposal.scores)
    assert b"jamn_belastning" not in answer.to_json()


BLOCKED_BY = {
    "no units at all": (context(()), request()),
    "origin": (context((unit("U1", STOCKHOLM),)), request(origin=STOCKHOLM)),
    "threat": (
        context((unit("U1", VASTERAS),)),
        request(threat=ThreatScope(ThreatLevel.REGIONAL, county_codes=frozenset({"19", "01"}))),
    ),
    "paused": (context((unit("U1", VASTERAS),), paused=(VASTERAS,)), request()),
    "cap": (
        context((unit("U1", VASTERAS),), (placement("P1", VASTERAS, locality="x", offset=(9, 9)),), caps={VASTERAS: 1}),
        request(),
    ),
    "group present": (context((unit("U1", VASTERAS),), presence=(("A", VASTERAS),)), request(groups=frozenset({"A"}))),
    "rival present": (
        context((unit("U1", VASTERAS),), conflicts=(("A", "B"),), presence=(("B", VASTERAS),)),
        request(groups=frozenset({"A"})),
    ),
    "same locality": (context((unit("U1", VASTERAS),), (placement("P1", VASTERAS),)), request()),
    "related nearby": (
        context((unit("U1", VASTERAS),), (placement("P1", ENKOPING, groups=frozenset({"A"})),)),
        request(groups=frozenset({"A"})),
    ),
    "household": (context((unit("U1", VASTERAS, size=1),)), request(household=4)),
    "needs": (context((unit("U1", VASTERAS),)), request(needs=frozenset({Need.SUPPORTED_HOUSING}))),
    "date": (context((unit("U1", VASTERAS, available_from=AS_OF.replace(year=2027)),)), request()),
}


@pytest.mark.parametrize("reason", sorted(BLOCKED_BY))
def test_the_empty_answer_is_the_same_bytes_whatever_blocks_it(reason: str) -> None:
    state, person = BLOCKED_BY[reason]
    answer = _view(state, person)
    reference = _view(*BLOCKED_BY["no units at all"])
    assert answer == Shortlist(request_id="R1", proposals=(), message=NO_PROPOSAL_MESSAGE)
    assert answer.to_json() == reference.to_json()


def test_in_a_batch_each_requester_sees_only_their_own_placement() -> None:
    units = (unit("V", VASTERAS), unit("G", GAVLE), unit("O", OREBRO))
    batch = assign_batch(prepare_context(context(units), settings()), [request("R1"), request("R2")])
    mine = batch.requester_view("R1")
    assert len(mine.proposals) == 1
    other_units = set(batch.assignment().values()) - {mine.proposals[0].unit_id}
    assert not any(unit_id.encode() in mine.to_json() for unit_id in other_units)
    with pytest.raises(KeyError):
        batch.requester_view("R3")


def test_someone_squeezed_out_of_a_batch_gets_the_same_bytes_as_someone_with_nothing() -> None:
    rivals = context((unit("V", VASTERAS), unit("E", ENKOPING)), conflicts=(("A", "B"),))
    batch = assign_batch(
        prepare_context(rivals, settings()),
        [request("R1", groups=frozenset({"A"})), request("R2", groups=frozenset({"B"}))],
    )
    assert batch.placed == 1
    squeezed = next(rid for rid, p in batch.proposals if p is None)
    nothing = _view(context(()), replace(request(), request_id=squeezed))
    assert batch.requester_view(squeezed).to_json() == nothing.to_json()
