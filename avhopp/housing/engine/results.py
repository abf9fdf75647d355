"""What the engine answers, split by who may see it.

`Shortlist` is the only thing a requester (a municipality or operation asking for housing) ever
receives, in any mode. It carries the proposed units and the scores that come from public facts,
or, when there is nothing, one neutral sentence that is the same whatever the reason. It never
names an excluded municipality, a reason, a count of excluded units or the fair-load score, since
each of those can tell where someone else lives.

`Proposal` is the engine's full record of one proposed unit (all criteria, points, locality) for
the audited national role; see `explain`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from avhopp.housing.engine.scoring import REQUESTER_CRITERIA, Criterion

if TYPE_CHECKING:
    from avhopp.housing.engine.constraints import Violation
    from avhopp.housing.engine.inputs import UnitType

NO_PROPOSAL_MESSAGE = "Inget lämpligt boende hittades just nu."
"""The whole answer when nothing can be proposed, whatever the reason."""


class EngineSafetyError(RuntimeError):
    """The engine produced an answer its own checker rejects; nothing is returned.

    This means a defect in the engine. The message is the same whatever went wrong; the broken rules
    are in `violations`, for the audited role only.
    """

    def __init__(self, violations: tuple[Violation, ...]) -> None:
        super().__init__("Placeringsmotorn avbröt: svaret klarade inte den oberoende kontrollen.")
        self.violations = violations


@dataclass(frozen=True, slots=True)
class Proposal:
    """One proposed unit with everything the engine knows about why (audited role)."""

    unit_id: str
    municipality_code: str
    locality_code: str
    unit_type: UnitType
    points: int
    """Weighted total in integer points; see `scoring.SCORE_SCALE`."""
    criteria: tuple[tuple[Criterion, float], ...]


@dataclass(frozen=True, slots=True)
class ProposalView:
    """One proposed unit as a requester sees it."""

    rank: int
    unit_id: str
    municipality_code: str
    unit_type: UnitType
    scores: tuple[tuple[Criterion, float], ...]
    """The requester-visible criteria (`scoring.REQUESTER_CRITERIA`), each 0 to 1."""


@dataclass(frozen=True, slots=True)
class Shortlist:
    """The requester's answer: ranked proposals, or only the neutral message."""

    request_id: str
    proposals: tuple[ProposalView, ...]
    message: str | None
    """`NO_PROPOSAL_MESSAGE` when there are no proposals, otherwise None."""

    def to_json(self) -> bytes:
        """A canonical serialisation: equal shortlists give equal bytes."""
        payload = {
            "request_id": self.request_id,
            "message": self.message,
            "proposals": [
                {
                    "rank": p.rank,
                    "unit_id": p.unit_id,
                    "municipality_code": p.municipality_code,
                    "unit_type": p.unit_type.value,
                    "scores": {criterion.value: score for criterion, score in p.scores},
                }
                for p in self.proposals
            ],
        }
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def requester_view(request_id: str, proposals: tuple[Proposal, ...]) -> Shortlist:
    """Reduce full proposals to what the requester may see."""
    if not proposals:
        return Shortlist(request_id=request_id, proposals=(), message=NO_PROPOSAL_MESSAGE)
    views = tuple(
        ProposalView(
            rank=rank,
            unit_id=p.unit_id,
            municipality_code=p.municipality_code,
            unit_type=p.unit_type,
            scores=tuple((c, round(score, 3)) for c, score in p.criteria if c in REQUESTER_CRITERIA),
        )
        for rank, p in enumerate(proposals, start=1)
    )
    return Shortlist(request_id=request_id, proposals=views, message=None)
