"""The full explanation of a decision, for the audited national role only.

It says, per constraint and per municipality, how many units were excluded and why, which
constraint blocks a request that gets nothing, and, in a batch, which joint constraints kept a
request out. This reveals where other people are placed, so it must never reach a requester;
the workflow that shows it must log every access.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from avhopp.housing.engine.batch_problem import UNPLACED
from avhopp.housing.engine.constraints import DESCRIPTIONS, Constraint
from avhopp.housing.engine.inputs import validate_request
from avhopp.housing.engine.shortlist import propose

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from avhopp.housing.engine.batch import BatchAssignment
    from avhopp.housing.engine.batch_problem import BatchProblem
    from avhopp.housing.engine.context import PreparedContext
    from avhopp.housing.engine.inputs import PlacementRequest
    from avhopp.housing.engine.results import Proposal
    from avhopp.housing.engine.screening import Screening


class Outcome(StrEnum):
    """What happened to a request."""

    PROPOSED = "foreslagen"
    PLACED = "placerad"
    NO_FEASIBLE_UNIT = "ingen_mojlig_bostad"
    BLOCKED_IN_BATCH = "blockerad_i_omgangen"
    """Units were feasible alone, but not together with the batch's other placements."""


@dataclass(frozen=True, slots=True)
class ConstraintCount:
    """How many units (or, for joint constraints, candidate localities) a constraint excluded."""

    constraint: Constraint
    count: int

    @property
    def description(self) -> str:
        """The constraint in plain Swedish."""
        return DESCRIPTIONS[self.constraint]


@dataclass(frozen=True, slots=True)
class MunicipalityExplanation:
    """One municipality's units for this request."""

    municipality_code: str
    units: int
    feasible_units: int
    constraints: tuple[ConstraintCount, ...]


@dataclass(frozen=True, slots=True)
class PlacementExplanation:
    """Why a request got what it got. Audited national role only."""

    request_id: str
    outcome: Outcome
    units_considered: int
    units_feasible: int
    constraint_counts: tuple[ConstraintCount, ...]
    """Units breaking each constraint (a unit may break several)."""
    sole_blockers: tuple[ConstraintCount, ...]
    """Units breaking only this constraint: relaxing it alone would have made them feasible."""
    blocking: tuple[Constraint, ...]
    """When nothing was proposed or placed: the constraints that block, the most decisive first."""
    municipalities: tuple[MunicipalityExplanation, ...]
    proposals: tuple[Proposal, ...]
    joint_blockers: tuple[ConstraintCount, ...] = ()
    """Batch only: candidate localities the batch's other new placements (or a filled cap) took away."""

    def summary(self) -> str:
        """A short account in Swedish."""
        lines = [f"Begäran {self.request_id}: {self.units_feasible} av {self.units_considered} bostäder möjliga."]
        if self.outcome in {Outcome.PROPOSED, Outcome.PLACED}:
            verb = "Föreslagna" if self.outcome is Outcome.PROPOSED else "Placerad i"
            lines.append(f"{verb}: " + ", ".join(f"{p.unit_id} ({p.municipality_code})" for p in self.proposals))
        elif self.units_considered == 0:
            lines.append("Det finns inga lediga bostäder att pröva.")
        else:
            lines.append("Inget förslag. Det som stoppar: " + " ".join(DESCRIPTIONS[c] for c in self.blocking))
        return "\n".join(lines)


def explain_request(prepared: PreparedContext, request: PlacementRequest) -> PlacementExplanation:
    """The full explanation of a single-request shortlist.

    Raises:
        PlacementInputError: the request is invalid.

    """
    validate_request(request)
    screening, proposals = propose(prepared, request)
    outcome = Outcome.PROPOSED if proposals else Outcome.NO_FEASIBLE_UNIT
    return _explanation(prepared, screening, outcome, proposals, ())


def explain_batch(prepared: PreparedContext, batch: BatchAssignment) -> tuple[PlacementExplanation, ...]:
    """The full explanation of every request in a batch, in request id order."""
    problem = batch.problem
    explanations = []
    for r, (screening, (_, proposal)) in enumerate(zip(problem.screenings, batch.proposals, strict=True)):
        joint: tuple[ConstraintCount, ...] = ()
        if proposal is not None:
            outcome = Outcome.PLACED
        elif len(problem.candidate_sites[r]):
            outcome = Outcome.BLOCKED_IN_BATCH
            joint = _joint_blockers(problem, batch.choice, r)
        else:
            outcome = Outcome.NO_FEASIBLE_UNIT
        proposals = () if proposal is None else (proposal,)
        explanations.append(_explanation(prepared, screening, outcome, proposals, joint))
    return tuple(explanations)


def _explanation(
    prepared: PreparedContext,
    screening: Screening,
    outcome: Outcome,
    proposals: tuple[Proposal, ...],
    joint: tuple[ConstraintCount, ...],
) -> PlacementExplanation:
    constraints = list(screening.failures)
    matrix = np.array([screening.failures[c] for c in constraints], dtype=np.bool_).reshape(len(constraints), -1)
    alone = matrix & (matrix.sum(axis=0) == 1)
    counts = _counts(constraints, matrix.sum(axis=1))
    sole = _counts(constraints, alone.sum(axis=1))
    if outcome is Outcome.NO_FEASIBLE_UNIT:
        blocking = tuple(item.constraint for item in _ranked(sole or counts))
    elif outcome is Outcome.BLOCKED_IN_BATCH:
        blocking = tuple(item.constraint for item in _ranked(joint))
    else:
        blocking = ()
    return PlacementExplanation(
        request_id=screening.request.request_id,
        outcome=outcome,
        units_considered=len(prepared.unit_ids),
        units_feasible=len(screening.feasible),
        constraint_counts=counts,
        sole_blockers=sole,
        blocking=blocking,
        municipalities=_by_municipality(prepared, constraints, matrix),
        proposals=proposals,
        joint_blockers=joint,
    )


def _counts(constraints: list[Constraint], totals: NDArray[np.int64]) -> tuple[ConstraintCount, ...]:
    return tuple(ConstraintCount(c, int(n)) for c, n in zip(constraints, totals.tolist(), strict=True) if n)


def _ranked(counts: tuple[ConstraintCount, ...]) -> list[ConstraintCount]:
    order = list(Constraint)
    return sorted(counts, key=lambda item: (-item.count, order.index(item.constraint)))


def _by_municipality(
    prepared: PreparedContext,
    constraints: list[Constraint],
    matrix: NDArray[np.bool_],
) -> tuple[MunicipalityExplanation, ...]:
    size = len(prepared.municipality_codes)
    where = prepared.unit_municipality
    units = np.bincount(where, minlength=size)
    feasible = np.bincount(where, weights=~matrix.any(axis=0), minlength=size)
    per_constraint = [np.bincount(where, weights=row, minlength=size) for row in matrix]
    return tuple(
        MunicipalityExplanation(
            municipality_code=prepared.municipality_codes[m],
            units=int(units[m]),
            feasible_units=int(feasible[m]),
            constraints=tuple(
                ConstraintCount(c, int(values[m]))
                for c, values in zip(constraints, per_constraint, strict=True)
                if values[m]
            ),
        )
        for m in np.flatnonzero(units).tolist()
    )


def _joint_blockers(problem: BatchProblem, choice: tuple[int, ...], request: int) -> tuple[ConstraintCount, ...]:
    """For an unplaced request, how many of its candidate localities each joint constraint took."""
    candidates = problem.candidate_sites[request]
    placed = np.array([r for r, c in enumerate(choice) if c != UNPLACED], dtype=np.int64)
    placed_sites = np.array([problem.candidate_sites[r][choice[r]] for r in placed.tolist()], dtype=np.int64)
    near_new = problem.near_any[np.ix_(candidates, placed_sites)].any(axis=1)
    related_new = (problem.near_related[np.ix_(candidates, placed_sites)] & problem.related[request, placed]).any(
        axis=1
    )
    used = np.bincount(problem.site_municipality[placed_sites], minlength=len(problem.municipality_room))
    full = (problem.municipality_room - used)[problem.site_municipality[candidates]] <= 0
    totals = {
        Constraint.NEAR_NEW_PLACEMENT: int(near_new.sum()),
        Constraint.NEAR_RELATED_NEW_PLACEMENT: int(related_new.sum()),
        Constraint.MUNICIPALITY_CAP: int(full.sum()),
    }
    return tuple(ConstraintCount(c, n) for c, n in totals.items() if n)
