"""The search decides verdicts, order, page, totals, facets and groups in SQL: the same as the engine's.

The oracle is the search as it was: every matching service decoded and assessed by the
eligibility engine in Python, then ordered (verdict, text rank, name, id), grouped and cut. On
generated services and situations, the SQL search must give the same page, each row with the
engine's verdict, the same total, facets and groups, for the public view and the internal table.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from avhopp.directory.catalogue.documents import organization_from_document, service_from_document
from avhopp.directory.catalogue.eligibility import RESIDENCE_UNMET, Finding, Situation, Verdict, assess
from avhopp.directory.catalogue.entry import Area
from avhopp.directory.catalogue.search import ClosedGroup, SearchQuery, _shape, _shared_name, search_directory
from avhopp.directory.catalogue.service import publish_entries
from avhopp.directory.catalogue.vocabulary import AreaKind, Intervention, OperationType, TargetGroup
from tests.directory.conftest import COORDINATOR, KC, organization, service
from tests.directory.strategies import municipality_codes, organizations, services, situations

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy import Engine

    from avhopp.directory.catalogue.eligibility import Assessment
    from avhopp.directory.catalogue.entry import OrganizationEntry, ServiceEntry
    from tests.directory.conftest import Tenants

TODAY = date(2026, 11, 21)
_ORDER = {Verdict.ELIGIBLE: 0, Verdict.CONDITIONAL: 1, Verdict.NOT_ELIGIBLE: 2}
_TEXTS = ("", "", "skydd", "kriminell grupp", "samtal -skydd", "socialtjänsten")
_CANDIDATES = """
SELECT s.document::text, o.document::text,
       CASE WHEN :text = '' THEN 0::real ELSE ts_rank_cd(s.search, websearch_to_tsquery('swedish', :text)) END
FROM {service} s JOIN {organization} o ON o.id = s.organization_id
WHERE :text = '' OR s.search @@ websearch_to_tsquery('swedish', :text)
"""

Hit = tuple["ServiceEntry", "OrganizationEntry", "Assessment | None", float]


def _municipal_catchment(codes: list[str]) -> tuple[Area, ...]:
    return tuple(Area(AreaKind.MUNICIPALITY, code) for code in dict.fromkeys(codes))


@st.composite
def _batches(draw: st.DrawFn) -> tuple[OrganizationEntry, list[ServiceEntry]]:
    """An organisation and its services; some are a municipality's social services, alike but for the place."""
    owner = draw(organizations())
    entries = draw(st.lists(services(), min_size=3, max_size=12))
    alike = draw(st.integers(0, 4))
    entries += [
        msgspec.structs.replace(
            draw(services()),
            name=f"Socialtjänsten, {draw(st.sampled_from(('Alingsås', 'Borås', 'Åre', 'Ystad')))} kommun {n}",
            description="Socialtjänsten i kommunen stöder den som vill lämna en kriminell grupp.",
            catchment=_municipal_catchment(draw(st.lists(municipality_codes(), min_size=1, max_size=2))),
        )
        for n in range(alike)
    ]
    return owner, [msgspec.structs.replace(entry, organization_id=owner.id) for entry in entries]


def _closed_only_by_residence(assessment: Assessment | None) -> bool:
    if assessment is None or assessment.verdict is not Verdict.NOT_ELIGIBLE:
        return False
    return [reason.message for reason in assessment.reasons if reason.finding is Finding.UNMET] == [RESIDENCE_UNMET]


def _grouped(hits: list[Hit]) -> tuple[list[Hit], tuple[ClosedGroup, ...]]:
    alike: dict[str, list[Hit]] = {}
    for hit in hits:
        if _closed_only_by_residence(hit[2]):
            alike.setdefault(hit[0].description, []).append(hit)
    groups: list[ClosedGroup] = []
    grouped: set[UUID] = set()
    for members in alike.values():
        # Named as the search names a group: what the oracle checks is which services form one.
        name = _shared_name([member[0].name for member in members])
        if len(members) == 1 or not name:
            continue
        municipal = all(area.kind is AreaKind.MUNICIPALITY for member in members for area in member[0].catchment)
        groups.append(ClosedGroup(name, len(members), municipalities=municipal))
        grouped.update(member[0].id for member in members)
    return [hit for hit in hits if hit[0].id not in grouped], tuple(groups)


def _facets(hits: list[Hit]) -> dict[str, dict[str, int]]:
    counters: dict[str, Counter[str]] = {
        name: Counter() for name in ("verdict", "operation_type", "intervention", "target_group", "funding_rule")
    }
    for entry, owner, assessment, _rank in hits:
        if assessment is not None:
            counters["verdict"][assessment.verdict.value] += 1
        counters["operation_type"][owner.operation_type.value] += 1
        counters["intervention"].update({value.value for value in entry.interventions})
        counters["target_group"].update({value.value for value in entry.target_groups})
        counters["funding_rule"][entry.funding_rule.value] += 1
    return {name: dict(counter) for name, counter in counters.items()}


async def _oracle(tenants: Tenants, query: SearchQuery, *, internal: bool) -> dict[str, Any]:
    """The search as it was: everything decoded and assessed in Python."""
    service, organization = (
        ("directory_service", "directory_organization")
        if internal
        else ("directory_public_service", "directory_public_organization")
    )
    async with tenants.acting(COORDINATOR if internal else None) as session:
        rows = (
            await session.execute(
                text(_CANDIDATES.format(service=service, organization=organization)), {"text": query.text}
            )
        ).all()
    situation: Situation | None = query.situation
    hits: list[Hit] = []
    for service_document, organization_document, rank in rows:
        entry, owner = service_from_document(service_document), organization_from_document(organization_document)
        if situation is None and entry.status.value != "active":
            continue
        if query.operation_types and owner.operation_type not in query.operation_types:
            continue
        if query.interventions and not query.interventions & set(entry.interventions):
            continue
        assessment = None if situation is None else assess(entry, situation)
        if assessment is not None and assessment.verdict is Verdict.NOT_ELIGIBLE and not query.include_not_eligible:
            continue
        hits.append((entry, owner, assessment, float(rank)))
    hits.sort(key=lambda hit: (_ORDER[hit[2].verdict] if hit[2] else 0, -hit[3], hit[0].name, hit[0].id))
    groups: tuple[ClosedGroup, ...] = ()
    if query.group_closed and query.include_not_eligible:
        hits, groups = _grouped(hits)
    start = (query.page - 1) * query.per_page
    return {
        "page": [(hit[0].id, hit[2].verdict if hit[2] else None) for hit in hits[start : start + query.per_page]],
        "total": len(hits),
        "facets": _facets(hits),
        "groups": groups,
    }


async def _searched(tenants: Tenants, query: SearchQuery, *, internal: bool) -> dict[str, Any]:
    async with tenants.acting(COORDINATOR if internal else None) as session:
        result = await search_directory(session, query, TODAY, internal=internal)
    for hit in result.hits:
        assert hit.assessment == (None if query.situation is None else assess(hit.service, query.situation))
    return {
        "page": [(hit.service.id, hit.assessment.verdict if hit.assessment else None) for hit in result.hits],
        "total": result.total,
        "facets": result.facets,
        "groups": result.closed_groups,
    }


_QUERIES = st.builds(
    SearchQuery,
    text=st.sampled_from(_TEXTS),
    situation=st.none() | situations(),
    include_not_eligible=st.booleans(),
    operation_types=st.just(frozenset()) | st.frozensets(st.sampled_from(list(OperationType)), max_size=2),
    interventions=st.just(frozenset()) | st.frozensets(st.sampled_from(list(Intervention)), max_size=2),
    page=st.integers(1, 3),
    per_page=st.sampled_from((1, 5, 20, 50)),
    group_closed=st.booleans(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    batch=_batches(), queries=st.lists(_QUERIES, min_size=2, max_size=4), reader=st.sampled_from(("public", "internal"))
)
async def test_the_sql_search_gives_the_engines_verdicts_order_counts_and_groups(
    tenants: Tenants,
    owner_engine: Engine,
    batch: tuple[OrganizationEntry, list[ServiceEntry]],
    queries: list[SearchQuery],
    reader: str,
) -> None:
    internal = reader == "internal"
    owner, entries = batch
    async with tenants.acting(COORDINATOR) as session:
        await publish_entries(session, [(tenants.ids[KC], owner), *((tenants.ids[KC], entry) for entry in entries)])
    try:
        for query in queries:
            searched = await _searched(tenants, query, internal=internal)
            assert searched == await _oracle(tenants, query, internal=internal)
    finally:
        _unpublish(owner_engine, owner)


@pytest.mark.parametrize("reader", ["public", "internal"])
async def test_a_statement_built_for_one_query_serves_the_next_of_its_shape_with_its_own_values(
    tenants: Tenants, owner_engine: Engine, reader: str
) -> None:
    # Two services apart in every value a statement binds, and two queries of one shape, each of
    # which finds only its own service: a value kept from the first query would lose the second's.
    owner = organization()
    marker = f"zd{uuid.uuid4().hex[:6]}"
    first_group, second_group = list(TargetGroup)[:2]
    entries = [
        service(
            owner,
            description=f"Stöd {marker} {word}.",
            catchment=(Area(AreaKind.MUNICIPALITY, municipality),),
            minimum_age=minimum,
            maximum_age=maximum,
            target_groups=(group,),
            interventions=(need,),
        )
        for word, municipality, minimum, maximum, group, need in (
            ("första", "1480", 18, 30, first_group, Intervention.GUIDANCE),
            ("andra", "0180", 31, 65, second_group, Intervention.RELOCATION),
        )
    ]

    def query(word: str, situation: Situation, page: int) -> SearchQuery:
        return SearchQuery(
            text=f"{marker} {word}", situation=situation, interventions=situation.needs, page=page, per_page=1
        )

    first = Situation("1480", 20, target_group=first_group, needs=frozenset({Intervention.GUIDANCE}))
    second = Situation("0180", 40, target_group=second_group, needs=frozenset({Intervention.RELOCATION}))
    queries = (query("första", first, 1), query("andra", second, 1), query("andra", second, 2))
    internal = reader == "internal"
    assert len({_shape(each) for each in queries}) == 1
    async with tenants.acting(COORDINATOR) as session:
        await publish_entries(session, [(tenants.ids[KC], owner), *((tenants.ids[KC], entry) for entry in entries)])
    try:
        async with tenants.acting(COORDINATOR if internal else None) as session:
            found = [
                [hit.service.id for hit in (await search_directory(session, each, TODAY, internal=internal)).hits]
                for each in queries
            ]
    finally:
        _unpublish(owner_engine, owner)
    assert found == [[entries[0].id], [entries[1].id], []]


def _unpublish(owner_engine: Engine, owner: OrganizationEntry) -> None:
    """Take the generated entries away again: the other tests' searches share this database."""
    with owner_engine.begin() as connection:
        connection.execute(text("DELETE FROM directory_service WHERE organization_id = :id"), {"id": owner.id})
        gone = connection.execute(text("DELETE FROM directory_organization WHERE id = :id"), {"id": owner.id})
        assert gone.rowcount == 1


async def test_a_value_given_twice_counts_its_service_once(tenants: Tenants, owner_engine: Engine) -> None:
    owner = organization()
    marker = f"zd{uuid.uuid4().hex[:6]}"
    entry = service(
        owner,
        description=f"Stöd {marker}.",
        interventions=(Intervention.GUIDANCE, Intervention.GUIDANCE),
        target_groups=(TargetGroup.MC_GANG, TargetGroup.MC_GANG),
    )
    async with tenants.acting(COORDINATOR) as session:
        await publish_entries(session, [(tenants.ids[KC], owner), (tenants.ids[KC], entry)])
    async with tenants.acting(None) as session:
        result = await search_directory(session, SearchQuery(text=marker), TODAY)
    _unpublish(owner_engine, owner)
    assert result.total == 1
    assert result.facets["intervention"] == {Intervention.GUIDANCE.value: 1}
    assert result.facets["target_group"] == {TargetGroup.MC_GANG.value: 1}
