"""The directory's JSON API under /api/v1/directory: search with reasons, entries, proposals, review.

Search is a POST: a situation in a query string would end up in proxies' access logs.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from avhopp.directory.catalogue.eligibility import Assessment, Situation
from avhopp.directory.catalogue.entry import (
    OrganizationEntry,
    ServiceEntry,
)
from avhopp.directory.catalogue.models import RevisionStatus
from avhopp.directory.catalogue.permissions import EDIT, REVIEW, REVIEWING_KINDS, SEARCH
from avhopp.directory.catalogue.search import (
    SearchQuery,
    search_directory,
)
from avhopp.directory.catalogue.service import (
    decide_in_tenant,
    propose,
    published_service,
    revisions_for_review_in_tenant,
)
from avhopp.directory.catalogue.vocabulary import (
    CustodyStatus,
    Intervention,
    OperationType,
    PaymentDecision,
    SubstanceUse,
    TargetGroup,
    ThreatLevel,
    ThreatScope,
)
from avhopp.platform.labels import label
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.times import swedish_date

if TYPE_CHECKING:
    from avhopp.directory.catalogue.service import RevisionView

E = TypeVar("E", bound=StrEnum)


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
    substance_use: str = SubstanceUse.NONE.value
    """`none`, `trying_to_stop` or `active`; read here, so an unknown code gets a Swedish answer."""
    custody: str = CustodyStatus.NEITHER.value
    """`neither`, `in_custody` or `on_probation`."""


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

    revision_id: FromPath[UUID]


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


def _code(field: str, raw: str, values: type[E], what: str) -> E:
    try:
        return values(raw)
    except ValueError:
        known = ", ".join(member.value for member in values)
        raise InvalidInputError.one(
            f"situation.{field}", f"Okänd kod för {what}: {raw[:40]!r}. Välj en av: {known}."
        ) from None


def situation_from(data: SituationIn) -> Situation:
    """The engine's situation; a bad field is refused, named under `situation.`."""
    substance_use = _code("substance_use", data.substance_use, SubstanceUse, "droganvändning")
    custody = _code("custody", data.custody, CustodyStatus, "kriminalvård")
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
            substance_use=substance_use,
            custody=custody,
        )
    except InvalidInputError as error:
        raise InvalidInputError(
            FieldProblem(f"situation.{problem.field}", problem.message) for problem in error.problems
        ) from None


def assessment_out(assessment: Assessment | None) -> AssessmentOut | None:
    """An assessment as the API shows it."""
    if assessment is None:
        return None
    return AssessmentOut(
        verdict=assessment.verdict.value,
        verdict_label=label(assessment.verdict),
        reasons=[ReasonOut(reason.finding.value, reason.text) for reason in assessment.reasons],
        conditions=list(assessment.conditions),
    )


def reviewer_of(acting: TenantScope) -> UUID:
    """The reviewing person; a machine client reviews nothing."""
    if acting.person_id is None:
        raise NotFoundError
    return acting.person_id


def _revision_out(revision: RevisionView) -> RevisionOut:
    return RevisionOut(
        id=revision.id,
        owner=revision.tenant_name,
        subject=revision.subject.value,
        status=revision.status.value,
        submitted_at=revision.submitted_at,
        document=msgspec.to_builtins(revision.entry),
        previous=None if revision.previous is None else msgspec.to_builtins(revision.previous),
    )


class DirectoryApi(Controller):
    """Search with reasons, published services, proposals and review, as JSON."""

    path = "/api/v1/directory"
    tags = ["directory"]  # noqa: RUF012 - Litestar's layer attribute

    @post("/search", opt={"permission": SEARCH}, status_code=200)
    async def search(self, acting: Acting, data: JSONBody[SearchIn]) -> SearchOut:
        """Services for a situation and/or free text, with each service's verdict and reasons."""
        query = SearchQuery(
            text=data.text,
            situation=None if data.situation is None else situation_from(data.situation),
            include_not_eligible=data.include_not_eligible,
            operation_types=frozenset(data.operation_types),
            interventions=frozenset(data.interventions),
            page=data.page,
            per_page=data.per_page,
        )
        result = await search_directory(acting.session, query, swedish_date(), internal=True)
        return SearchOut(
            hits=[
                HitOut(hit.service, hit.organization, assessment_out(hit.assessment), hit.stale) for hit in result.hits
            ],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
            facets=result.facets,
        )

    @get("/services/{service_id:uuid}", opt={"permission": SEARCH})
    async def service(self, acting: Acting, service_id: FromPath[UUID]) -> HitOut:
        """One published service with its organisation, internal phone numbers included."""
        entry = await published_service(acting.session, service_id, internal=True)
        return HitOut(entry.service, entry.organization, None, stale=False)

    @post("/revisions", opt={"permission": EDIT}, status_code=201)
    async def propose(self, acting: Acting, data: JSONBody[ProposalIn]) -> ProposalOut:
        """Propose a new or changed entry of your organisation's for review."""
        entry = data.service or data.organization
        if entry is None or (data.service is not None and data.organization is not None):
            raise InvalidInputError.one("service", "Skicka antingen en tjänst eller en organisation.")
        revision_id = await propose(acting.session, acting.tenant_id, acting.user_id, entry, swedish_date())
        return ProposalOut(revision_id)

    @get("/revisions", opt={"permission": REVIEW, "tenant_kinds": REVIEWING_KINDS})
    async def review_queue(self, acting: Acting) -> list[RevisionOut]:
        """The revisions that await review, oldest first."""
        revisions = await revisions_for_review_in_tenant(
            acting.session, acting.tenant_id, status=RevisionStatus.PENDING
        )
        return [_revision_out(revision) for revision in revisions]

    @post(
        "/revisions/{revision_id:uuid}/decision",
        opt={"permission": REVIEW, "tenant_kinds": REVIEWING_KINDS},
        status_code=200,
    )
    async def decide(self, acting: Acting, revision_id: FromPath[UUID], data: JSONBody[DecisionIn]) -> dict[str, str]:
        """Approve (publish) or reject a pending revision."""
        decided = await decide_in_tenant(
            acting.session, acting.tenant_id, revision_id, reviewer_of(acting), approve=data.approve, note=data.note
        )
        return {"status": decided.status.value}


DIRECTORY_API = [DirectoryApi]
