"""The directory's JSON API under /api/v1/directory: search with reasons, entries, proposals, review.

Search is a POST: a situation in a query string would end up in proxies' access logs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody

from avhopp.directory.eligibility import VERDICT_LABELS, Assessment, Situation, SituationError
from avhopp.directory.entry import EntryRejectedError, FieldProblem, OrganizationEntry, ServiceEntry
from avhopp.directory.guards import national_coordinator_only
from avhopp.directory.models import RevisionStatus
from avhopp.directory.search import SearchError, SearchQuery, search_directory
from avhopp.directory.service import EntryNotFoundError, decide, propose, published_service, revisions_for_review
from avhopp.directory.vocabulary import (
    Intervention,
    OperationType,
    PaymentDecision,
    TargetGroup,
    ThreatLevel,
    ThreatScope,
)
from avhopp.platform.auth.principal import principal_of
from avhopp.platform.authz import permission
from avhopp.platform.database import RequestContext, context_session

if TYPE_CHECKING:
    from avhopp.platform.auth.principal import Principal

SEARCH = permission("directory", "search")
EDIT = permission("directory", "edit")
REVIEW = permission("directory", "review")


class SituationIn(msgspec.Struct, forbid_unknown_fields=True):
    """The person's situation; nothing that identifies them."""

    home_municipality_code: str
    age: int
    threat_level: ThreatLevel = ThreatLevel.NONE
    threat_scope: ThreatScope = ThreatScope.UNKNOWN
    police_confirmed_threat: bool = False
    target_group: TargetGroup | None = None
    needs: list[Intervention] = msgspec.field(default_factory=list)
    payment: PaymentDecision = PaymentDecision.NOT_ASKED
    in_custody: bool = False


class SearchIn(msgspec.Struct, forbid_unknown_fields=True):
    """A search: free text and/or a situation, filters, a page."""

    text: str = ""
    situation: SituationIn | None = None
    include_not_eligible: bool = False
    operation_types: list[OperationType] = msgspec.field(default_factory=list)
    interventions: list[Intervention] = msgspec.field(default_factory=list)
    page: int = 1
    per_page: int = 20


class ReasonOut(msgspec.Struct):
    """One reason: met, condition or unmet, in Swedish."""

    finding: str
    text: str


class AssessmentOut(msgspec.Struct):
    """A service's verdict for the situation."""

    verdict: str
    verdict_label: str
    reasons: list[ReasonOut]
    conditions: list[str]


class HitOut(msgspec.Struct):
    """One result."""

    service: ServiceEntry
    organization: OrganizationEntry
    assessment: AssessmentOut | None
    stale: bool


class SearchOut(msgspec.Struct):
    """A page of results with counts per facet over all results."""

    hits: list[HitOut]
    total: int
    page: int
    per_page: int
    pages: int
    facets: dict[str, dict[str, int]]


class ProposalIn(msgspec.Struct, forbid_unknown_fields=True):
    """A proposed organisation or service entry (exactly one of them)."""

    organization: OrganizationEntry | None = None
    service: ServiceEntry | None = None


class ProposalOut(msgspec.Struct):
    """The revision that now awaits review."""

    revision_id: UUID


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    """A reviewer's decision; a rejection must say why."""

    approve: bool
    note: str = ""


class RevisionOut(msgspec.Struct):
    """A revision in the review queue."""

    id: UUID
    owner: str
    subject: str
    status: str
    submitted_at: datetime
    document: dict[str, Any]
    previous: dict[str, Any] | None


def field_errors(problems: list[FieldProblem]) -> ValidationException:
    """A 400 naming every bad field (the platform's JSON error shape)."""
    return ValidationException(extra=[{"key": p.field, "message": p.message} for p in problems])


def situation_from(data: SituationIn) -> Situation:
    """The engine's situation; a bad field is a 400 naming it."""
    try:
        return Situation(
            home_municipality_code=data.home_municipality_code,
            age=data.age,
            threat_level=data.threat_level,
            threat_scope=data.threat_scope,
            police_confirmed_threat=data.police_confirmed_threat,
            target_group=data.target_group,
            needs=frozenset(data.needs),
            payment=data.payment,
            in_custody=data.in_custody,
        )
    except SituationError as error:
        raise field_errors([FieldProblem(f"situation.{error.field}", error.message)]) from None


def assessment_out(assessment: Assessment | None) -> AssessmentOut | None:
    """An assessment as the API shows it."""
    if assessment is None:
        return None
    return AssessmentOut(
        verdict=assessment.verdict.value,
        verdict_label=VERDICT_LABELS[assessment.verdict],
        reasons=[ReasonOut(reason.finding.value, reason.text) for reason in assessment.reasons],
        conditions=list(assessment.conditions),
    )


def member_of(request: Request[Any, Any, Any]) -> tuple[Principal, UUID]:
    """The principal and the tenant it acts for (a permission guard passed, so there is one)."""
    principal = principal_of(request)
    if principal is None or principal.tenant_id is None:
        raise NotFoundException
    return principal, principal.tenant_id


@post("/api/v1/directory/search", opt={"permission": SEARCH}, status_code=200)
async def search_api(request: Request[Any, Any, Any], state: State, data: JSONBody[SearchIn]) -> SearchOut:
    """Services for a situation and/or free text, with each service's verdict and reasons."""
    principal, tenant_id = member_of(request)
    try:
        query = SearchQuery(
            text=data.text,
            situation=None if data.situation is None else situation_from(data.situation),
            include_not_eligible=data.include_not_eligible,
            operation_types=frozenset(data.operation_types),
            interventions=frozenset(data.interventions),
            page=data.page,
            per_page=data.per_page,
        )
    except SearchError as error:
        raise field_errors([FieldProblem(error.field, error.message)]) from None
    context = RequestContext(tenant_id=tenant_id, user_id=principal.user_id)
    async with context_session(state.sessions, context) as session:
        result = await search_directory(session, query, datetime.now(UTC).date())
    return SearchOut(
        hits=[HitOut(hit.service, hit.organization, assessment_out(hit.assessment), hit.stale) for hit in result.hits],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
        facets=result.facets,
    )


@get("/api/v1/directory/services/{service_id:uuid}", opt={"permission": SEARCH})
async def service_api(request: Request[Any, Any, Any], state: State, service_id: FromPath[UUID]) -> HitOut:
    """One published service with its organisation, internal phone numbers included."""
    _principal, tenant_id = member_of(request)
    async with context_session(state.sessions, RequestContext(tenant_id=tenant_id)) as session:
        try:
            entry = await published_service(session, service_id)
        except EntryNotFoundError:
            raise NotFoundException from None
    return HitOut(entry.service, entry.organization, None, stale=False)


@post("/api/v1/directory/revisions", opt={"permission": EDIT}, status_code=201)
async def propose_api(request: Request[Any, Any, Any], state: State, data: JSONBody[ProposalIn]) -> ProposalOut:
    """Propose a new or changed entry of your organisation's for review."""
    principal, tenant_id = member_of(request)
    entry = data.service or data.organization
    if entry is None or (data.service is not None and data.organization is not None):
        raise field_errors([FieldProblem("service", "Skicka antingen en tjänst eller en organisation.")])
    context = RequestContext(tenant_id=tenant_id, user_id=principal.user_id)
    try:
        async with context_session(state.sessions, context) as session:
            revision_id = await propose(session, tenant_id, principal.user_id, entry, datetime.now(UTC).date())
    except EntryRejectedError as error:
        raise field_errors(error.problems) from None
    return ProposalOut(revision_id)


def reviewer_of(request: Request[Any, Any, Any]) -> tuple[UUID, RequestContext]:
    """The reviewing person and their context (behind `national_coordinator_only`)."""
    principal, tenant_id = member_of(request)
    if principal.user_id is None:
        raise NotFoundException
    return principal.user_id, RequestContext(tenant_id=tenant_id, user_id=principal.user_id)


@get("/api/v1/directory/revisions", opt={"permission": REVIEW}, guards=[national_coordinator_only])
async def review_queue_api(request: Request[Any, Any, Any], state: State) -> list[RevisionOut]:
    """The revisions that await review, oldest first."""
    _reviewer, context = reviewer_of(request)
    async with context_session(state.sessions, context) as session:
        revisions = await revisions_for_review(session, status=RevisionStatus.PENDING)
    return [
        RevisionOut(
            id=revision.id,
            owner=revision.tenant_name,
            subject=revision.subject.value,
            status=revision.status.value,
            submitted_at=revision.submitted_at,
            document=msgspec.to_builtins(revision.entry),
            previous=None if revision.previous is None else msgspec.to_builtins(revision.previous),
        )
        for revision in revisions
    ]


@post(
    "/api/v1/directory/revisions/{revision_id:uuid}/decision",
    opt={"permission": REVIEW},
    guards=[national_coordinator_only],
    status_code=200,
)
async def decide_api(
    request: Request[Any, Any, Any], state: State, revision_id: FromPath[UUID], data: JSONBody[DecisionIn]
) -> dict[str, str]:
    """Approve (publish) or reject a pending revision."""
    reviewer, context = reviewer_of(request)
    try:
        async with context_session(state.sessions, context) as session:
            decided = await decide(session, revision_id, reviewer, approve=data.approve, note=data.note)
    except EntryNotFoundError:
        raise NotFoundException from None
    except EntryRejectedError as error:
        raise field_errors(error.problems) from None
    return {"status": decided.status.value}


DIRECTORY_API = [search_api, service_api, propose_api, review_queue_api, decide_api]
