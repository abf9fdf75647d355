"""Directory entries: an organisation and its services, as one editable, reviewable document each.

The shape follows Open Referral HSDS 3 (organization, service, service_area, phone,
schedule, contact, language, location, service_at_location), extended with what Swedish
defector services need: catchment, requirements, target groups, interventions, funding.
An editor proposes a whole new document; a reviewer publishes it; history keeps both.

`validate_organization` and `validate_service` are the only gate: they return every
problem at once, each naming its field, in Swedish.
"""

from __future__ import annotations

import re
from datetime import date, time
from functools import cache
from uuid import UUID

import msgspec

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
from avhopp.platform.labels import label
from avhopp.platform.problems import FieldProblem

MAX_AGE = 120
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,20}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https://[^\s]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_POSTAL_CODE = re.compile(r"^[0-9]{3} ?[0-9]{2}$")
_ORG_NUMBER = re.compile(r"^[0-9]{6}-[0-9]{4}$")


class Area(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One area of a catchment: the whole country, or a county, municipality or police region by code."""

    kind: AreaKind
    code: str = ""


class Phone(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A phone number; `public` False shows it to signed-in professionals only."""

    id: UUID
    number: str
    description: str = ""
    public: bool = True


class Contact(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A function to contact (a reception, an on-call officer), not a named private person."""

    id: UUID
    title: str
    department: str = ""
    email: str = ""


class OpeningHours(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """When a service answers: the same hours on each of `days` (an HSDS weekly schedule)."""

    id: UUID
    days: tuple[Weekday, ...]
    opens_at: time
    closes_at: time
    note: str = ""


class Location(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A place a service is given; only public reception addresses, never protected housing."""

    id: UUID
    name: str
    municipality_code: str
    address: str = ""
    postal_code: str = ""
    city: str = ""
    description: str = ""


class OrganizationEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An organisation that offers services (HSDS organization)."""

    id: UUID
    name: str
    description: str
    operation_type: OperationType
    alternate_name: str = ""
    website: str = ""
    email: str = ""
    organization_number: str = ""


class ServiceEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A service (HSDS service) with everything eligibility and contact need."""

    id: UUID
    organization_id: UUID
    name: str
    description: str
    catchment: tuple[Area, ...]
    status: ServiceStatus = ServiceStatus.ACTIVE
    alternate_name: str = ""
    url: str = ""
    email: str = ""
    threat_requirement: ThreatRequirement = ThreatRequirement.NONE
    police_report_required: bool = False
    accepts_serious_threat: bool = False
    accepts_local_serious_threat: bool = False
    """Takes a person under a serious threat only when the threat is local: it protects by moving them away."""
    reaches_custody: bool = False
    custody_only: bool = False
    """Only for people in custody or under the probation service's supervision (Kriminalvården's services)."""
    minimum_age: int | None = None
    maximum_age: int | None = None
    drug_policy: DrugPolicy = DrugPolicy.NO_REQUIREMENT
    target_groups: tuple[TargetGroup, ...] = ()
    """Empty: any group."""
    interventions: tuple[Intervention, ...] = ()
    funding_rule: FundingRule = FundingRule.FREE
    channels: tuple[ContactChannel, ...] = ()
    anonymous_contact: bool = False
    capacity: CapacityStatus = CapacityStatus.UNKNOWN
    languages: tuple[str, ...] = ("sv",)
    """ISO 639 codes."""
    eligibility_description: str = ""
    application_process: str = ""
    phones: tuple[Phone, ...] = ()
    contacts: tuple[Contact, ...] = ()
    opening_hours: tuple[OpeningHours, ...] = ()
    locations: tuple[Location, ...] = ()
    verified_on: date | None = None
    """When the owner last confirmed the entry (HSDS assured_date); None: never."""
    source_note: str = ""
    """Where the facts come from, e.g. the 2014 survey, until the owner confirms them."""


def _text(problems: list[FieldProblem], field: str, value: str, *, required: bool, limit: int) -> None:
    if required and not value.strip():
        problems.append(FieldProblem(field, "Fältet måste fyllas i."))
    elif len(value) > limit:
        problems.append(FieldProblem(field, f"Högst {limit} tecken."))


def _pattern(problems: list[FieldProblem], field: str, value: str, pattern: re.Pattern[str], what: str) -> None:
    if value and not pattern.fullmatch(value):
        problems.append(FieldProblem(field, f"Ange {what}."))


def validate_organization(entry: OrganizationEntry) -> list[FieldProblem]:
    """Every problem with an organisation entry (empty if none)."""
    problems: list[FieldProblem] = []
    _text(problems, "name", entry.name, required=True, limit=200)
    _text(problems, "alternate_name", entry.alternate_name, required=False, limit=200)
    _text(problems, "description", entry.description, required=True, limit=4000)
    _pattern(problems, "website", entry.website, _URL, "en adress som börjar med https://")
    _pattern(problems, "email", entry.email, _EMAIL, "en e-postadress, till exempel info@example.se")
    _pattern(
        problems, "organization_number", entry.organization_number, _ORG_NUMBER, "organisationsnummer som 212000-1355"
    )
    return problems


def _area_problem(area: Area) -> str | None:
    geography = shipped_geography()
    known = {
        AreaKind.COUNTRY: {""},
        AreaKind.COUNTY: {c.code for c in geography.counties},
        AreaKind.MUNICIPALITY: {m.code for m in geography.municipalities},
        AreaKind.POLICE_REGION: set(geography.police_regions),
    }[area.kind]
    if area.code in known:
        return None
    if area.kind is AreaKind.COUNTRY:
        return "Hela landet har ingen kod."
    return f"Okänd kod för {label(area.kind).lower()}: {area.code!r}."


def _validate_catchment(problems: list[FieldProblem], catchment: tuple[Area, ...]) -> None:
    if not catchment:
        problems.append(FieldProblem("catchment", "Ange vilka som tas emot: hela landet eller minst ett område."))
    for index, area in enumerate(catchment):
        problem = _area_problem(area)
        if problem is not None:
            problems.append(FieldProblem(f"catchment[{index}].code", problem))


def _validate_ages(problems: list[FieldProblem], entry: ServiceEntry) -> None:
    for field, age in (("minimum_age", entry.minimum_age), ("maximum_age", entry.maximum_age)):
        if age is not None and not 0 <= age <= MAX_AGE:
            problems.append(FieldProblem(field, f"Åldern måste vara mellan 0 och {MAX_AGE} år."))
    if entry.minimum_age is not None and entry.maximum_age is not None and entry.minimum_age > entry.maximum_age:
        problems.append(FieldProblem("maximum_age", "Den högsta åldern kan inte vara lägre än den lägsta."))


def _validate_contact_details(problems: list[FieldProblem], entry: ServiceEntry) -> None:
    municipalities = {m.code for m in shipped_geography().municipalities}
    for index, phone in enumerate(entry.phones):
        _pattern(
            problems, f"phones[{index}].number", phone.number, _PHONE, "ett telefonnummer, till exempel 031-365 00 00"
        )
        if not phone.number:
            problems.append(FieldProblem(f"phones[{index}].number", "Fältet måste fyllas i."))
    for index, contact in enumerate(entry.contacts):
        _text(problems, f"contacts[{index}].title", contact.title, required=True, limit=200)
        _pattern(problems, f"contacts[{index}].email", contact.email, _EMAIL, "en e-postadress")
    for index, hours in enumerate(entry.opening_hours):
        if not hours.days:
            problems.append(FieldProblem(f"opening_hours[{index}].days", "Välj minst en dag."))
        if hours.opens_at >= hours.closes_at:
            problems.append(
                FieldProblem(f"opening_hours[{index}].closes_at", "Stängningstiden måste vara efter öppningstiden.")
            )
    for index, location in enumerate(entry.locations):
        _text(problems, f"locations[{index}].name", location.name, required=True, limit=200)
        if location.municipality_code not in municipalities:
            problems.append(FieldProblem(f"locations[{index}].municipality_code", "Okänd kommunkod."))
        _pattern(
            problems,
            f"locations[{index}].postal_code",
            location.postal_code,
            _POSTAL_CODE,
            "ett postnummer, till exempel 411 04",
        )


def validate_service(entry: ServiceEntry) -> list[FieldProblem]:
    """Every problem with a service entry (empty if none)."""
    problems: list[FieldProblem] = []
    _text(problems, "name", entry.name, required=True, limit=200)
    _text(problems, "alternate_name", entry.alternate_name, required=False, limit=200)
    _text(problems, "description", entry.description, required=True, limit=4000)
    _text(problems, "eligibility_description", entry.eligibility_description, required=False, limit=4000)
    _text(problems, "application_process", entry.application_process, required=False, limit=4000)
    _pattern(problems, "url", entry.url, _URL, "en adress som börjar med https://")
    _pattern(problems, "email", entry.email, _EMAIL, "en e-postadress, till exempel info@example.se")
    _validate_catchment(problems, entry.catchment)
    _validate_ages(problems, entry)
    if entry.accepts_serious_threat and entry.accepts_local_serious_threat:
        problems.append(
            FieldProblem(
                "accepts_local_serious_threat",
                "Välj antingen att tjänsten tar emot vid allvarlig hotbild"
                " eller att den bara gör det när hotet är lokalt.",
            )
        )
    for index, language in enumerate(entry.languages):
        _pattern(problems, f"languages[{index}]", language, _LANGUAGE, "en språkkod enligt ISO 639, till exempel sv")
    _validate_contact_details(problems, entry)
    return problems


def whole_country(entry: ServiceEntry) -> bool:
    """Whether a service takes people from the whole country."""
    return any(area.kind is AreaKind.COUNTRY for area in entry.catchment)


@cache
def catchment_municipalities(catchment: tuple[Area, ...]) -> frozenset[str]:
    """The municipality codes a catchment covers (all 290 for the whole country)."""
    geography = shipped_geography()
    county_region = {c.code: c.police_region_code for c in geography.counties}
    covered: set[str] = set()
    for area in catchment:
        for municipality in geography.municipalities:
            if (
                area.kind is AreaKind.COUNTRY
                or (area.kind is AreaKind.COUNTY and municipality.county_code == area.code)
                or (area.kind is AreaKind.MUNICIPALITY and municipality.code == area.code)
                or (area.kind is AreaKind.POLICE_REGION and county_region[municipality.county_code] == area.code)
            ):
                covered.add(municipality.code)
    return frozenset(covered)
