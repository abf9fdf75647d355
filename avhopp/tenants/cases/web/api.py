"""The cases API under /api/v1/cases: the same use cases as the pages, as JSON with OpenAPI.

Every route states its permission and opens only in the kinds of tenant where cases exist. A case
is seen by its team: a person, or a machine client acting through its system account once it has
opened the case or a unit head has put it on the team. Refusals are problem details (RFC 9457).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.tenants.cases.web.api_cases import CasesApi, UnitHeadApi
from avhopp.tenants.cases.web.api_consent import ConsentApi
from avhopp.tenants.cases.web.api_referrals import ReferralApi
from avhopp.tenants.cases.web.api_work import FollowUpApi, PlanApi, SecurityOfficerApi, ThreatApi

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

API_ROUTES: list[ControllerRouterHandler] = [
    CasesApi,
    UnitHeadApi,
    ConsentApi,
    ThreatApi,
    SecurityOfficerApi,
    PlanApi,
    FollowUpApi,
    ReferralApi,
]
