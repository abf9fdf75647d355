"""Directory entries as HSDS JSON: lossless both ways, valid against the schemas, internal data kept apart."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID, uuid4

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from avhopp.directory.catalogue.entry import Area, Location, validate_service
from avhopp.directory.catalogue.hsds.mapping import (
    HsdsMappingError,
    location_to_hsds,
    organization_field_path,
    organization_from_hsds,
    organization_to_hsds,
    service_at_location_to_hsds,
    service_field_path,
    service_from_hsds,
    service_to_hsds,
)
from avhopp.directory.catalogue.hsds.taxonomy import term_of
from avhopp.directory.catalogue.hsds.validation import hsds_problems
from avhopp.directory.catalogue.vocabulary import AreaKind, ContactChannel, TargetGroup, ThreatRequirement
from tests.directory.test_hsds_examples import (
    ORG_A,
    ORG_B,
    ORGANIZATIONS,
    PARTIAL_LOCATION,
    PROPERTIES,
    SERVICE_A1,
    SERVICE_A2,
    SERVICES,
    organizations,
    services,
)

if TYPE_CHECKING:
    from avhopp.directory.catalogue.entry import OrganizationEntry, ServiceEntry


def _hsds(service: ServiceEntry = SERVICE_A1, *, include_internal: bool = True) -> dict[str, Any]:
    # JSON that the tests read by key and index, as Any: its shape is what they assert.
    return service_to_hsds(service, ORGANIZATIONS[service.organization_id], include_internal=include_internal)


def _problem_paths(data: dict[str, Any]) -> set[tuple[str | int, ...]]:
    with pytest.raises(HsdsMappingError) as raised:
        service_from_hsds(data)
    return {problem.path for problem in raised.value.problems}


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_service_round_trip_is_exact(service: ServiceEntry) -> None:
    assert service_from_hsds(_hsds(service)) == service


@pytest.mark.parametrize("org", ORGANIZATIONS.values(), ids=lambda org: org.name)
def test_organization_round_trip_is_exact(org: OrganizationEntry) -> None:
    owned = [service for service in SERVICES if service.organization_id == org.id]
    assert organization_from_hsds(organization_to_hsds(org, owned, include_internal=True)) == org


@pytest.mark.parametrize("include_internal", [True, False])
@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_every_produced_object_validates(service: ServiceEntry, include_internal: bool) -> None:  # noqa: FBT001 - pytest passes it by name
    org = ORGANIZATIONS[service.organization_id]
    owned = [other for other in SERVICES if other.organization_id == org.id]
    assert hsds_problems("service", _hsds(service, include_internal=include_internal)) == []
    assert hsds_problems("organization", organization_to_hsds(org, owned, include_internal=include_internal)) == []
    for location in service.locations:
        assert hsds_problems("location", location_to_hsds(location, org)) == []
        assert hsds_problems("service_at_location", service_at_location_to_hsds(service.id, location, org)) == []


@PROPERTIES
@given(org=organizations(), data=st.data())
def test_drawn_entries_round_trip_and_validate(org: OrganizationEntry, data: st.DataObject) -> None:
    service = data.draw(services(org.id))
    hsds = service_to_hsds(service, org, include_internal=True)
    assert service_from_hsds(hsds) == service
    assert hsds_problems("service", hsds) == []
    organization = organization_to_hsds(org, [service], include_internal=True)
    assert organization_from_hsds(organization) == org
    assert hsds_problems("organization", organization) == []


@PROPERTIES
@given(org=organizations(), data=st.data())
def test_public_output_has_only_public_phones(org: OrganizationEntry, data: st.DataObject) -> None:
    service = data.draw(services(org.id))
    public: dict[str, Any] = service_to_hsds(service, org, include_internal=False)
    assert [phone["id"] for phone in public["phones"]] == [str(p.id) for p in service.phones if p.public]
    assert service_from_hsds(public) == msgspec.structs.replace(
        service, phones=tuple(phone for phone in service.phones if phone.public)
    )


def test_internal_phone_is_marked_and_left_out_of_public_output() -> None:
    internal = next(phone for phone in SERVICE_A1.phones if not phone.public)
    phones = {phone["id"]: phone for phone in _hsds()["phones"]}
    marked = phones[str(internal.id)]["attributes"]
    assert [(a["link_type"], a["taxonomy_term"]["code"]) for a in marked] == [("visibility", "internal")]
    assert str(internal.id) not in {phone["id"] for phone in _hsds(include_internal=False)["phones"]}
    assert all(phone["attributes"] == [] for phone in _hsds(include_internal=False)["phones"])


def test_hsds_fields_carry_what_hsds_has_words_for() -> None:
    hsds = _hsds()
    assert (hsds["status"], hsds["minimum_age"], hsds["maximum_age"]) == ("temporarily closed", 18, 29)
    assert hsds["assured_date"] == "2026-03-01"
    assert hsds["eligibility_description"] == SERVICE_A1.eligibility_description
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in hsds["schedules"]] == [
        ("MO,TU,WE,TH,FR", "08:00", "16:30"),
        ("SA", "10:00:30", "12:15:00.000500"),
    ]
    assert {s["freq"] for s in hsds["schedules"]} == {"WEEKLY"}
    assert [(language["code"], language.get("name")) for language in hsds["languages"]] == [
        ("sv", "svenska"),
        ("ar", "arabiska"),
        ("so", "somaliska"),
        ("smj", "lulesamiska"),
    ]


def test_service_areas_are_named_by_urn_and_in_swedish() -> None:
    areas = [(area["uri"], area["name"], area["extent_type"], area["extent"]) for area in _hsds()["service_areas"]]
    assert areas == [
        ("urn:avhopp:area:municipality:1480", "Göteborg", "text", "Göteborg"),
        ("urn:avhopp:area:county:14", "Västra Götalands län", "text", "Västra Götalands län"),
        ("urn:avhopp:area:police_region:vast", "Polisregion Väst", "text", "Polisregion Väst"),
        ("urn:avhopp:area:municipality:1280", "Malmö", "text", "Malmö"),
    ]
    assert _hsds(SERVICE_A2)["service_areas"][0]["uri"] == "urn:avhopp:area:country:SE"


def test_locations_have_a_swedish_address() -> None:
    location = _hsds()["service_at_locations"][1]["location"]
    assert location["location_type"] == "physical"
    assert location["organization_id"] == str(ORG_A.id)
    [address] = location["addresses"]
    assert {key: address[key] for key in ("city", "region", "state_province", "country", "address_1")} == {
        "city": "Malmö",
        "region": "Malmö",
        "state_province": "Skåne län",
        "country": "SE",
        "address_1": "",
    }


def test_organization_carries_number_operation_type_and_locations() -> None:
    hsds: dict[str, Any] = organization_to_hsds(ORG_A, [SERVICE_A1, SERVICE_A2], include_internal=False)
    [identifier] = hsds["organization_identifiers"]
    assert (identifier["identifier_scheme"], identifier["identifier_type"], identifier["identifier"]) == (
        "SE-BLV",
        "Organisationsnummer",
        "212000-1355",
    )
    [operation] = hsds["attributes"]
    assert (operation["link_type"], operation["taxonomy_term"]["code"]) == ("operation_type", "authority")
    # The location both services share is listed once.
    assert [location["id"] for location in hsds["locations"]] == [str(UUID(int=101)), str(PARTIAL_LOCATION.id)]
    assert "services" not in hsds
    assert organization_to_hsds(ORG_B, [], include_internal=False)["organization_identifiers"] == []


def test_every_extension_is_an_attribute_with_its_link_type() -> None:
    pairs = [
        (a["link_type"], a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"]) for a in _hsds()["attributes"]
    ]
    assert ("eligibility", "urn:avhopp:taxonomy:threat_requirement", "police_confirmed") in pairs
    assert ("eligibility", "urn:avhopp:taxonomy:service_flag", "police_report_required") in pairs
    assert ("eligibility", "urn:avhopp:taxonomy:service_flag", "accepts_serious_threat") in pairs
    assert ("eligibility", "urn:avhopp:taxonomy:service_flag", "reaches_custody") in pairs
    assert ("eligibility", "urn:avhopp:taxonomy:drug_policy", "working_towards") in pairs
    assert ("funding", "urn:avhopp:taxonomy:funding_rule", "home_municipality_pays") in pairs
    assert ("contact_channel", "urn:avhopp:taxonomy:service_flag", "anonymous_contact") in pairs
    assert ("capacity", "urn:avhopp:taxonomy:capacity_status", "limited") in pairs
    assert [code for link, _, code in pairs if link == "target_group"] == [g.value for g in TargetGroup]
    assert [code for link, _, code in pairs if link == "intervention"] == [i.value for i in SERVICE_A1.interventions]
    assert [code for link, _, code in pairs if link == "contact_channel" and code in set(ContactChannel)] == [
        "visit",
        "phone",
        "text_message",
    ]
    [note] = [a for a in _hsds()["attributes"] if a["link_type"] == "provenance"]
    assert note["value"] == SERVICE_A1.source_note
    assert len({a["id"] for a in _hsds()["attributes"]}) == len(pairs)


def test_flags_that_are_false_and_empty_notes_are_left_out() -> None:
    codes = {a["taxonomy_term"]["code"] for a in _hsds(SERVICE_A2)["attributes"]}
    assert codes.isdisjoint({"police_report_required", "accepts_serious_threat", "reaches_custody", "source_note"})


def test_repeated_values_keep_distinct_ids_and_their_order() -> None:
    service = msgspec.structs.replace(
        SERVICE_A2,
        catchment=(Area(AreaKind.COUNTY, "14"), Area(AreaKind.COUNTY, "14")),
        target_groups=(TargetGroup.RELATIVES, TargetGroup.MC_GANG, TargetGroup.RELATIVES),
        languages=("sv", "sv"),
    )
    hsds = _hsds(service)
    assert len({area["id"] for area in hsds["service_areas"]}) == 2
    assert len({attribute["id"] for attribute in hsds["attributes"]}) == len(hsds["attributes"])
    assert service_from_hsds(hsds) == service


def test_ids_are_stable_between_exports() -> None:
    assert _hsds() == _hsds()


def test_a_service_of_another_organisation_is_refused() -> None:
    with pytest.raises(ValueError, match="belongs to"):
        service_to_hsds(SERVICE_A1, ORG_B, include_internal=True)


def test_inverse_reports_every_problem_by_path() -> None:
    hsds = copy.deepcopy(_hsds())
    del hsds["status"]
    hsds["minimum_age"] = 18.5
    hsds["phones"][0]["id"] = "not-a-uuid"
    hsds["service_areas"][1]["uri"] = "urn:somewhere:else"
    hsds["schedules"][0]["byday"] = "MO,XX"
    hsds["attributes"][0]["taxonomy_term_id"] = str(uuid4())
    assert _problem_paths(hsds) == {
        ("status",),
        ("minimum_age",),
        ("phones", 0, "id"),
        ("service_areas", 1, "uri"),
        ("schedules", 0, "byday"),
        ("attributes", 0, "taxonomy_term_id"),
    }


def test_inverse_refuses_what_the_entry_cannot_hold() -> None:
    hsds = copy.deepcopy(_hsds())
    hsds["schedules"][0]["freq"] = "MONTHLY"
    hsds["schedules"][1]["valid_to"] = "2026-12-31"
    hsds["service_at_locations"][0]["location"]["location_type"] = "virtual"
    hsds["service_at_locations"][1]["location"]["addresses"].append({"id": str(uuid4())})
    hsds["attributes"].append(copy.deepcopy(hsds["attributes"][0]))  # a second threat requirement
    organization_term = term_of(ORG_A.operation_type)
    hsds["attributes"].append({"id": str(uuid4()), "taxonomy_term_id": str(organization_term.id)})
    last = len(hsds["attributes"]) - 1
    assert _problem_paths(hsds) == {
        ("schedules", 0, "freq"),
        ("schedules", 1, "valid_to"),
        ("service_at_locations", 0, "location", "location_type"),
        ("service_at_locations", 1, "location", "addresses", 1, "id"),
        ("attributes", last - 1, "taxonomy_term_id"),
        ("attributes", last, "taxonomy_term_id"),
    }


def test_inverse_accepts_hsds_from_elsewhere_as_far_as_it_fits() -> None:
    hsds = copy.deepcopy(_hsds(SERVICE_A2))
    del hsds["languages"]
    hsds["fees_description"] = "Gratis"
    hsds["attributes"] = [
        {"id": str(uuid4()), "taxonomy_term": {"id": str(term_of(ThreatRequirement.THREAT).id)}},
    ]
    entry = service_from_hsds(hsds)
    assert entry.languages == ("sv",)  # the entry's default when HSDS says nothing
    assert entry.threat_requirement is ThreatRequirement.THREAT
    assert entry.target_groups == ()


def test_a_municipality_may_be_given_by_code_and_unknown_ones_reach_validation() -> None:
    hsds = copy.deepcopy(_hsds(SERVICE_A2))
    hsds["service_at_locations"][0]["location"]["addresses"][0]["region"] = "9999"
    entry = service_from_hsds(hsds)
    assert entry.locations[0].municipality_code == "9999"
    [problem] = validate_service(entry)
    assert service_field_path(problem.field) == ("service_at_locations", 0, "location", "addresses", 0, "region")


def test_validation_fields_map_to_hsds_paths() -> None:
    assert service_field_path("name") == ("name",)
    assert service_field_path("catchment") == ("service_areas",)
    assert service_field_path("catchment[2].code") == ("service_areas", 2, "uri")
    assert service_field_path("languages[1]") == ("languages", 1, "code")
    assert service_field_path("phones[0].number") == ("phones", 0, "number")
    assert service_field_path("opening_hours[1].days") == ("schedules", 1, "byday")
    assert service_field_path("locations[0].postal_code") == (
        "service_at_locations",
        0,
        "location",
        "addresses",
        0,
        "postal_code",
    )
    organization = organization_to_hsds(ORG_A, [], include_internal=False)
    assert organization_field_path("organization_number", organization) == (
        "organization_identifiers",
        0,
        "identifier",
    )


def test_location_listing_object() -> None:
    location = Location(id=uuid4(), name="Kontoret", municipality_code="0180", address="Drottninggatan 1")
    hsds: dict[str, Any] = location_to_hsds(location, ORG_B)
    assert hsds_problems("location", hsds) == []
    assert hsds["addresses"][0]["state_province"] == "Stockholms län"
    assert hsds["addresses"][0]["region"] == "Stockholm"


def test_schedules_carry_the_stockholm_time_zone_and_validate_against_hsds() -> None:
    service = next(s for s in SERVICES if s.opening_hours)
    organization = ORGANIZATIONS[service.organization_id]
    data = service_to_hsds(service, organization, include_internal=False)
    assert hsds_problems("service", data) == []
    schedules = cast("list[dict[str, Any]]", data["schedules"])
    assert len(schedules) == len(service.opening_hours)
    for schedule in schedules:
        [zone] = schedule["attributes"]
        assert zone["value"] == "Europe/Stockholm"
        assert zone["link_entity"] == "schedule"
        assert zone["link_type"] == "time_zone"
        assert hsds_problems("schedule", schedule) == []
        assert "timezone" not in schedule
