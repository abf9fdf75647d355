"""Batch mode: simultaneous requests assigned jointly, placing as many people as safely possible.

The heuristic answers first; the exact solver then starts from it and returns a better answer
or proves it optimal within its limits. Either way every hard constraint holds, including that
the new placements keep their distance from each other, and the independent checker confirms the
whole assignment before anything is returned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from avhopp.housing.engine.batch_problem import UNPLACED, BatchProblem, build_problem, placed_count, total_points
from avhopp.housing.engine.constraints import violations
from avhopp.housing.engine.heuristic import heuristic
from avhopp.housing.engine.inputs import validate_requests
from avhopp.housing.engine.results import EngineSafetyError, Proposal, requester_view
from avhopp.housing.engine.shortlist import proposal_at

if TYPE_CHECKING:
    from collections.abc import Sequence

    from avhopp.housing.engine.context import PreparedContext
    from avhopp.housing.engine.inputs import PlacementRequest
    from avhopp.housing.engine.results import Shortlist
    from avhopp.housing.engine.solver_report import SolverReport


class BatchMethod(StrEnum):
    """How the batch answer was reached."""

    EXACT = "exakt"
    """The solver proved that no answer places more people or, with as many, scores higher."""
    SOLVER_BOUNDED = "losare_med_grans"
    """The solver's best answer within its limits; `solver` tells the proven bounds and gap."""
    HEURISTIC = "heuristik"
    """The heuristic alone (solver not used)."""


@dataclass(frozen=True, slots=True)
class BatchAssignment:
    """A batch's full answer: for the coordinating, audited role. Requesters get `requester_view`."""

    proposals: tuple[tuple[str, Proposal | None], ...]
    """Each request id (sorted) with its placement, or None when it could not be placed."""
    method: BatchMethod
    placed: int
    points: int
    heuristic_placed: int
    heuristic_points: int
    heuristic_seconds: float
    solver: SolverReport | None
    problem: BatchProblem = field(repr=False, compare=False)
    choice: tuple[int, ...] = field(repr=False, compare=False)

    def assignment(self) -> dict[str, str]:
        """Request id to unit id, for the placed requests."""
        return {request_id: p.unit_id for request_id, p in self.proposals if p is not None}

    def requester_view(self, request_id: str) -> Shortlist:
        """What the requester behind one request may see: its own placement or the neutral message.

        Raises:
            KeyError: the request is not in this batch.

        """
        proposal = dict(self.proposals)[request_id]
        return requester_view(request_id, () if proposal is None else (proposal,))


def assign_batch(
    prepared: PreparedContext,
    requests: Sequence[PlacementRequest],
    *,
    use_solver: bool = True,
) -> BatchAssignment:
    """Assign a batch jointly: most people placed first, then the highest total score.

    Raises:
        PlacementInputError: a request is invalid or an id repeats (before any matching is done).
        EngineSafetyError: the answer failed the independent check; nothing is returned.

    """
    validate_requests(requests)
    begun = time.monotonic()
    problem = build_problem(prepared, requests)
    started = time.monotonic()
    start = heuristic(problem)
    heuristic_seconds = time.monotonic() - started
    report: SolverReport | None = None
    choice = start
    method = BatchMethod.HEURISTIC
    if use_solver:
        from avhopp.housing.engine.exact import solve_exact  # noqa: PLC0415 - OR-Tools' CP-SAT loads pandas: only when solving

        # The wall-clock backstop holds for the whole batch, screening and heuristic included.
        solver = prepared.settings.solver
        left = replace(solver, max_wall_seconds=max(0.1, solver.max_wall_seconds - (time.monotonic() - begun)))
        choice, report = solve_exact(problem, left, start)
        proven = report.count_proven and report.score_proven
        method = BatchMethod.EXACT if proven else BatchMethod.SOLVER_BOUNDED
    result = BatchAssignment(
        proposals=_proposals(prepared, problem, choice),
        method=method,
        placed=placed_count(choice),
        points=total_points(problem, choice),
        heuristic_placed=placed_count(start),
        heuristic_points=total_points(problem, start),
        heuristic_seconds=heuristic_seconds,
        solver=report,
        problem=problem,
        choice=tuple(choice),
    )
    broken = violations(prepared.context, prepared.settings, problem.requests, result.assignment())
    if broken:
        raise EngineSafetyError(broken)
    return result


def _proposals(
    prepared: PreparedContext,
    problem: BatchProblem,
    choice: Sequence[int],
) -> tuple[tuple[str, Proposal | None], ...]:
    proposals: list[tuple[str, Proposal | None]] = []
    for r, request in enumerate(problem.requests):
        if choice[r] == UNPLACED:
            proposals.append((request.request_id, None))
            continue
        screening = problem.screenings[r]
        unit = int(problem.candidate_units[r][choice[r]])
        position = int(np.flatnonzero(screening.feasible == unit)[0])
        proposals.append((request.request_id, proposal_at(prepared, screening, position)))
    return tuple(proposals)
