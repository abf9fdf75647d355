"""Single-request mode: a ranked shortlist of the best units, spread over several municipalities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.housing.engine.constraints import violations
from avhopp.housing.engine.inputs import validate_request
from avhopp.housing.engine.results import EngineSafetyError, Proposal, requester_view
from avhopp.housing.engine.screening import Screening, screen

if TYPE_CHECKING:
    from collections.abc import Sequence

    from avhopp.housing.engine.context import PreparedContext
    from avhopp.housing.engine.inputs import PlacementRequest
    from avhopp.housing.engine.results import Shortlist


def shortlist(prepared: PreparedContext, request: PlacementRequest) -> Shortlist:
    """The requester's answer for one request: the best units, or the neutral message.

    Raises:
        PlacementInputError: the request is invalid (before any matching is done).
        EngineSafetyError: a proposal failed the independent check; nothing is returned.

    """
    validate_request(request)
    _, proposals = propose(prepared, request)
    return requester_view(request.request_id, proposals)


def propose(prepared: PreparedContext, request: PlacementRequest) -> tuple[Screening, tuple[Proposal, ...]]:
    """Screen, rank and pick the shortlist; every pick is re-checked by the independent checker.

    The request must already be validated. The full proposals are for the audited role.
    """
    screening = screen(prepared, request)
    municipalities = prepared.unit_municipality[screening.feasible].tolist()
    settings = prepared.settings
    chosen = pick_diverse(municipalities, settings.shortlist_size, settings.min_municipalities)
    proposals = tuple(proposal_at(prepared, screening, position) for position in chosen)
    for proposal in proposals:
        broken = violations(prepared.context, settings, [request], {request.request_id: proposal.unit_id})
        if broken:
            raise EngineSafetyError(broken)
    return screening, proposals


def pick_diverse(municipalities: Sequence[int], size: int, min_municipalities: int) -> list[int]:
    """Positions of the best `size` entries that span at least `min_municipalities` municipalities.

    `municipalities` lists each candidate's municipality, best candidate first. Walking down the
    list, a candidate from an already chosen municipality is skipped only when its slot is needed
    to reach the required spread; so the result is the best list that meets the spread.
    """
    required = min(min_municipalities, size, len(set(municipalities)))
    picked: list[int] = []
    seen: set[int] = set()
    for position, municipality in enumerate(municipalities):
        if len(picked) == size:
            break
        if municipality not in seen:
            picked.append(position)
            seen.add(municipality)
        elif size - len(picked) > required - len(seen):
            picked.append(position)
    return picked


def proposal_at(prepared: PreparedContext, screening: Screening, position: int) -> Proposal:
    """The full proposal for the feasible unit at `position` of the screening."""
    unit_index = int(screening.feasible[position])
    unit = prepared.context.units[unit_index]
    return Proposal(
        unit_id=unit.unit_id,
        municipality_code=unit.municipality_code,
        locality_code=unit.locality_code,
        unit_type=unit.unit_type,
        points=int(screening.points[position]),
        criteria=tuple((criterion, float(values[position])) for criterion, values in screening.criteria.items()),
    )
