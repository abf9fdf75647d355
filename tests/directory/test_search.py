"""Search: Swedish full text, the eligibility filter that agrees with the engine, facets and pages."""

from __future__ import annotations

import random
import uuid
from datetime import date
from typing import TYPE_CHECKING

import pytest

from avhopp.directory.catalogue.eligibility import Situation, Verdict, assess
from avhopp.directory.catalogue.entry import Area
from avhopp.directory.catalogue.search import (
    SearchQuery,
    search_directory,
)
from avhopp.directory.catalogue.service import publish_organization, publish_service
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
from tests.directory.conftest import COORDINATOR, KC, organization, service

if TYPE_CHECKING:
    from avhopp.directory.catalogue.entry import ServiceEntry
    from tests.directory.conftest import Tenants

# The services published here reach the catalogue's pages too (the closed-service groups count
# municipalities): each test puts the catalogue back as it found it.
pytestmark = pytest.mark.usefixtures("clean_database")

TODAY = date(2026, 11, 21)
# Threat scope, drug use and custody of the pre-filter's situations.
_PLAIN = (ThreatScope.UNKNOWN, SubstanceUse.NONE, CustodyStatus.NEITHER)
_LOCAL_ACTIVE_FREE = (ThreatScope.LOCAL, SubstanceUse.ACTIVE, CustodyStatus.NEITHER)
_LOCAL_TRYING_HELD = (ThreatScope.LOCAL, SubstanceUse.TRYING_TO_STOP, CustodyStatus.IN_CUSTODY)
_REGIONAL_ACTIVE_PROBATION = (ThreatScope.REGIONAL, SubstanceUse.ACTIVE, CustodyStatus.ON_PROBATION)
_NATIONAL_NONE_HELD = (ThreatScope.NATIONAL, SubstanceUse.NONE, CustodyStatus.IN_CUSTODY)


async def publish(tenants: Tenants, *entries: ServiceEntry, operation_type: OperationType | None = None) -> None:
    owner = organization(id=entries[0].organization_id, operation_type=operation_type or OperationType.NON_AUTHORITY)
    async with tenants.acting(COORDINATOR) as session:
        await publish_organization(session, tenants.ids[KC], owner)
        for entry in entries:
            await publish_service(session, tenants.ids[KC], entry)


async def found(tenants: Tenants, query: SearchQuery) -> list[ServiceEntry]:
    async with tenants.acting(None) as session:
        result = await search_directory(session, query, TODAY)
    return [hit.service for hit in result.hits]


async def test_swedish_stemming_finds_inflected_words(tenants: Tenants) -> None:
    marker = f"zq{uuid.uuid4().hex[:6]}"
    owner = organization()
    entry = service(
        owner, name=f"Stödboenden {marker}", description=f"Vi erbjuder stödboenden och arbetsträning. {marker}"
    )
    await publish(tenants, entry)
    hits = await found(tenants, SearchQuery(text=f"stödboende {marker}"))
    assert [hit.id for hit in hits] == [entry.id]
    assert await found(tenants, SearchQuery(text=f"skuldrådgivning {marker}")) == []


async def test_a_name_match_ranks_above_a_description_match(tenants: Tenants) -> None:
    marker = f"zr{uuid.uuid4().hex[:6]}"
    owner = organization()
    in_description = service(owner, name="Alfa", description=f"Verksamheten {marker} finns i beskrivningen.")
    in_name = service(owner, name=f"Omega {marker}", description="Något annat.")
    await publish(tenants, in_description, in_name)
    hits = await found(tenants, SearchQuery(text=marker))
    assert [hit.id for hit in hits] == [in_name.id, in_description.id]


async def test_the_eligibility_filter_drops_only_what_the_engine_refuses(tenants: Tenants) -> None:
    """Varied services and situations: the filtered search equals the engine's verdicts on everything."""
    marker = f"zs{uuid.uuid4().hex[:6]}"
    owner = organization()
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    areas = [
        (Area(AreaKind.COUNTRY),),
        (Area(AreaKind.MUNICIPALITY, "1480"),),
        (Area(AreaKind.COUNTY, "14"), Area(AreaKind.MUNICIPALITY, "1280")),
        (Area(AreaKind.POLICE_REGION, "bergslagen"),),
    ]
    entries = [
        service(
            owner,
            name=f"Tjänst {index} {marker}",
            catchment=rng.choice(areas),
            minimum_age=rng.choice([None, 15, 18]),
            maximum_age=rng.choice([None, 25, 65]),
            target_groups=tuple(rng.sample(list(TargetGroup), rng.randint(0, 2))),
            threat_requirement=rng.choice(list(ThreatRequirement)),
            funding_rule=rng.choice(list(FundingRule)),
            **rng.choice(
                [{"accepts_serious_threat": True}, {"accepts_local_serious_threat": True}, {}],
            ),
            drug_policy=rng.choice(list(DrugPolicy)),
            custody_only=rng.random() < 0.2,
            reaches_custody=rng.random() < 0.5,
            status=rng.choice([ServiceStatus.ACTIVE] * 4 + [ServiceStatus.INACTIVE]),
            interventions=tuple(rng.sample(list(Intervention), rng.randint(1, 4))),
        )
        for index in range(50)
    ]
    await publish(tenants, *entries)
    situations = [
        Situation(
            home_municipality_code=code,
            age=age,
            threat_level=threat,
            police_confirmed_threat=confirmed,
            target_group=group,
            payment=payment,
            needs=frozenset(needs),
            threat_scope=scope,
            substance_use=drugs,
            custody=custody,
        )
        for code, age, threat, confirmed, group, payment, needs, (scope, drugs, custody) in [
            ("1480", 17, ThreatLevel.NONE, False, None, PaymentDecision.NOT_ASKED, (), _PLAIN),
            ("1481", 30, ThreatLevel.LATENT, True, TargetGroup.MC_GANG, PaymentDecision.AGREED, (), _PLAIN),
            ("1280", 19, ThreatLevel.SERIOUS, False, TargetGroup.WHITE_POWER, PaymentDecision.REFUSED, (), _PLAIN),
            ("1880", 45, ThreatLevel.NONE, False, TargetGroup.RELATIVES, PaymentDecision.NOT_ASKED, (), _PLAIN),
            ("2584", 70, ThreatLevel.LATENT, False, None, PaymentDecision.AGREED, (), _PLAIN),
            ("1480", 30, ThreatLevel.SERIOUS, True, None, PaymentDecision.NOT_ASKED, (Intervention.THERAPY,), _PLAIN),
            ("1480", 30, ThreatLevel.NONE, False, None, PaymentDecision.AGREED, (Intervention.CONTACT_PERSON,), _PLAIN),
            ("1480", 30, ThreatLevel.SERIOUS, True, None, PaymentDecision.AGREED, (), _LOCAL_ACTIVE_FREE),
            ("1280", 25, ThreatLevel.SERIOUS, False, None, PaymentDecision.NOT_ASKED, (), _LOCAL_TRYING_HELD),
            ("1880", 40, ThreatLevel.SERIOUS, False, None, PaymentDecision.AGREED, (), _REGIONAL_ACTIVE_PROBATION),
            ("0180", 35, ThreatLevel.LATENT, False, None, PaymentDecision.AGREED, (), _NATIONAL_NONE_HELD),
        ]
    ]
    kept = 0
    for situation in situations:
        expected = {entry.id for entry in entries if assess(entry, situation).verdict is not Verdict.NOT_ELIGIBLE}
        refused = {entry.id for entry in entries} - expected
        assert refused, "each situation should drop some services"
        kept += bool(expected)
        hits = await found(tenants, SearchQuery(text=marker, situation=situation, per_page=50))
        assert {hit.id for hit in hits} == expected, situation
        everything = await found(
            tenants, SearchQuery(text=marker, situation=situation, include_not_eligible=True, per_page=50)
        )
        assert {hit.id for hit in everything} == {entry.id for entry in entries}
    assert kept >= len(situations) - 2, "most situations should keep some services"


async def test_results_come_eligible_first_with_reasons(tenants: Tenants) -> None:
    marker = f"zt{uuid.uuid4().hex[:6]}"
    owner = organization()
    local = service(owner, name=f"Göteborgstjänst {marker}", catchment=(Area(AreaKind.MUNICIPALITY, "1480"),))
    paid = service(owner, name=f"Betald {marker}", funding_rule=FundingRule.HOME_MUNICIPALITY_PAYS)
    free = service(owner, name=f"Fri {marker}")
    await publish(tenants, local, paid, free)
    situation = Situation(home_municipality_code="1481", age=30)
    async with tenants.acting(None) as session:
        result = await search_directory(
            session, SearchQuery(text=marker, situation=situation, include_not_eligible=True), TODAY
        )
    verdicts = [(hit.service.id, hit.assessment.verdict if hit.assessment else None) for hit in result.hits]
    assert verdicts == [
        (free.id, Verdict.ELIGIBLE),
        (paid.id, Verdict.CONDITIONAL),
        (local.id, Verdict.NOT_ELIGIBLE),
    ]
    refused = result.hits[2].assessment
    assert refused is not None
    assert "Mölndal" in refused.reasons[0].text
    assert result.facets["verdict"] == {"eligible": 1, "conditional": 1, "not_eligible": 1}


async def test_pages_and_facets_cover_all_hits(tenants: Tenants) -> None:
    marker = f"zu{uuid.uuid4().hex[:6]}"
    owner = organization()
    entries = [
        service(owner, name=f"Sida {index:02d} {marker}", interventions=(Intervention.THERAPY,)) for index in range(7)
    ]
    await publish(tenants, *entries, operation_type=OperationType.AUTHORITY)
    pages = []
    for page in (1, 2, 3):
        async with tenants.acting(None) as session:
            result = await search_directory(session, SearchQuery(text=marker, page=page, per_page=3), TODAY)
        pages.append([hit.service.name for hit in result.hits])
        assert (result.total, result.pages) == (7, 3)
        assert result.facets["operation_type"] == {"authority": 7}
        assert result.facets["intervention"] == {"therapy": 7}
    assert [name for page in pages for name in page] == sorted(entry.name for entry in entries)
    filtered = await found(tenants, SearchQuery(text=marker, operation_types=frozenset({OperationType.NON_AUTHORITY})))
    assert filtered == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"page": 0}, "page"), ({"per_page": 51}, "per_page"), ({"text": "x" * 201}, "text")],
)
def test_bad_search_input_names_the_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        SearchQuery(**fields)  # type: ignore[arg-type]
    assert refused.value.field == field
