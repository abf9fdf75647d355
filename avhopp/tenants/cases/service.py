"""Cases: the use cases other parts, the pages and the API may call. No HTTP here.

Every use case takes an `Actor` (a person acting for a tenant) and starts from the one access
check (`access.case_for_actor`), which answers `NotFoundError` alike for a case that does not
exist and one the actor may not see. Row-level security checks every row again.
"""

from __future__ import annotations

from avhopp.tenants.cases.access import Actor, CaseAccess, case_for_actor
from avhopp.tenants.cases.cases import (
    CaseLine,
    NewCase,
    OverviewLine,
    assign_team,
    case_link,
    case_number,
    change_phase,
    join_shared_case,
    my_cases,
    open_case,
    open_in_emergency,
    overview,
    phase_history,
    shared_with_tenant,
)
from avhopp.tenants.cases.consent import (
    ConsentInput,
    ConsentView,
    consent_document,
    consents_of_case,
    record_consent,
    revoke_consent,
)
from avhopp.tenants.cases.models import MAX_DOCUMENT_BYTES
from avhopp.tenants.cases.person import Intake, OpenedPerson, PersonDetails, open_person
from avhopp.tenants.cases.referrals import accept_referral, decline_referral
from avhopp.tenants.cases.vocabulary import (
    AreaKind,
    Category,
    ContactSource,
    EndReason,
    Intervention,
    InterventionStatus,
    Phase,
    ProtectedIdentity,
    TargetGroup,
    TeamRole,
    ThreatLevel,
    ThreatScope,
)
from avhopp.tenants.cases.work import (
    FOLLOW_UP_QUESTIONS,
    InterventionInput,
    MeetingInput,
    ThreatInput,
    action_plan,
    assessments_asked_of,
    follow_ups,
    record_follow_up,
    record_meeting,
    record_threat_assessment,
    request_threat_assessment,
    threat_assessments,
    update_intervention,
)

__all__ = [
    "FOLLOW_UP_QUESTIONS",
    "MAX_DOCUMENT_BYTES",
    "Actor",
    "AreaKind",
    "CaseAccess",
    "CaseLine",
    "Category",
    "ConsentInput",
    "ConsentView",
    "ContactSource",
    "EndReason",
    "Intake",
    "Intervention",
    "InterventionInput",
    "InterventionStatus",
    "MeetingInput",
    "NewCase",
    "OpenedPerson",
    "OverviewLine",
    "PersonDetails",
    "Phase",
    "ProtectedIdentity",
    "TargetGroup",
    "TeamRole",
    "ThreatInput",
    "ThreatLevel",
    "ThreatScope",
    "accept_referral",
    "action_plan",
    "assessments_asked_of",
    "assign_team",
    "case_for_actor",
    "case_link",
    "case_number",
    "change_phase",
    "consent_document",
    "consents_of_case",
    "decline_referral",
    "follow_ups",
    "join_shared_case",
    "my_cases",
    "open_case",
    "open_in_emergency",
    "open_person",
    "overview",
    "phase_history",
    "record_consent",
    "record_follow_up",
    "record_meeting",
    "record_threat_assessment",
    "request_threat_assessment",
    "revoke_consent",
    "shared_with_tenant",
    "threat_assessments",
    "update_intervention",
]
