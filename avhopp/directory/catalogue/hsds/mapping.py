"""Directory entries as HSDS 3.1 JSON and back, without loss.

HSDS fields carry what HSDS has words for (names, status, ages, eligibility and application
text, assured date, phones, schedules, contacts, languages, service areas, locations). Everything
else, our domain extensions, travels as attributes with taxonomy terms (see `attributes`). The
inverse functions read exactly what the forward ones write, so
`service_from_hsds(service_to_hsds(s, o, include_internal=True)) == s`; they also accept HSDS
written elsewhere as far as it fits, and report everything that does not, in Swedish, by JSON path.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeVar

import msgspec

from avhopp.directory.catalogue.entry import OrganizationEntry, ServiceEntry
from avhopp.directory.catalogue.hsds.areas import area_urn
from avhopp.directory.catalogue.hsds.attributes import (
    ORGANIZATION_EXTENSIONS,
    SERVICE_EXTENSIONS,
    Owner,
    attributes_from_hsds,
    attributes_to_hsds,
)
from avhopp.directory.catalogue.hsds.details import (
    contact_from_hsds,
    contact_to_hsds,
    language_from_hsds,
    language_to_hsds,
    location_to_hsds,
    phone_from_hsds,
    phone_to_hsds,
    schedule_from_hsds,
    schedule_to_hsds,
    service_area_from_hsds,
    service_area_to_hsds,
    service_at_location_from_hsds,
    service_at_location_to_hsds,
)
from avhopp.directory.catalogue.hsds.ids import derived_id, numbered
from avhopp.directory.catalogue.hsds.reading import HsdsMappingError, MappingProblem, Reader
from avhopp.directory.catalogue.vocabulary import OperationType, ServiceStatus

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from uuid import UUID

    from avhopp.directory.catalogue.hsds.reading import JsonObject, JsonPath

__all__ = [
    "ORGANIZATION_NUMBER_SCHEME",
    "ORGANIZATION_NUMBER_TYPE",
    "HsdsMappingError",
    "MappingProblem",
    "location_to_hsds",
    "organization_field_path",
    "organization_from_hsds",
    "organization_identifier_to_hsds",
    "organization_to_hsds",
    "read_organization",
    "read_service",
    "service_at_location_to_hsds",
    "service_field_path",
    "service_from_hsds",
    "service_to_hsds",
]

ORGANIZATION_NUMBER_SCHEME = "SE-BLV"
"""org-id.guide's list for Swedish organisation numbers (Bolagsverket)."""
ORGANIZATION_NUMBER_TYPE = "Organisationsnummer"

S = TypeVar("S", OrganizationEntry, ServiceEntry)


def _put(data: JsonObject, key: str, value: str) -> None:
    if value:
        data[key] = value


def _check_owner(service: ServiceEntry, org: OrganizationEntry) -> None:
    if service.organization_id != org.id:
        raise ValueError(f"service {service.id} belongs to organisation {service.organization_id}, not {org.id}")


def organization_identifier_to_hsds(
    organization_id: UUID, scheme: str, identifier_type: str, identifier: str
) -> JsonObject:
    """An HSDS organization_identifier; its id is stable per organisation and scheme."""
    return {
        "id": str(derived_id("organization_identifier", organization_id, scheme)),
        "organization_id": str(organization_id),
        "identifier_scheme": scheme,
        "identifier_type": identifier_type,
        "identifier": identifier,
    }


def organization_to_hsds(
    org: OrganizationEntry,
    services: Sequence[ServiceEntry],
    *,
    include_internal: bool,  # noqa: ARG001 - an organisation has no internal details yet; callers still decide
) -> JsonObject:
    """An HSDS organization with its identifiers, operation type and the locations of its `services`.

    HSDS's organization schema has no `services` array, so services are not nested; fetch them
    with `service_to_hsds`.
    """
    data: JsonObject = {"id": str(org.id), "name": org.name}
    _put(data, "alternate_name", org.alternate_name)
    data["description"] = org.description
    _put(data, "email", org.email)
    _put(data, "website", org.website)
    data["organization_identifiers"] = (
        [organization_identifier_to_hsds(org.id, ORGANIZATION_NUMBER_SCHEME, ORGANIZATION_NUMBER_TYPE, number)]
        if (number := org.organization_number)
        else []
    )
    data["attributes"] = attributes_to_hsds(
        "organization", org.id, ORGANIZATION_EXTENSIONS, {"operation_type": org.operation_type}
    )
    locations: dict[UUID, JsonObject] = {}
    for service in services:
        _check_owner(service, org)
        for location in service.locations:
            locations.setdefault(location.id, location_to_hsds(location, org))
    data["locations"] = list(locations.values())
    return data


def service_to_hsds(service: ServiceEntry, org: OrganizationEntry, *, include_internal: bool) -> JsonObject:
    """A fully nested HSDS service; `include_internal` False leaves out numbers only professionals may see."""
    _check_owner(service, org)
    data: JsonObject = {"id": str(service.id), "organization_id": str(org.id), "name": service.name}
    _put(data, "alternate_name", service.alternate_name)
    data["description"] = service.description
    _put(data, "url", service.url)
    _put(data, "email", service.email)
    data["status"] = service.status.value
    _put(data, "application_process", service.application_process)
    _put(data, "eligibility_description", service.eligibility_description)
    if service.minimum_age is not None:
        data["minimum_age"] = service.minimum_age
    if service.maximum_age is not None:
        data["maximum_age"] = service.maximum_age
    if service.verified_on is not None:
        data["assured_date"] = service.verified_on.isoformat()
    data["organization"] = organization_to_hsds(org, (), include_internal=include_internal)
    data["phones"] = [phone_to_hsds(phone, service.id) for phone in service.phones if include_internal or phone.public]
    data["schedules"] = [schedule_to_hsds(hours, service.id) for hours in service.opening_hours]
    area_keys = numbered(area_urn(area) for area in service.catchment)
    data["service_areas"] = [
        service_area_to_hsds(area, service.id, key) for key, area in zip(area_keys, service.catchment, strict=True)
    ]
    data["service_at_locations"] = [
        service_at_location_to_hsds(service.id, location, org) for location in service.locations
    ]
    language_keys = numbered(service.languages)
    data["languages"] = [
        language_to_hsds(code, service.id, key) for key, code in zip(language_keys, service.languages, strict=True)
    ]
    data["contacts"] = [contact_to_hsds(contact, service.id) for contact in service.contacts]
    data["attributes"] = attributes_to_hsds(
        "service",
        service.id,
        SERVICE_EXTENSIONS,
        {extension.field: getattr(service, extension.field) for extension in SERVICE_EXTENSIONS},
    )
    return data


def _convert(fields: dict[str, object], kind: type[S], reader: Reader) -> S | None:
    try:
        return msgspec.convert(fields, kind)
    except msgspec.ValidationError as error:
        # The readers check every field and leave typed placeholders; this is a last guard.
        reader.problem((), f"Kunde inte bygga posten: {error}")
        return None


def _strict(read: tuple[S | None, list[MappingProblem]]) -> S:
    entry, problems = read
    if problems or entry is None:
        raise HsdsMappingError(problems)
    return entry


def _organization_number(reader: Reader, data: Mapping[str, object]) -> str:
    numbers = [
        (path, reader.text(identifier, "identifier", path, required=True))
        for path, identifier in reader.objects(data, "organization_identifiers", ())
        if identifier.get("identifier_scheme") == ORGANIZATION_NUMBER_SCHEME
    ]
    for path, _ in numbers[1:]:
        reader.problem((*path, "identifier_scheme"), "Organisationen kan bara ha ett organisationsnummer.")
    return numbers[0][1] if numbers else ""


def organization_from_hsds(data: object) -> OrganizationEntry:
    """The organisation entry an HSDS organization describes (identifiers of other schemes are ignored).

    Raises:
        HsdsMappingError: with every problem found, by JSON path.

    """
    return _strict(read_organization(data))


def read_organization(data: object) -> tuple[OrganizationEntry | None, list[MappingProblem]]:
    """`organization_from_hsds` that does not stop at problems.

    The entry holds placeholders where something was wrong, so that it can still be validated and
    an importer can report the validator's findings too; use it only together with the problems.
    """
    reader = Reader()
    org = reader.mapping(data, ())
    org_id = reader.uuid(org, "id", ())
    fields: dict[str, object] = {
        "id": org_id,
        "name": reader.text(org, "name", (), required=True),
        "description": reader.text(org, "description", (), required=True),
        "alternate_name": reader.text(org, "alternate_name", ()),
        "website": reader.text(org, "website", ()),
        "email": reader.text(org, "email", ()),
        "organization_number": _organization_number(reader, org),
    }
    fields |= attributes_from_hsds(reader, org, (), Owner("organization", org_id), ORGANIZATION_EXTENSIONS)
    if "operation_type" not in fields:
        reader.problem(("attributes",), "Verksamhetstypen (en term ur taxonomin operation_type) saknas.")
        fields["operation_type"] = OperationType.AUTHORITY
    entry = _convert(fields, OrganizationEntry, reader)
    return entry, reader.problems


def _organization_id(reader: Reader, service: Mapping[str, object]) -> UUID:
    nested = service.get("organization")
    if "organization_id" not in service and isinstance(nested, dict):
        return reader.uuid(nested, "id", ("organization",))
    return reader.uuid(service, "organization_id", ())


def service_from_hsds(data: object) -> ServiceEntry:
    """The service entry an HSDS service describes; parts HSDS has and we do not (fees, programs …) are ignored.

    Raises:
        HsdsMappingError: with every problem found, by JSON path.

    """
    return _strict(read_service(data))


def read_service(data: object) -> tuple[ServiceEntry | None, list[MappingProblem]]:
    """`service_from_hsds` that does not stop at problems (see `read_organization`)."""
    reader = Reader()
    service = reader.mapping(data, ())
    service_id = reader.uuid(service, "id", ())
    if "status" not in service:
        reader.problem(("status",), "Fältet saknas.")
    fields: dict[str, object] = {
        "id": service_id,
        "organization_id": _organization_id(reader, service),
        "name": reader.text(service, "name", (), required=True),
        "description": reader.text(service, "description", ()),
        "status": reader.choice(service, "status", (), ServiceStatus, ServiceStatus.ACTIVE),
        "alternate_name": reader.text(service, "alternate_name", ()),
        "url": reader.text(service, "url", ()),
        "email": reader.text(service, "email", ()),
        "eligibility_description": reader.text(service, "eligibility_description", ()),
        "application_process": reader.text(service, "application_process", ()),
        "minimum_age": reader.age(service, "minimum_age", ()),
        "maximum_age": reader.age(service, "maximum_age", ()),
        "verified_on": reader.date_of(service, "assured_date", ()),
        "catchment": [
            service_area_from_hsds(reader, item, path) for path, item in reader.objects(service, "service_areas", ())
        ],
        "phones": [phone_from_hsds(reader, item, path) for path, item in reader.objects(service, "phones", ())],
        "contacts": [contact_from_hsds(reader, item, path) for path, item in reader.objects(service, "contacts", ())],
        "opening_hours": [
            schedule_from_hsds(reader, item, path) for path, item in reader.objects(service, "schedules", ())
        ],
        "locations": [
            service_at_location_from_hsds(reader, item, path)
            for path, item in reader.objects(service, "service_at_locations", ())
        ],
    }
    if "languages" in service:
        # Without the array the entry's default (Swedish) applies; an empty array means none is stated.
        fields["languages"] = [
            language_from_hsds(reader, item, path) for path, item in reader.objects(service, "languages", ())
        ]
    fields |= attributes_from_hsds(reader, service, (), Owner("service", service_id), SERVICE_EXTENSIONS)
    entry = _convert(fields, ServiceEntry, reader)
    return entry, reader.problems


_FIELD = re.compile(r"^(?P<name>\w+)(?:\[(?P<index>[0-9]+)\])?$")
_SERVICE_FIELDS: dict[str, JsonPath] = {
    "catchment": ("service_areas",),
    "verified_on": ("assured_date",),
    **{extension.field: ("attributes",) for extension in SERVICE_EXTENSIONS},
}
_SCHEDULE_FIELDS = {"days": "byday", "note": "description"}
_ADDRESS_FIELDS = {"municipality_code": "region", "address": "address_1", "postal_code": "postal_code", "city": "city"}


def _split(field: str) -> tuple[str, int | None, str | None]:
    head, _, rest = field.partition(".")
    match = _FIELD.fullmatch(head)
    if match is None:
        return head, None, rest or None
    index = match.group("index")
    return match.group("name"), None if index is None else int(index), rest or None


def service_field_path(field: str) -> JsonPath:
    """Where in `service_to_hsds`'s output a field that `validate_service` names lives, e.g. "phones[0].number"."""
    name, index, rest = _split(field)
    if index is None:
        return _SERVICE_FIELDS.get(name, (name,))
    paths: dict[str, JsonPath] = {
        "catchment": ("service_areas", index, "uri"),
        "languages": ("languages", index, "code"),
        "phones": ("phones", index, rest or "id"),
        "contacts": ("contacts", index, rest or "id"),
        "opening_hours": ("schedules", index, _SCHEDULE_FIELDS.get(rest or "id", rest or "id")),
    }
    if name == "locations":
        if rest in _ADDRESS_FIELDS:
            return ("service_at_locations", index, "location", "addresses", 0, _ADDRESS_FIELDS[rest])
        return ("service_at_locations", index, "location", rest or "id")
    return paths.get(name, (name,))


def organization_field_path(field: str, data: Mapping[str, object]) -> JsonPath:
    """Where in HSDS organization `data` a field that `validate_organization` names lives."""
    if field == "organization_number":
        identifiers = data.get("organization_identifiers")
        for index, identifier in enumerate(identifiers if isinstance(identifiers, list) else []):
            if isinstance(identifier, dict) and identifier.get("identifier_scheme") == ORGANIZATION_NUMBER_SCHEME:
                return ("organization_identifiers", index, "identifier")
    if field == "operation_type":
        return ("attributes",)
    return (field,)
