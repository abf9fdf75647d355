"""The case workspace's pages.

The officer's workspace, the case page and its tabs, referrals from the guidance line, cases
shared with us, the police's assessments and the unit head's overview.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.tenants.cases.web.case_consents import CaseConsentPages
from avhopp.tenants.cases.web.case_person import CasePersonPages
from avhopp.tenants.cases.web.case_plan import CasePlanPages
from avhopp.tenants.cases.web.case_progress import CaseProgressPages
from avhopp.tenants.cases.web.oversight import CaseOversight
from avhopp.tenants.cases.web.police import ThreatAssessmentPages
from avhopp.tenants.cases.web.referrals import ReferralPages
from avhopp.tenants.cases.web.workspace import CaseWorkspace

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

PAGE_ROUTES: list[ControllerRouterHandler] = [
    CaseWorkspace,
    ReferralPages,
    CasePersonPages,
    CaseConsentPages,
    CasePlanPages,
    CaseProgressPages,
    ThreatAssessmentPages,
    CaseOversight,
]
