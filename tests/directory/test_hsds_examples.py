"""Rich directory entries and Hypothesis strategies for the HSDS tests, and checks that they are valid.

The examples together use every value of every vocabulary, internal and public phones, several
kinds of area, schedules with and without seconds, a location shared by two services and one
with a partial address, and text that needs CSV quoting. The strategies draw only entries that
`validate_organization`/`validate_service` accept, so that a package read can succeed.
"""

from __future__ import annotations

from datetime import date, time
from typing import TypeVar
from uuid import UUID

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from avhopp.directory.catalogue.entry import (
    Area,
    Contact,
    Location,
    OpeningHours,
    OrganizationEntry,
    Phone,
    ServiceEntry,
    validate_organization,
    validate_service,
)
from avhopp.directory.catalogue.hsds.package import PackageOrganization
from avhopp.directory.catalogue.vocabulary import (
    AreaKind,
    CapacityStatus,
    ContactChannel,
    DrugPolicy,
    FundingRule,
    Intervention,
    OperationType,
    ServiceStatus,
    TargetGroup,
    ThreatRequirement,
    Weekday,
)
from avhopp.platform.geography.reference import shipped_geography

PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _id(number: int) -> UUID:
    return UUID(int=number)


ORG_A = OrganizationEntry(
    id=_id(1),
    name="Avhopparverksamheten i Göteborg",
    description='Kommunal verksamhet för den som vill lämna en kriminell grupp; "Exit-spåret", sedan 2014.',
    operation_type=OperationType.AUTHORITY,
    alternate_name="Avhopparverksamheten",
    website="https://goteborg.se/avhopp",
    email="avhopp@goteborg.se",
    organization_number="212000-1355",
)
ORG_B = OrganizationEntry(
    id=_id(2),
    name="Föreningen Nytt Liv",
    description="Ideell förening som stöder avhoppare och anhöriga.",
    operation_type=OperationType.NON_AUTHORITY,
)
ORG_C = OrganizationEntry(
    id=_id(3),
    name="Socialtjänsten i Malmö",
    description="Ordinarie socialtjänst.",
    operation_type=OperationType.PUBLIC_ACTOR,
    organization_number="212000-1124",
)

SHARED_LOCATION = Location(
    id=_id(101),
    name="Mottagningen vid Järntorget",
    municipality_code="1480",
    address="Järntorget 4, plan 2",
    postal_code="413 04",
    city="Göteborg",
    description='Ingång från gården, ring på "Mottagning".\nHiss finns.',
)
PARTIAL_LOCATION = Location(id=_id(102), name="Träffpunkt i Malmö", municipality_code="1280", city="Malmö")

SERVICE_A1 = ServiceEntry(
    id=_id(11),
    organization_id=ORG_A.id,
    name="Avhopparprogrammet",
    description="Stöd, skydd och boende för den som vill lämna en kriminell grupp.",
    catchment=(
        Area(AreaKind.MUNICIPALITY, "1480"),
        Area(AreaKind.COUNTY, "14"),
        Area(AreaKind.POLICE_REGION, "vast"),
        Area(AreaKind.MUNICIPALITY, "1280"),
    ),
    status=ServiceStatus.TEMPORARILY_CLOSED,
    alternate_name="Programmet",
    url="https://goteborg.se/avhopp/program",
    email="program@goteborg.se",
    threat_requirement=ThreatRequirement.POLICE_CONFIRMED,
    police_report_required=True,
    accepts_serious_threat=True,
    reaches_custody=True,
    minimum_age=18,
    maximum_age=29,
    drug_policy=DrugPolicy.WORKING_TOWARDS,
    target_groups=tuple(TargetGroup),
    interventions=tuple(reversed(Intervention)),
    funding_rule=FundingRule.HOME_MUNICIPALITY_PAYS,
    channels=(ContactChannel.VISIT, ContactChannel.PHONE, ContactChannel.TEXT_MESSAGE),
    anonymous_contact=True,
    capacity=CapacityStatus.LIMITED,
    languages=("sv", "ar", "so", "smj"),
    eligibility_description="Du ska vara 18–29 år och vilja lämna gruppen, med en hotbild som polisen bekräftat.",
    application_process="Ring oss, eller be socialtjänsten i din kommun att kontakta oss.",
    phones=(
        Phone(id=_id(201), number="031-365 00 00", description="Mottagningen, vardagar"),
        Phone(id=_id(202), number="+46 70 123 45 67", description="Jour för polis och socialtjänst", public=False),
    ),
    contacts=(
        Contact(id=_id(301), title="Mottagningen", department="Socialförvaltningen", email="mottagning@goteborg.se"),
        Contact(id=_id(302), title="Samordnare"),
    ),
    opening_hours=(
        OpeningHours(
            id=_id(401),
            days=(Weekday.MO, Weekday.TU, Weekday.WE, Weekday.TH, Weekday.FR),
            opens_at=time(8, 0),
            closes_at=time(16, 30),
            note="Stängt vid storhelger.",
        ),
        OpeningHours(id=_id(402), days=(Weekday.SA,), opens_at=time(10, 0, 30), closes_at=time(12, 15, 0, 500)),
    ),
    locations=(SHARED_LOCATION, PARTIAL_LOCATION),
    verified_on=date(2026, 3, 1),
    source_note='Kartläggningen 2014, kompletterad av länsstyrelsen; uppgifterna är "preliminära".',
)
SERVICE_A2 = ServiceEntry(
    id=_id(12),
    organization_id=ORG_A.id,
    name="Rådgivning för anhöriga",
    description="Samtal för anhöriga.",
    catchment=(Area(AreaKind.COUNTRY),),
    threat_requirement=ThreatRequirement.THREAT,
    drug_policy=DrugPolicy.DRUG_FREE,
    target_groups=(TargetGroup.RELATIVES,),
    interventions=(Intervention.CONVERSATIONAL_SUPPORT,),
    channels=(ContactChannel.CHAT, ContactChannel.EMAIL),
    capacity=CapacityStatus.FULL,
    languages=(),
    locations=(SHARED_LOCATION,),
    phones=(Phone(id=_id(203), number="020-22 00 60", public=False),),
)
SERVICE_B1 = ServiceEntry(
    id=_id(21),
    organization_id=ORG_B.id,
    name="Stödlinjen",
    description="Telefonstöd för den som funderar på att lämna.",
    catchment=(Area(AreaKind.COUNTRY),),
    status=ServiceStatus.INACTIVE,
    capacity=CapacityStatus.OPEN,
    minimum_age=0,
)
SERVICE_C1 = ServiceEntry(
    id=_id(31),
    organization_id=ORG_C.id,
    name="Boendestöd",
    description="Stödboende.",
    catchment=(Area(AreaKind.MUNICIPALITY, "1280"), Area(AreaKind.POLICE_REGION, "syd")),
    status=ServiceStatus.DEFUNCT,
    maximum_age=120,
    interventions=(Intervention.SUPPORTED_HOUSING, Intervention.EMERGENCY_HOUSING),
)

CATALOGUE = (
    PackageOrganization("kommun-1480", ORG_A, (SERVICE_A1, SERVICE_A2)),
    PackageOrganization("nytt-liv", ORG_B, (SERVICE_B1,)),
    PackageOrganization("kommun-1280", ORG_C, (SERVICE_C1,)),
)
ORGANIZATIONS = {item.organization.id: item.organization for item in CATALOGUE}
SERVICES = tuple(service for item in CATALOGUE for service in item.services)


# Strategies ------------------------------------------------------------------------------------

_GEOGRAPHY = shipped_geography()
_MUNICIPALITIES = tuple(sorted(m.code for m in _GEOGRAPHY.municipalities))
# Letters from Swedish and beyond, punctuation that CSV must quote, line breaks, and what a
# spreadsheet would read as the start of a formula (the export neutralises it, the import restores it).
_TEXT = st.text(st.characters(categories=("L", "N", "P", "Zs")) | st.sampled_from(",\"\n\r;=+-@\t'"), max_size=40)
_NAME = _TEXT.filter(str.strip)


T = TypeVar("T")


def _enum_tuples(values: list[T]) -> st.SearchStrategy[tuple[T, ...]]:
    return st.lists(st.sampled_from(values), max_size=len(values)).map(tuple)


def areas() -> st.SearchStrategy[Area]:
    """Any valid catchment area."""
    return st.one_of(
        st.just(Area(AreaKind.COUNTRY)),
        st.builds(Area, kind=st.just(AreaKind.COUNTY), code=st.sampled_from([c.code for c in _GEOGRAPHY.counties])),
        st.builds(Area, kind=st.just(AreaKind.MUNICIPALITY), code=st.sampled_from(_MUNICIPALITIES)),
        st.builds(Area, kind=st.just(AreaKind.POLICE_REGION), code=st.sampled_from(sorted(_GEOGRAPHY.police_regions))),
    )


@st.composite
def opening_hours(draw: st.DrawFn) -> OpeningHours:
    """Hours on at least one day that open before they close."""
    opens, closes = sorted(draw(st.lists(st.times(), min_size=2, max_size=2, unique=True)))
    return OpeningHours(
        id=draw(st.uuids()),
        days=draw(st.lists(st.sampled_from(list(Weekday)), min_size=1, max_size=9).map(tuple)),
        opens_at=opens,
        closes_at=closes,
        note=draw(_TEXT),
    )


def locations() -> st.SearchStrategy[Location]:
    """A location in a known municipality, its address parts each perhaps empty."""
    return st.builds(
        Location,
        id=st.uuids(),
        name=_NAME,
        municipality_code=st.sampled_from(_MUNICIPALITIES),
        address=_TEXT,
        postal_code=st.sampled_from(("", "411 04", "98131")),
        city=_TEXT,
        description=_TEXT,
    )


_PHONES = st.builds(
    Phone,
    id=st.uuids(),
    number=st.from_regex(r"\+?[0-9][0-9 -]{4,12}[0-9]", fullmatch=True),
    description=_TEXT,
    public=st.booleans(),
)
_EMAILS = st.just("") | st.from_regex(r"[a-z][a-z.]{0,10}@[a-z]{1,10}\.(se|nu|org)", fullmatch=True)
_CONTACTS = st.builds(Contact, id=st.uuids(), title=_NAME, department=_TEXT, email=_EMAILS)


@st.composite
def ages(draw: st.DrawFn) -> tuple[int | None, int | None]:
    """A valid (minimum_age, maximum_age)."""
    low = draw(st.none() | st.integers(0, 120))
    high = draw(st.none() | st.integers(low or 0, 120))
    return low, high


@st.composite
def services(draw: st.DrawFn, organization_id: UUID) -> ServiceEntry:
    """A valid service of `organization_id` with every field drawn."""
    low, high = draw(ages())
    return ServiceEntry(
        id=draw(st.uuids()),
        organization_id=organization_id,
        name=draw(_NAME),
        description=draw(_NAME),
        catchment=tuple(draw(st.lists(areas(), min_size=1, max_size=4))),
        status=draw(st.sampled_from(list(ServiceStatus))),
        alternate_name=draw(_TEXT),
        url=draw(st.just("") | st.from_regex(r"https://[a-z]{1,12}\.se(/[a-z0-9-]{0,12})?", fullmatch=True)),
        email=draw(_EMAILS),
        threat_requirement=draw(st.sampled_from(list(ThreatRequirement))),
        police_report_required=draw(st.booleans()),
        accepts_serious_threat=draw(st.booleans()),
        reaches_custody=draw(st.booleans()),
        minimum_age=low,
        maximum_age=high,
        drug_policy=draw(st.sampled_from(list(DrugPolicy))),
        target_groups=draw(_enum_tuples(list(TargetGroup))),
        interventions=draw(_enum_tuples(list(Intervention))),
        funding_rule=draw(st.sampled_from(list(FundingRule))),
        channels=draw(_enum_tuples(list(ContactChannel))),
        anonymous_contact=draw(st.booleans()),
        capacity=draw(st.sampled_from(list(CapacityStatus))),
        languages=tuple(draw(st.lists(st.sampled_from(("sv", "en", "ar", "so", "fi", "smj", "rom")), max_size=4))),
        eligibility_description=draw(_TEXT),
        application_process=draw(_TEXT),
        phones=tuple(draw(st.lists(_PHONES, max_size=3, unique_by=lambda phone: phone.id))),
        contacts=tuple(draw(st.lists(_CONTACTS, max_size=2))),
        opening_hours=tuple(draw(st.lists(opening_hours(), max_size=2))),
        locations=tuple(draw(st.lists(locations(), max_size=2, unique_by=lambda location: location.id))),
        verified_on=draw(st.none() | st.dates(min_value=date(2014, 1, 1), max_value=date(2030, 12, 31))),
        source_note=draw(_TEXT),
    )


def organizations() -> st.SearchStrategy[OrganizationEntry]:
    """A valid organisation with every field drawn."""
    return st.builds(
        OrganizationEntry,
        id=st.uuids(),
        name=_NAME,
        description=_NAME,
        operation_type=st.sampled_from(list(OperationType)),
        alternate_name=_TEXT,
        website=st.just("") | st.just("https://example.se/stod"),
        email=_EMAILS,
        organization_number=st.just("") | st.from_regex(r"[0-9]{6}-[0-9]{4}", fullmatch=True),
    )


@st.composite
def catalogue_items(draw: st.DrawFn) -> PackageOrganization:
    """An organisation with up to three valid services and an owner."""
    organization = draw(organizations())
    owned = tuple(draw(st.lists(services(organization.id), max_size=3, unique_by=lambda service: service.id)))
    return PackageOrganization(draw(st.from_regex(r"[a-z][a-z0-9-]{2,20}", fullmatch=True)), organization, owned)


def test_examples_are_valid_entries() -> None:
    for item in CATALOGUE:
        assert validate_organization(item.organization) == []
        for service in item.services:
            assert service.organization_id == item.organization.id
            assert validate_service(service) == []


def test_examples_use_every_vocabulary_value() -> None:
    used: set[object] = {org.operation_type for org in ORGANIZATIONS.values()}
    for service in SERVICES:
        used |= {service.status, service.threat_requirement, service.drug_policy, service.funding_rule}
        used |= {service.capacity, *service.target_groups, *service.interventions, *service.channels}
    every = (OperationType, ServiceStatus, ThreatRequirement, DrugPolicy, FundingRule, CapacityStatus)
    for vocabulary in (*every, TargetGroup, Intervention):
        assert {(type(v), v) for v in vocabulary} <= {(type(v), v) for v in used}, vocabulary
    assert {(type(v), v) for v in ContactChannel} <= {(type(v), v) for v in used}
    assert any(not phone.public for service in SERVICES for phone in service.phones)
