"""Search the published directory: Swedish full text, the eligibility verdicts, facets, pages.

PostgreSQL finds and ranks the candidates (the `swedish` text search configuration, so
"boenden" finds "boende") and, when only services that can take the person are wanted,
drops those that surely cannot: outside the catchment or the age range, another target
group, a threat requirement not met, no protection for a serious threat (unless it is local
and the service protects by moving the person away), payment refused, drug-free required
of someone who uses drugs, custody or probation required of someone free, none of the needs
offered. The eligibility engine then decides every remaining candidate, so the
verdicts and reasons always come from one place; the pre-filter only saves work, and a
test checks that it never drops a service the engine would accept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Float, func, literal, literal_column, or_, select

from avhopp.directory.catalogue.documents import as_text, is_stale, organization_from_document, service_from_document
from avhopp.directory.catalogue.eligibility import RESIDENCE_UNMET, Assessment, Finding, Situation, Verdict, assess
from avhopp.directory.catalogue.models import (
    PublicOrganization,
    PublicService,
    PublishedOrganization,
    PublishedService,
)
from avhopp.directory.catalogue.vocabulary import (
    AreaKind,
    CustodyStatus,
    DrugPolicy,
    FundingRule,
    Intervention,
    OperationType,
    PaymentDecision,
    ServiceStatus,
    SubstanceUse,
    TargetGroup,
    ThreatLevel,
    ThreatRequirement,
    ThreatScope,
)
from avhopp.platform.problems import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.directory.catalogue.entry import OrganizationEntry, ServiceEntry

MAX_PER_PAGE = 50
MAX_QUERY_LENGTH = 200
_VERDICT_ORDER = {Verdict.ELIGIBLE: 0, Verdict.CONDITIONAL: 1, Verdict.NOT_ELIGIBLE: 2}


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to look for; every filter is optional and they all apply together."""

    text: str = ""
    situation: Situation | None = None
    include_not_eligible: bool = False
    """With a situation: also list the services that cannot take the person, with why."""
    operation_types: frozenset[OperationType] = frozenset()
    interventions: frozenset[Intervention] = frozenset()
    """Services offering at least one of these."""
    page: int = 1
    per_page: int = 20
    group_closed: bool = False
    """With `include_not_eligible`: services alike but for where they work, that the person cannot use
    only because of where they live (every municipality's social services), come as one group."""

    def __post_init__(self) -> None:
        """Refuse pages and texts outside the limits, naming the field."""
        if len(self.text) > MAX_QUERY_LENGTH:
            raise InvalidInputError.one("text", f"Skriv högst {MAX_QUERY_LENGTH} tecken.")
        if self.page < 1:
            raise InvalidInputError.one("page", "Sidnumret börjar på 1.")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise InvalidInputError.one("per_page", f"Välj mellan 1 och {MAX_PER_PAGE} träffar per sida.")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One service in the results."""

    service: ServiceEntry
    organization: OrganizationEntry
    assessment: Assessment | None
    stale: bool
    """Not confirmed by its owner for six months: shown with a warning."""


@dataclass(frozen=True, slots=True)
class ClosedGroup:
    """Services with the same description that take only people registered elsewhere, as one line."""

    name: str
    """What their names share, such as "Socialtjänsten"."""
    count: int
    municipalities: bool
    """Each serves one municipality (else other areas)."""

    @property
    def message(self) -> str:
        """The Swedish message id of the line, with `{name}` and `{count}`."""
        if self.municipalities:
            return "{name} i {count} andra kommuner: bara för dem som är folkbokförda där"
        return "{name} i {count} andra områden: bara för dem som är folkbokförda där"

    def in_language(self, gettext: Callable[[str], str]) -> str:
        """The line in the language of `gettext`."""
        return gettext(self.message).format(name=self.name, count=self.count)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of hits, the total, and counts per facet value over all hits."""

    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    closed_groups: tuple[ClosedGroup, ...] = ()
    """Services closed to the person only by where they live, counted instead of listed."""

    @property
    def pages(self) -> int:
        """How many pages the hits fill (at least one)."""
        return max(1, -(-self.total // self.per_page))


def _prefilter(situation: Situation, service: type[PublishedService]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        service.status == ServiceStatus.ACTIVE.value,
        or_(
            service.whole_country,
            service.catchment_municipalities.any_() == situation.home_municipality_code,
        ),
        or_(service.minimum_age.is_(None), service.minimum_age <= situation.age),
        or_(service.maximum_age.is_(None), service.maximum_age >= situation.age),
    ]
    if situation.threat_level is ThreatLevel.NONE:
        conditions.append(service.threat_requirement == ThreatRequirement.NONE.value)
    elif not situation.police_confirmed_threat:
        conditions.append(service.threat_requirement != ThreatRequirement.POLICE_CONFIRMED.value)
    if situation.threat_level is ThreatLevel.SERIOUS:
        if situation.threat_scope is ThreatScope.LOCAL:
            conditions.append(or_(service.accepts_serious_threat, service.accepts_local_serious_threat))
        else:
            conditions.append(service.accepts_serious_threat.is_(True))
    if situation.substance_use is SubstanceUse.ACTIVE:
        conditions.append(service.drug_policy != DrugPolicy.DRUG_FREE.value)
    if situation.custody is CustodyStatus.NEITHER:
        conditions.append(service.custody_only.is_(False))
    if situation.payment is PaymentDecision.REFUSED:
        conditions.append(service.funding_rule != FundingRule.HOME_MUNICIPALITY_PAYS.value)
    if situation.needs:
        conditions.append(service.interventions.overlap([need.value for need in situation.needs]))
    if situation.target_group is not None:
        conditions.append(
            or_(
                func.cardinality(service.target_groups) == 0,
                service.target_groups.any_() == situation.target_group.value,
            )
        )
    return conditions


def _candidates(query: SearchQuery, *, internal: bool) -> Select[str, str, float]:
    service, organization = (
        (PublishedService, PublishedOrganization) if internal else (PublicService, PublicOrganization)
    )
    # websearch syntax: words, "phrases", -exclusions, OR; never an error for odd input.
    tsquery = func.websearch_to_tsquery(literal_column("'swedish'::regconfig"), query.text)
    statement = select(
        as_text(service.document),
        as_text(organization.document),
        func.ts_rank_cd(service.search, tsquery) if query.text.strip() else literal(0.0, Float),
    ).join(organization, organization.id == service.organization_id)
    if query.text.strip():
        statement = statement.where(service.search.op("@@")(tsquery))
    if query.situation is not None and not query.include_not_eligible:
        statement = statement.where(*_prefilter(query.situation, service))
    elif query.situation is None:
        statement = statement.where(service.status == ServiceStatus.ACTIVE.value)
    if query.operation_types:
        statement = statement.where(service.operation_type.in_([t.value for t in query.operation_types]))
    if query.interventions:
        statement = statement.where(service.interventions.overlap([i.value for i in query.interventions]))
    return statement


def _facets(hits: list[SearchHit]) -> dict[str, dict[str, int]]:
    counters: dict[str, Counter[str]] = {name: Counter() for name in ("verdict", "operation_type", "intervention")}
    counters |= {"target_group": Counter(), "funding_rule": Counter()}
    for hit in hits:
        if hit.assessment is not None:
            counters["verdict"][hit.assessment.verdict.value] += 1
        counters["operation_type"][hit.organization.operation_type.value] += 1
        counters["intervention"].update(value.value for value in hit.service.interventions)
        counters["target_group"].update(value.value for value in hit.service.target_groups)
        counters["funding_rule"][hit.service.funding_rule.value] += 1
    return {name: dict(counter.most_common()) for name, counter in counters.items()}


def _closed_only_by_residence(hit: SearchHit) -> bool:
    assessment = hit.assessment
    if assessment is None or assessment.verdict is not Verdict.NOT_ELIGIBLE:
        return False
    return [reason.message for reason in assessment.reasons if reason.finding is Finding.UNMET] == [RESIDENCE_UNMET]


def _shared_name(names: list[str]) -> str:
    """The words all names begin with ("Socialtjänsten, Mölndals kommun", … -> "Socialtjänsten")."""
    first, last = min(names), max(names)
    shared = first[: next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first))]
    if shared != first:
        shared = shared[: max(shared.rfind(" "), shared.rfind(","), 0)]
    return shared.strip(" ,–-")


def _group_closed(hits: list[SearchHit]) -> tuple[list[SearchHit], tuple[ClosedGroup, ...]]:
    alike: dict[str, list[SearchHit]] = {}
    for hit in hits:
        if _closed_only_by_residence(hit):
            alike.setdefault(hit.service.description, []).append(hit)
    groups: list[ClosedGroup] = []
    grouped: set[int] = set()
    for members in alike.values():
        name = _shared_name([hit.service.name for hit in members])
        if len(members) == 1 or not name:
            continue
        groups.append(ClosedGroup(name, len(members), municipalities=_all_municipal(members)))
        grouped.update(id(hit) for hit in members)
    return [hit for hit in hits if id(hit) not in grouped], tuple(groups)


def _all_municipal(members: list[SearchHit]) -> bool:
    return all(area.kind is AreaKind.MUNICIPALITY for hit in members for area in hit.service.catchment)


async def search_directory(
    session: AsyncSession, query: SearchQuery, today: date, *, internal: bool = False
) -> SearchResult:
    """One page of services matching the query, best first: verdict, then text rank, then name.

    `internal` includes what only professionals may read (phones not for the public); the
    session must then act for a tenant, or the database finds nothing.
    """
    ranked: list[tuple[SearchHit, float]] = []
    for service_document, organization_document, rank in await session.execute(_candidates(query, internal=internal)):
        service = service_from_document(service_document)
        assessment = None if query.situation is None else assess(service, query.situation)
        if assessment is not None and assessment.verdict is Verdict.NOT_ELIGIBLE and not query.include_not_eligible:
            continue
        hit = SearchHit(
            service, organization_from_document(organization_document), assessment, is_stale(service, today)
        )
        ranked.append((hit, float(rank)))
    ranked.sort(
        key=lambda pair: (
            _VERDICT_ORDER[pair[0].assessment.verdict] if pair[0].assessment else 0,
            -pair[1],
            pair[0].service.name,
        )
    )
    hits = [hit for hit, _rank in ranked]
    groups: tuple[ClosedGroup, ...] = ()
    if query.group_closed and query.include_not_eligible:
        hits, groups = _group_closed(hits)
    start = (query.page - 1) * query.per_page
    return SearchResult(
        hits=hits[start : start + query.per_page],
        total=len(hits),
        page=query.page,
        per_page=query.per_page,
        facets=_facets(hits),
        closed_groups=groups,
    )


FACET_VOCABULARIES = {
    "operation_type": OperationType,
    "intervention": Intervention,
    "target_group": TargetGroup,
    "funding_rule": FundingRule,
    "verdict": Verdict,
}
