"""Placement between municipalities: the use cases the pages, the API and other parts may call. No HTTP here.

Every use case takes the acting person's tenant (an `Actor`) and answers `NotFoundError` alike for
what does not exist and what the actor may not see; row-level security checks every row again.
"""

from __future__ import annotations

from avhopp.housing.engine.service import NO_PROPOSAL_MESSAGE, Criterion, Shortlist
from avhopp.housing.placement.common import Actor
from avhopp.housing.placement.intake import IntakeInput, IntakeView, declare_intake, default_cap, intake_of
from avhopp.housing.placement.offers import (
    ANSWER_WITHIN,
    NEUTRAL_FAILURE,
    Acceptance,
    OfferLine,
    accept_offer,
    decline_offer,
    inbox,
    make_offer,
    withdraw_offer,
)
from avhopp.housing.placement.placements import (
    PlacementView,
    move_out,
    placement_address,
    placement_view,
    received_placements,
)
from avhopp.housing.placement.ratelimit import ShortlistLimitReached
from avhopp.housing.placement.requests import (
    RequestInput,
    RequestView,
    create_request,
    explanation_for_national,
    my_requests,
    request_view,
    shortlist_for,
    withdraw_request,
)
from avhopp.housing.placement.units import UnitInput, UnitLine, register_unit, unit_address, units_of, withdraw_unit
from avhopp.housing.placement.vocabulary import (
    DeclineReason,
    Need,
    OfferStatus,
    RequestState,
    RiskLevel,
    UnitFeature,
    UnitState,
    UnitType,
)

__all__ = [
    "ANSWER_WITHIN",
    "NEUTRAL_FAILURE",
    "NO_PROPOSAL_MESSAGE",
    "Acceptance",
    "Actor",
    "Criterion",
    "DeclineReason",
    "IntakeInput",
    "IntakeView",
    "Need",
    "OfferLine",
    "OfferStatus",
    "PlacementView",
    "RequestInput",
    "RequestState",
    "RequestView",
    "RiskLevel",
    "Shortlist",
    "ShortlistLimitReached",
    "UnitFeature",
    "UnitInput",
    "UnitLine",
    "UnitState",
    "UnitType",
    "accept_offer",
    "create_request",
    "declare_intake",
    "decline_offer",
    "default_cap",
    "explanation_for_national",
    "inbox",
    "intake_of",
    "make_offer",
    "move_out",
    "my_requests",
    "placement_address",
    "placement_view",
    "received_placements",
    "register_unit",
    "request_view",
    "shortlist_for",
    "unit_address",
    "units_of",
    "withdraw_offer",
    "withdraw_request",
    "withdraw_unit",
]
