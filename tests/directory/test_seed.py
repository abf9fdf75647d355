"""The seed catalogue: valid, stable, complete, and nothing in it that the sources do not say."""

from __future__ import annotations

import os
import re
from pathlib import Path
from uuid import UUID, uuid5

import pytest

from avhopp.directory.catalogue.entry import (
    ServiceEntry,
    catchment_municipalities,
    validate_organization,
    validate_service,
    whole_country,
)
from avhopp.directory.catalogue.seed import (
    SEED_NAMESPACE,
    SURVEY_NOTE,
    SeedOrganization,
    seed_catalogue,
    seed_organization_id,
    seed_service_id,
)
from avhopp.directory.catalogue.vocabulary import (
    AreaKind,
    FundingRule,
    Intervention,
    OperationType,
    TargetGroup,
    ThreatRequirement,
)
from avhopp.platform.geography.reference import shipped_geography
from avhopp.tenants.registry.provisioning import demo_tenants, geographic_tenants, municipality_organisation_name

SURVEY_OPERATIONS = (
    "polisen-stockholm",
    "polisen-bergslagen",
    "kc-goteborg",
    "konsultationsteamet-malmo",
    "exit",
    "passus",
    "easas",
    "kris-halmstad",
    "x-cons",
)
NON_AUTHORITY = ("exit", "passus", "easas", "kris-halmstad", "x-cons")

# Every phone number and e-mail address the seed may hold, with the source file that prints it.
PRINTED_IN_SOURCES = {
    "020-50 80 80": "goteborg-avhopparverksamhet.txt",
    "031-365 00 00": "goteborg-gvi.txt",
    "031-365 87 00": "goteborg-gvi.txt",
    "114 14": "goteborg-gvi.txt",
    "kunskapscentrum@stadshuset.goteborg.se": "goteborg-avhopparverksamhet.txt",
}


def _sources_folder() -> Path | None:
    """The domain sources (outside the repository): AVHOPP_DOMAIN_SOURCES, or the shared folder."""
    configured = os.environ.get("AVHOPP_DOMAIN_SOURCES")
    folder = Path(configured) if configured else Path(__file__).resolve().parents[3] / "shared/domain/sources"
    return folder if folder.is_dir() else None


def _all_services() -> list[ServiceEntry]:
    return [service for item in seed_catalogue() for service in item.services]


def _service(key: str) -> ServiceEntry:
    return next(service for service in _all_services() if service.id == seed_service_id(key))


def _item_of(key: str) -> SeedOrganization:
    return next(item for item in seed_catalogue() if any(s.id == seed_service_id(key) for s in item.services))


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def test_every_entry_passes_the_directory_gate() -> None:
    for item in seed_catalogue():
        assert validate_organization(item.organization) == [], item.organization.name
        for service in item.services:
            assert validate_service(service) == [], service.name


def test_the_catalogue_is_cached_and_the_same_after_a_rebuild() -> None:
    first = seed_catalogue()
    assert seed_catalogue() is first
    seed_catalogue.cache_clear()
    assert seed_catalogue() == first


def test_ids_are_unique_across_every_kind_of_entry() -> None:
    ids: list[UUID] = []
    for item in seed_catalogue():
        ids.append(item.organization.id)
        for service in item.services:
            ids.append(service.id)
            ids.extend(child.id for child in service.phones)
            ids.extend(child.id for child in service.contacts)
            ids.extend(child.id for child in service.opening_hours)
            ids.extend(child.id for child in service.locations)
    assert len(ids) == len(set(ids))


def test_ids_are_uuid5_of_the_fixed_namespace_so_reseeding_is_idempotent() -> None:
    # Pinned: changing the namespace or the key scheme would orphan every seeded row.
    assert UUID("5b0f4c36-8d0e-4d0a-9a51-3f0c2b7e6a19") == SEED_NAMESPACE
    assert seed_service_id("kc-goteborg") == uuid5(SEED_NAMESPACE, "service:kc-goteborg")
    assert seed_organization_id("kommun-1480") == uuid5(SEED_NAMESPACE, "organization:kommun-1480")
    goteborg = _service("socialtjanst-1480")
    assert [phone.id for phone in goteborg.phones] == [
        uuid5(SEED_NAMESPACE, "phone:socialtjanst-1480:0"),
        uuid5(SEED_NAMESPACE, "phone:socialtjanst-1480:1"),
    ]


def test_every_service_belongs_to_the_organisation_it_is_listed_under() -> None:
    organization_ids = [item.organization.id for item in seed_catalogue()]
    assert len(organization_ids) == len(set(organization_ids))
    for item in seed_catalogue():
        assert item.services, item.organization.name
        assert all(service.organization_id == item.organization.id for service in item.services)


def test_owners_are_demo_tenants_the_coordinator_or_municipalities() -> None:
    slugs = {spec.slug for spec in demo_tenants()} | {spec.slug for spec in geographic_tenants()}
    assert "bra" in slugs
    for item in seed_catalogue():
        assert item.owner_slug in slugs, item.owner_slug
        assert not item.owner_slug.startswith("lansstyrelsen-")


@pytest.mark.parametrize(
    ("key", "owner"),
    [
        ("kc-goteborg", "kc-goteborg"),
        ("konsultationsteamet-malmo", "konsultationsteamet-malmo"),
        ("polisen-bergslagen", "polisen-bergslagen"),
        ("passus", "passus"),
        ("polisen-stockholm", "bra"),
        ("exit", "bra"),
        ("easas", "bra"),
        ("kris-halmstad", "bra"),
        ("x-cons", "bra"),
        ("kriminalvarden", "bra"),
        ("personsakerhet-vast", "bra"),
        ("socialtjanst-1480", "kommun-1480"),
    ],
)
def test_each_entry_is_owned_by_its_own_tenant_where_one_exists(key: str, owner: str) -> None:
    assert _item_of(key).owner_slug == owner


def test_every_entry_is_unverified_and_says_where_its_facts_come_from() -> None:
    for service in _all_services():
        assert service.verified_on is None
        if service.id == seed_service_id("stodlinjen"):
            # The guidance line is a proposal: its entry says it is a demo, not a fact from 2014.
            assert service.source_note.startswith("Demo:")
            continue
        assert "Brå" in service.source_note
        assert "bekräftas" in service.source_note
    assert _service("polisen-stockholm").source_note == SURVEY_NOTE


def test_there_is_a_social_services_entry_for_each_of_the_290_municipalities() -> None:
    municipalities = shipped_geography().municipalities
    assert len(municipalities) == 290
    for municipality in municipalities:
        item = _item_of(f"socialtjanst-{municipality.code}")
        service = item.services[0]
        assert item.owner_slug == f"kommun-{municipality.code}"
        assert item.organization.id == seed_organization_id(f"kommun-{municipality.code}")
        assert item.organization.name == municipality_organisation_name(municipality.code, municipality.name)
        assert item.organization.operation_type is OperationType.PUBLIC_ACTOR
        assert catchment_municipalities(service.catchment) == {municipality.code}
        assert service.minimum_age is None
        assert service.anonymous_contact
        assert service.funding_rule is FundingRule.FREE
        assert {
            Intervention.GUIDANCE,
            Intervention.CONTACT_PERSON,
            Intervention.CONVERSATIONAL_SUPPORT,
            Intervention.FINANCIAL_AID,
            Intervention.ADDICTION_CARE,
            Intervention.EMERGENCY_HOUSING,
            Intervention.RELOCATION,
            Intervention.FAMILY_SUPPORT,
            Intervention.PRACTICAL_SUPPORT,
        } <= set(service.interventions)
    social = [s for s in _all_services() if s.name.startswith("Socialtjänsten, ")]
    assert len(social) == 290


def test_each_police_region_has_a_personal_security_unit_without_an_age_limit() -> None:
    for code in shipped_geography().police_regions:
        item = _item_of(f"personsakerhet-{code}")
        service = item.services[0]
        assert item.organization.operation_type is OperationType.PUBLIC_ACTOR
        assert [(area.kind, area.code) for area in service.catchment] == [(AreaKind.POLICE_REGION, code)]
        assert service.minimum_age is None
        assert service.accepts_serious_threat
        assert {Intervention.THREAT_ASSESSMENT, Intervention.PROTECTION} <= set(service.interventions)


def test_the_nine_operations_of_the_survey_are_there() -> None:
    for key in SURVEY_OPERATIONS:
        service = _service(key)
        assert service.source_note.startswith("Uppgifter från Brås kartläggning (rapport 2016:6), läget 2014")


@pytest.mark.parametrize(
    ("key", "counties"),
    [("polisen-stockholm", {"01", "09"}), ("polisen-bergslagen", {"17", "18", "20"})],
)
def test_the_police_programmes_take_the_residents_of_their_counties(key: str, counties: set[str]) -> None:
    service = _service(key)
    expected = {m.code for m in shipped_geography().municipalities if m.county_code in counties}
    assert catchment_municipalities(service.catchment) == expected
    assert _item_of(key).organization.operation_type is OperationType.AUTHORITY
    assert service.minimum_age == 18
    assert service.threat_requirement is ThreatRequirement.NONE
    assert service.accepts_serious_threat
    assert service.funding_rule is FundingRule.FREE
    assert {
        Intervention.THREAT_ASSESSMENT,
        Intervention.PROTECTION,
        Intervention.EMERGENCY_HOUSING,
        Intervention.CONTACT_PERSON,
        Intervention.PRACTICAL_SUPPORT,
    } <= set(service.interventions)


@pytest.mark.parametrize(
    ("key", "municipality", "threat"),
    [
        ("kc-goteborg", "1480", ThreatRequirement.NONE),
        ("konsultationsteamet-malmo", "1280", ThreatRequirement.POLICE_CONFIRMED),
    ],
)
def test_the_city_programmes_take_the_residents_of_their_city(
    key: str, municipality: str, threat: ThreatRequirement
) -> None:
    service = _service(key)
    assert catchment_municipalities(service.catchment) == {municipality}
    assert _item_of(key).organization.operation_type is OperationType.AUTHORITY
    assert service.threat_requirement is threat
    assert service.accepts_serious_threat
    assert service.funding_rule is FundingRule.FREE


def test_goteborgs_line_answers_weekdays_nine_to_three_and_allows_anonymous_advice() -> None:
    service = _service("kc-goteborg")
    assert [phone.number for phone in service.phones] == ["020-50 80 80"]
    assert [(h.opens_at.hour, h.closes_at.hour, len(h.days)) for h in service.opening_hours] == [(9, 15, 5)]
    assert service.anonymous_contact
    assert service.minimum_age == 18


@pytest.mark.parametrize("key", NON_AUTHORITY)
def test_non_authority_operations_take_the_whole_country_if_the_home_municipality_pays(key: str) -> None:
    service = _service(key)
    assert _item_of(key).organization.operation_type is OperationType.NON_AUTHORITY
    assert whole_country(service)
    assert service.funding_rule is FundingRule.HOME_MUNICIPALITY_PAYS
    assert not service.accepts_serious_threat


def test_exit_and_passus_split_the_groups_between_them() -> None:
    assert _service("exit").target_groups == (TargetGroup.WHITE_POWER,)
    assert TargetGroup.WHITE_POWER not in _service("passus").target_groups
    assert TargetGroup.OTHER_CRIMINAL_GROUP in _service("passus").target_groups


def test_kris_offers_supported_housing_and_kriminalvarden_reaches_custody() -> None:
    kris = _service("kris-halmstad")
    assert {Intervention.SUPPORTED_HOUSING, Intervention.CONTACT_PERSON, Intervention.OCCUPATION} <= set(
        kris.interventions
    )
    assert {Intervention.SOCIAL_NETWORK} <= set(kris.interventions)
    kriminalvarden = _service("kriminalvarden")
    assert kriminalvarden.reaches_custody
    assert whole_country(kriminalvarden)
    assert _item_of("kriminalvarden").organization.operation_type is OperationType.PUBLIC_ACTOR


def test_the_little_known_x_cons_entry_stays_sparse() -> None:
    service = _service("x-cons")
    assert service.phones == ()
    assert service.opening_hours == ()
    assert service.capacity.value == "unknown"


def test_no_seeded_location_holds_an_address() -> None:
    # None is printed in the sources; and a location must never point at protected housing.
    for service in _all_services():
        for location in service.locations:
            assert (location.address, location.postal_code) == ("", ""), service.name


def fictional(digits: str) -> bool:
    """A mobile number from the range PTS keeps for fiction (070-174 06 05 to 070-174 06 99): it calls no one."""
    return digits.startswith("0701740") and 605 <= int(digits[-3:]) <= 699


def test_every_phone_number_and_email_in_the_seed_is_one_printed_in_the_sources() -> None:
    # The demo guidance line's number is the one exception: fictional, so that the public page shows a number.
    allowed_numbers = {_digits(text) for text in PRINTED_IN_SOURCES if "@" not in text} | {
        _digits(phone.number) for phone in _service("stodlinjen").phones if fictional(_digits(phone.number))
    }
    allowed_emails = {text for text in PRINTED_IN_SOURCES if "@" in text}
    for item in seed_catalogue():
        assert item.organization.email in {"", *allowed_emails}
        for service in item.services:
            assert all(_digits(phone.number) in allowed_numbers for phone in service.phones), service.name
            assert service.email in {"", *allowed_emails}
            assert all(contact.email in {"", *allowed_emails} for contact in service.contacts)


def test_the_allowed_numbers_and_emails_are_literally_in_the_sources() -> None:
    folder = _sources_folder()
    if folder is None:
        pytest.skip("the domain sources are not on this machine (set AVHOPP_DOMAIN_SOURCES)")
    for text, name in PRINTED_IN_SOURCES.items():
        assert text in (folder / name).read_text(encoding="utf-8"), (text, name)


def test_no_seed_number_is_absent_from_the_sources_by_digits() -> None:
    folder = _sources_folder()
    if folder is None:
        pytest.skip("the domain sources are not on this machine (set AVHOPP_DOMAIN_SOURCES)")
    printed = {
        _digits(match)
        for source in sorted(folder.glob("*.txt"))
        for match in re.findall(r"\+?\d[\d -]{3,}\d", source.read_text(encoding="utf-8"))
    }
    for service in _all_services():
        for phone in service.phones:
            digits = _digits(phone.number)
            # The demo line's fictional number is the one exception, as in the test above.
            assert digits in printed or (service.id == seed_service_id("stodlinjen") and fictional(digits)), (
                service.name,
                phone.number,
            )


def _runs_of_words(text: str, length: int = 8) -> set[str]:
    words = text.split()
    return {" ".join(words[i : i + length]) for i in range(len(words) - length + 1)}


def test_the_seed_is_written_in_our_own_words() -> None:
    """No run of eight words in the seed's texts is copied from the sources."""
    folder = _sources_folder()
    if folder is None:
        pytest.skip("the domain sources are not on this machine (set AVHOPP_DOMAIN_SOURCES)")
    sources = set().union(*(_runs_of_words(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))))
    texts = {item.organization.description for item in seed_catalogue()}
    for service in _all_services():
        texts |= {service.description, service.eligibility_description, service.application_process}
    for text in texts:
        assert not _runs_of_words(text) & sources, text
