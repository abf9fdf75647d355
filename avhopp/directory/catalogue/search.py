"""Search the published directory: Swedish full text, the eligibility verdicts, facets, pages.

PostgreSQL finds and ranks the candidates (the `swedish` text search configuration, so
"boenden" finds "boende"), decides each one's verdict from the service's columns
(`verdicts`, the engine's rules as SQL), orders by verdict, rank and name, cuts the page and
counts the total and every facet, in one statement. Only the services shown are decoded and
assessed by the eligibility engine, which gives their reasons; a test checks that its
verdicts, and the order, counts and groups, are the ones the engine gives for every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    REAL,
    BigInteger,
    Integer,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    not_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by

from avhopp.directory.catalogue.documents import is_stale, organization_from_document, service_from_document
from avhopp.directory.catalogue.eligibility import Assessment, Situation, Verdict, assess
from avhopp.directory.catalogue.models import (
    PublicOrganization,
    PublicService,
    PublishedOrganization,
    PublishedService,
)
from avhopp.directory.catalogue.verdicts import VerdictSql, situation_shape, situation_values, verdict_sql
from avhopp.directory.catalogue.vocabulary import (
    FundingRule,
    Intervention,
    OperationType,
    ServiceStatus,
    TargetGroup,
    bit,
)
from avhopp.platform.heavy import heavy_lane
from avhopp.platform.problems import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Sequence
    from datetime import date

    from sqlalchemy import ColumnElement, Row, Select
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


_FACET_COLUMNS = ("operation_type", "intervention", "target_group", "funding_rule")


def _services(internal: bool) -> tuple[type[PublishedService], type[PublishedOrganization]]:  # noqa: FBT001 - private
    """Where the page's documents come from: the tables for a professional, the public projection otherwise."""
    return (PublishedService, PublishedOrganization) if internal else (PublicService, PublicOrganization)


_TENANT_SET = text("NULLIF(current_setting('app.tenant_id', true), '') IS NOT NULL")
"""The professional reading policy's own condition, for candidates read from the public projection."""


def _found(query: SearchQuery, rules: VerdictSql | None, *, internal: bool) -> Select[Any]:
    """The candidates, always from the public projection (`rules` made on `PublicService`).

    It holds every service with all the columns a search reads, so the candidates are the same as
    the tables' (for a professional, gated on the same condition as the tables' reading policy).
    But there PostgreSQL may use the catchment's index: on the tables, row-level security keeps
    the catchment's and the text's operators, which are not leakproof, out of every index
    condition, and a professional's search read the whole table. Only the page's documents, with
    what only professionals may read, come from the tables (`_page`).
    """
    candidates = _candidates(query, PublicService, PublicOrganization, rules)
    return candidates.where(_TENANT_SET) if internal else candidates


def _candidates(
    query: SearchQuery,
    service: type[PublishedService],
    organization: type[PublishedOrganization],
    rules: VerdictSql | None,
) -> Select[Any]:
    """The matching services with their text rank and verdict (0 best), not yet ordered.

    The query's values are bound parameters (`_values`), so the statement serves every query of its shape.
    """
    # websearch syntax: words, "phrases", -exclusions, OR; never an error for odd input.
    tsquery = func.websearch_to_tsquery(literal_column("'swedish'::regconfig"), bindparam("text", query.text, Text))
    has_text = bool(query.text.strip())
    filtered = rules is not None and not query.include_not_eligible
    verdict = literal(0) if rules is None else rules.verdict(may_fail=not filtered)
    statement = select(
        service.id,
        service.name,
        (func.ts_rank_cd(service.search, tsquery) if has_text else literal(0.0, REAL)).label("rank"),
        verdict.label("verdict"),
        service.operation_type,
        service.funding_rule,
        service.intervention_bits,
        service.target_group_bits,
    ).join(organization, organization.id == service.organization_id)
    if has_text:
        statement = statement.where(service.search.op("@@")(tsquery))
    if rules is not None and filtered:
        statement = statement.where(*rules.passes)
    elif rules is None:
        statement = statement.where(service.status == ServiceStatus.ACTIVE.value)
    if query.operation_types:
        statement = statement.where(
            service.operation_type.in_(
                bindparam("operation_types", sorted(t.value for t in query.operation_types), expanding=True)
            )
        )
    if query.interventions:
        statement = statement.where(
            service.interventions.overlap(
                bindparam("interventions", sorted(i.value for i in query.interventions), ARRAY(Text))
            )
        )
    return statement


@cache
def _facet_keys() -> tuple[tuple[str, str, str], ...]:
    """Each value counted by a filter: (facet, value, its condition over the found rows' columns).

    The array facets are tested on their bits (`vocabulary.bit`): on the benchmark's widest
    searches (3,500 candidates) a test of an integer per value cost 1.5 ms where unnesting the
    arrays and grouping the values cost 3.6 ms, and a test of the array per value more.
    """
    keys = [("verdict", verdict.value, f"verdict = {rank}") for verdict, rank in _VERDICT_ORDER.items()]
    keys += [("operation_type", value.value, f"operation_type = '{value.value}'") for value in OperationType]
    keys += [("intervention", value.value, f"intervention_bits & {bit(value)} <> 0") for value in Intervention]
    keys += [("target_group", value.value, f"target_group_bits & {bit(value)} <> 0") for value in TargetGroup]
    keys += [("funding_rule", value.value, f"funding_rule = '{value.value}'") for value in FundingRule]
    return tuple(keys)


@cache
def _facet_counts() -> ColumnElement[Sequence[int]]:
    """The total and every facet value's count, `COUNT(*) FILTER` in one array.

    Built once (the values are the vocabularies' own, no input): one column is much cheaper to
    build, compile and read than fifty.
    """
    filters = ", ".join(f"count(*) FILTER (WHERE {condition})" for _facet, _value, condition in _facet_keys())
    return literal_column(f"ARRAY[count(*), {filters}]", ARRAY(BigInteger)).label("counts")


def _facets(counts: Sequence[int], *, with_verdict: bool) -> dict[str, dict[str, int]]:
    """Counts above zero per facet, most first, ties in the vocabulary's order."""
    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in ("verdict", *_FACET_COLUMNS)}
    for (name, value, _condition), count in zip(_facet_keys(), counts[1:], strict=True):
        if count and (with_verdict or name != "verdict"):
            facets[name].append((value, count))
    return {name: dict(sorted(counted, key=lambda pair: -pair[1])) for name, counted in facets.items()}


def _ordered(candidates: Any) -> tuple[Any, ...]:  # noqa: ANN401 - a CTE's columns
    """Verdict, then text rank, then name by code point (as Python sorts), then id, so pages never overlap."""
    return (
        candidates.verdict,
        candidates.rank.desc(),
        candidates.name.collate("C"),
        candidates.id,
    )


def _shared_name(names: list[str]) -> str:
    """The words all names begin with ("Socialtjänsten, Mölndals kommun", … -> "Socialtjänsten")."""
    first, last = min(names), max(names)
    shared = first[: next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first))]
    if shared != first:
        shared = shared[: max(shared.rfind(" "), shared.rfind(","), 0)]
    return shared.strip(" ,–-")


async def _closed_groups(
    session: AsyncSession, candidates: Select[Any], rules: VerdictSql
) -> tuple[tuple[ClosedGroup, ...], list[str]]:
    """The groups of services alike (same description) closed to the person only by where they live.

    Answers the groups, in the order their first member would be listed, and the descriptions
    grouped, whose services the hits then leave out.
    """
    document = PublicService.document  # the candidates' (`_found`): description and catchment are public
    description = document["description"].astext
    # Every area of the catchment a municipality (no county, region or the country).
    municipal = not_(document.bool_op("@?")(literal_column("'$.catchment[*] ? (@.kind != \"municipality\")'")))
    closed = (
        candidates.add_columns(description.label("description"), municipal.label("municipal"))
        .where(rules.closed_only_by_residence())
        .subquery()
    )
    listed = (closed.c.rank.desc(), closed.c.name.collate("C"), closed.c.id)
    statement = (
        select(
            closed.c.description,
            func.count(),
            func.min(closed.c.name.collate("C")),
            func.max(closed.c.name.collate("C")),
            func.bool_and(closed.c.municipal),
        )
        .group_by(closed.c.description)
        .having(func.count() > 1)
        .order_by(
            func.max(closed.c.rank).desc(),
            # The name (then id) of the member listed first: highest rank, then name, then id.
            func.array_agg(aggregate_order_by(closed.c.name.collate("C"), *listed))[1],
            func.array_agg(aggregate_order_by(closed.c.id, *listed))[1],
        )
    )
    groups: list[ClosedGroup] = []
    grouped: list[str] = []
    for described, count, first, last, municipalities in await session.execute(statement):
        name = _shared_name([first, last])
        if name:
            groups.append(ClosedGroup(name, count, municipalities=municipalities))
            grouped.append(described)
    return tuple(groups), grouped


async def search_directory(
    session: AsyncSession, query: SearchQuery, today: date, *, internal: bool = False
) -> SearchResult:
    """One page of services matching the query, best first: verdict, then text rank, then name.

    The database decides the verdicts (`verdicts`), orders, counts and cuts the page in one
    statement; only the services shown are decoded and assessed, for their reasons.
    `internal` includes what only professionals may read (phones not for the public); the
    session must then act for a tenant, or the database finds nothing. A search is heavy work: it
    waits for a place in the process's lane (`platform.heavy`).
    """
    async with heavy_lane():
        rows, groups = await _page_rows(session, query, internal=internal)
        return _result(rows, groups, query, today)


def _shape(query: SearchQuery) -> Hashable:
    """What `_candidates` builds the statement from; the rest are the bound values (`_values`)."""
    return (
        bool(query.text.strip()),
        query.include_not_eligible,
        bool(query.operation_types),
        bool(query.interventions),
        None if query.situation is None else situation_shape(query.situation),
    )


def _values(query: SearchQuery) -> dict[str, object]:
    """The bound parameters of the page statement for `query`."""
    values: dict[str, object] = {
        "text": query.text,
        "operation_types": sorted(value.value for value in query.operation_types),
        "interventions": sorted(value.value for value in query.interventions),
        "page_limit": query.per_page,
        "page_offset": (query.page - 1) * query.per_page,
    }
    if query.situation is not None:
        values |= situation_values(query.situation)
    return values


_STATEMENTS: dict[tuple[bool, Hashable], Select[Any]] = {}
_MOST_STATEMENTS = 256
"""Statements kept, one per shape of query; building one costs about as much as assessing the page."""


def page_statement(query: SearchQuery, *, internal: bool) -> tuple[Select[Any], dict[str, object]]:
    """The statement of the query's shape and its values (no grouping), built once per shape and then reused.

    The benchmark runs it bare, to compare with the API that runs it.
    """
    key = (internal, _shape(query))
    statement = _STATEMENTS.get(key)
    if statement is None:
        if len(_STATEMENTS) >= _MOST_STATEMENTS:
            _STATEMENTS.clear()
        rules = None if query.situation is None else verdict_sql(query.situation, PublicService)
        statement = _STATEMENTS[key] = _page(_found(query, rules, internal=internal), query, internal=internal)
    return statement, _values(query)


async def _page_rows(
    session: AsyncSession, query: SearchQuery, *, internal: bool
) -> tuple[Sequence[Row[Any]], tuple[ClosedGroup, ...]]:
    """The page's rows (documents and verdicts) and the counts, from one statement."""
    groups: tuple[ClosedGroup, ...] = ()
    situation = query.situation
    if situation is not None and query.group_closed and query.include_not_eligible:
        # Which descriptions are grouped depends on the data: this statement is built for this query alone.
        rules = verdict_sql(situation, PublicService)
        candidates = _found(query, rules, internal=internal)
        groups, grouped = await _closed_groups(session, candidates, rules)
        if grouped:
            candidates = candidates.where(
                not_(and_(rules.closed_only_by_residence(), PublicService.document["description"].astext.in_(grouped)))
            )
        return (await session.execute(_page(candidates, query, internal=internal), _values(query))).all(), groups
    return (await session.execute(*page_statement(query, internal=internal))).all(), groups


def _page(candidates: Select[Any], query: SearchQuery, *, internal: bool) -> Select[Any]:
    """The page of `candidates` with their documents, and the counts (on every row, and on one row if none)."""
    service, organization = _services(internal)
    found = candidates.cte("found")
    page = (
        select(found.c.id, found.c.verdict, found.c.rank, found.c.name)
        .order_by(*_ordered(found.c))
        .limit(bindparam("page_limit", query.per_page, Integer))
        .offset(bindparam("page_offset", (query.page - 1) * query.per_page, Integer))
        .cte("page")
    )
    counts = select(_facet_counts()).select_from(found).cte("counts")
    shown = (
        select(
            page.c.id,
            page.c.verdict,
            page.c.rank,
            page.c.name,
            cast(service.document, Text).label("service_document"),
            cast(organization.document, Text).label("organization_document"),
        )
        .join(service, service.id == page.c.id)
        .join(organization, organization.id == service.organization_id)
        .subquery()
    )
    return (
        select(counts, shown.c.service_document, shown.c.organization_document)
        .outerjoin(shown, true())
        .order_by(*_ordered(shown.c))
    )


def _result(rows: Sequence[Row[Any]], groups: tuple[ClosedGroup, ...], query: SearchQuery, today: date) -> SearchResult:
    """Decode and assess the services shown.

    A page is small enough to assess on the event loop: measured, handing it to a worker thread
    cost more (the thread and the loop take turns for the interpreter) than it spared.
    """
    situation = query.situation
    hits = []
    for row in rows:
        if row.service_document is None:
            continue  # no hits: the one row carries the counts only
        entry = service_from_document(row.service_document)
        assessment = None if situation is None else assess(entry, situation)
        organization_entry = organization_from_document(row.organization_document)
        hits.append(SearchHit(entry, organization_entry, assessment, is_stale(entry, today)))
    return SearchResult(
        hits=hits,
        total=rows[0].counts[0],
        page=query.page,
        per_page=query.per_page,
        facets=_facets(rows[0].counts, with_verdict=situation is not None),
        closed_groups=groups,
    )
