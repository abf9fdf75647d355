"""The placement engine's public interface, in one place.

Typical use::

    prepared = prepare_context(context, EngineSettings())    # validate and index once
    shortlist(prepared, request)                             # requester: ranked units, nothing else
    batch = assign_batch(prepared, requests)                 # coordinator: joint assignment
    batch.requester_view(request_id)                         # requester: own placement only
    explain_request(prepared, request)                       # audited national role only
    explain_batch(prepared, batch)                           # audited national role only
"""

from __future__ import annotations

from avhopp.housing.engine.batch import BatchAssignment, BatchMethod, assign_batch
from avhopp.housing.engine.constraints import Constraint, Violation, violations
from avhopp.housing.engine.context import PreparedContext, prepare_context
from avhopp.housing.engine.explain import PlacementExplanation, explain_batch, explain_request
from avhopp.housing.engine.inputs import (
    ActivePlacement,
    EngineSettings,
    GroupConflict,
    GroupPresence,
    HousingUnit,
    MunicipalityFacts,
    Need,
    PlacementContext,
    PlacementInputError,
    PlacementRequest,
    ScoringWeights,
    SolverSettings,
    ThreatLevel,
    ThreatScope,
    UnitType,
    municipality_facts_from_geography,
)
from avhopp.housing.engine.results import NO_PROPOSAL_MESSAGE, EngineSafetyError, Proposal, ProposalView, Shortlist
from avhopp.housing.engine.scoring import Criterion
from avhopp.housing.engine.shortlist import shortlist
from avhopp.housing.engine.solver_report import SolverReport

__all__ = [
    "NO_PROPOSAL_MESSAGE",
    "ActivePlacement",
    "BatchAssignment",
    "BatchMethod",
    "Constraint",
    "Criterion",
    "EngineSafetyError",
    "EngineSettings",
    "GroupConflict",
    "GroupPresence",
    "HousingUnit",
    "MunicipalityFacts",
    "Need",
    "PlacementContext",
    "PlacementExplanation",
    "PlacementInputError",
    "PlacementRequest",
    "PreparedContext",
    "Proposal",
    "ProposalView",
    "ScoringWeights",
    "Shortlist",
    "SolverReport",
    "SolverSettings",
    "ThreatLevel",
    "ThreatScope",
    "UnitType",
    "Violation",
    "assign_batch",
    "explain_batch",
    "explain_request",
    "municipality_facts_from_geography",
    "prepare_context",
    "shortlist",
    "violations",
]
