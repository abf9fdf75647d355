"""The parts of a service in HSDS, both ways: phones, contacts, schedules, languages, areas, locations.

The `*_to_hsds` functions build HSDS JSON objects; the `*_from_hsds` functions read them back
into plain values for `msgspec.convert`, recording problems on a `Reader` instead of failing.

Opening hours are Swedish local time. HSDS's schedule `timezone` is one fixed UTC offset, which
summer time would make wrong for half the year, so it stays empty and the times carry no offset;
instead each schedule has an attribute of the `time_zone` taxonomy whose value is the IANA name
`Europe/Stockholm`. A schedule read back may name that zone or none; another zone is refused,
as weekly hours cannot be moved into Swedish time without knowing the dates.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING
from uuid import UUID

from babel import Locale

from avhopp.directory.catalogue.hsds.areas import (
    COUNTRY_CODE,
    area_from_urn,
    area_title,
    area_urn,
    county_name_of_municipality,
    municipality_code,
    municipality_name,
)
from avhopp.directory.catalogue.hsds.attributes import (
    PHONE_EXTENSIONS,
    SCHEDULE_EXTENSIONS,
    Owner,
    attributes_from_hsds,
    attributes_to_hsds,
)
from avhopp.directory.catalogue.hsds.ids import derived_id
from avhopp.directory.catalogue.vocabulary import Weekday

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import time

    from avhopp.directory.catalogue.entry import Area, Contact, Location, OpeningHours, OrganizationEntry, Phone
    from avhopp.directory.catalogue.hsds.reading import JsonObject, JsonPath, Reader

PHYSICAL = "physical"
WEEKLY = "WEEKLY"
TIME_ZONE = "Europe/Stockholm"
"""The time zone of every opening hour (as `avhopp.platform.times` shows times)."""
TEXT_EXTENT = "text"
# Schedule fields that change on which days or dates the hours apply; our weekly hours cannot say that.
_UNSUPPORTED_SCHEDULE_FIELDS = (
    "valid_from",
    "valid_to",
    "dtstart",
    "until",
    "count",
    "byweekno",
    "bymonthday",
    "byyearday",
)


def _put(data: JsonObject, key: str, value: str) -> None:
    """Set an optional text field; HSDS leaves out what is unknown rather than sending empty strings."""
    if value:
        data[key] = value


def clock(value: time) -> str:
    """A time of day as HSDS wants it, HH:MM, with seconds only when there are any."""
    if value.second or value.microsecond:
        return value.isoformat()
    return value.isoformat(timespec="minutes")


@cache
def _swedish() -> Locale:
    return Locale("sv")


def language_name(code: str) -> str | None:
    """The Swedish name of an ISO 639 language, e.g. "arabiska" for "ar"."""
    name = _swedish().languages.get(code)
    return name if isinstance(name, str) else None


def phone_to_hsds(phone: Phone, service_id: UUID) -> JsonObject:
    """An HSDS phone of a service; an internal number carries the visibility term."""
    data: JsonObject = {"id": str(phone.id), "service_id": str(service_id), "number": phone.number}
    _put(data, "description", phone.description)
    data["attributes"] = attributes_to_hsds("phone", phone.id, PHONE_EXTENSIONS, {"internal": not phone.public})
    return data


def phone_from_hsds(reader: Reader, data: Mapping[str, object], path: JsonPath) -> JsonObject:
    """The fields of a Phone."""
    phone_id = reader.uuid(data, "id", path)
    flags = attributes_from_hsds(reader, data, path, Owner("phone", phone_id), PHONE_EXTENSIONS)
    return {
        "id": phone_id,
        "number": reader.text(data, "number", path, required=True),
        "description": reader.text(data, "description", path),
        "public": flags.get("internal") is not True,
    }


def contact_to_hsds(contact: Contact, service_id: UUID) -> JsonObject:
    """An HSDS contact of a service (a function, never a named person)."""
    data: JsonObject = {"id": str(contact.id), "service_id": str(service_id)}
    _put(data, "title", contact.title)
    _put(data, "department", contact.department)
    _put(data, "email", contact.email)
    return data


def contact_from_hsds(reader: Reader, data: Mapping[str, object], path: JsonPath) -> JsonObject:
    """The fields of a Contact."""
    return {
        "id": reader.uuid(data, "id", path),
        "title": reader.text(data, "title", path),
        "department": reader.text(data, "department", path),
        "email": reader.text(data, "email", path),
    }


def schedule_to_hsds(hours: OpeningHours, service_id: UUID) -> JsonObject:
    """An HSDS weekly schedule, in Swedish local time (see the module's note on time zones)."""
    data: JsonObject = {
        "id": str(hours.id),
        "service_id": str(service_id),
        "freq": WEEKLY,
        "byday": ",".join(day.value for day in hours.days),
        "opens_at": clock(hours.opens_at),
        "closes_at": clock(hours.closes_at),
    }
    _put(data, "description", hours.note)
    data["attributes"] = attributes_to_hsds("schedule", hours.id, SCHEDULE_EXTENSIONS, {"time_zone": TIME_ZONE})
    return data


def _weekdays(reader: Reader, data: Mapping[str, object], path: JsonPath) -> list[Weekday]:
    byday = reader.text(data, "byday", path)
    days: list[Weekday] = []
    for part in byday.split(",") if byday else []:
        try:
            days.append(Weekday(part.strip()))
        except ValueError:
            reader.problem((*path, "byday"), f"Okänd veckodag {part!r}; ange till exempel MO,TU,WE.")
    return days


def schedule_from_hsds(reader: Reader, data: Mapping[str, object], path: JsonPath) -> JsonObject:
    """The fields of OpeningHours; only weekly schedules with the same hours on each listed day fit."""
    freq = reader.text(data, "freq", path)
    if freq and freq != WEEKLY:
        reader.problem((*path, "freq"), f"Bara veckoscheman (WEEKLY) kan tas emot, inte {freq!r}.")
    for key in _UNSUPPORTED_SCHEDULE_FIELDS:
        if data.get(key) not in (None, ""):
            reader.problem((*path, key), "Stöds inte: öppettiderna gäller samma veckodagar varje vecka.")
    if data.get("interval") not in (None, 1):
        reader.problem((*path, "interval"), "Stöds inte: öppettiderna gäller varje vecka.")
    zone = attributes_from_hsds(
        reader, data, path, Owner("schedule", reader.uuid(data, "id", path)), SCHEDULE_EXTENSIONS
    ).get("time_zone")
    if zone not in (None, "", TIME_ZONE):
        reader.problem((*path, "attributes"), f"Öppettiderna måste anges i svensk tid ({TIME_ZONE}), inte {zone!r}.")
    opens_at = reader.time_of(data, "opens_at", path)
    closes_at = reader.time_of(data, "closes_at", path)
    if (opens_at.tzinfo is None) != (closes_at.tzinfo is None):
        reader.problem((*path, "closes_at"), "Ange tidszon för båda tiderna eller för ingen av dem.")
        # Naive and aware times cannot be compared, and the entry is still validated.
        closes_at = closes_at.replace(tzinfo=opens_at.tzinfo)
    return {
        "id": reader.uuid(data, "id", path),
        "days": _weekdays(reader, data, path),
        "opens_at": opens_at,
        "closes_at": closes_at,
        "note": reader.text(data, "description", path),
    }


def language_to_hsds(code: str, service_id: UUID, key: str) -> JsonObject:
    """An HSDS language of a service; `key` tells repeats of a code apart for the id."""
    data: JsonObject = {"id": str(derived_id("language", service_id, key)), "service_id": str(service_id)}
    data["code"] = code
    _put(data, "name", language_name(code) or "")
    return data


def language_from_hsds(reader: Reader, data: Mapping[str, object], path: JsonPath) -> str:
    """The ISO 639 code of a language."""
    return reader.text(data, "code", path, required=True)


def service_area_to_hsds(area: Area, service_id: UUID, key: str) -> JsonObject:
    """An HSDS service area naming a catchment area by URN; `key` tells repeated areas apart for the id."""
    name = area_title(area)
    return {
        "id": str(derived_id("service_area", service_id, key)),
        "service_id": str(service_id),
        "name": name,
        "extent": name,
        "extent_type": TEXT_EXTENT,
        "uri": area_urn(area),
    }


def service_area_from_hsds(reader: Reader, data: Mapping[str, object], path: JsonPath) -> JsonObject:
    """The fields of an Area, from the service area's URN (its code is checked by `validate_service`)."""
    uri = reader.text(data, "uri", path, required=True)
    area = area_from_urn(uri) if uri else None
    if area is None:
        if uri:
            reader.problem(
                (*path, "uri"), f"Okänt område {uri!r}; ange till exempel urn:avhopp:area:municipality:1480."
            )
        return {"kind": "country", "code": ""}
    return {"kind": area.kind, "code": area.code}


def address_to_hsds(location: Location) -> JsonObject:
    """The one address of a location; `region` names its municipality, `state_province` its county.

    HSDS requires street, city and postal code, which a location may leave empty: they are then
    empty strings, which the JSON Schema accepts but a strict tabular validator reports as missing.
    """
    return {
        "id": str(derived_id("address", location.id)),
        "location_id": str(location.id),
        "address_1": location.address,
        "city": location.city,
        "region": municipality_name(location.municipality_code) or location.municipality_code,
        "state_province": county_name_of_municipality(location.municipality_code) or "",
        "postal_code": location.postal_code,
        "country": COUNTRY_CODE,
        "address_type": PHYSICAL,
    }


def location_to_hsds(location: Location, org: OrganizationEntry) -> JsonObject:
    """An HSDS location (with its address) where `org` gives a service, for `/locations` and for nesting."""
    data: JsonObject = {
        "id": str(location.id),
        "location_type": PHYSICAL,
        "organization_id": str(org.id),
    }
    _put(data, "name", location.name)
    _put(data, "description", location.description)
    data["addresses"] = [address_to_hsds(location)]
    return data


def _address_from_hsds(reader: Reader, data: Mapping[str, object], path: JsonPath) -> JsonObject:
    for key, expected in (("country", COUNTRY_CODE), ("address_type", PHYSICAL)):
        value = reader.text(data, key, path)
        if value and value != expected:
            reader.problem((*path, key), f"Bara {expected!r} kan tas emot, inte {value!r}.")
    region = reader.text(data, "region", path)
    if not region:
        reader.problem((*path, "region"), "Ange kommunen (region), till exempel Göteborg.")
    street = ", ".join(
        part for part in (reader.text(data, "address_1", path), reader.text(data, "address_2", path)) if part
    )
    return {
        # A name is looked up; anything else is taken as a code, which validate_service checks.
        "municipality_code": municipality_code(region) or region,
        "address": street,
        "postal_code": reader.text(data, "postal_code", path),
        "city": reader.text(data, "city", path),
    }


def location_from_hsds(reader: Reader, data: Mapping[str, object], path: JsonPath) -> JsonObject:
    """The fields of a Location: a physical place with exactly one address in a Swedish municipality."""
    location_type = reader.text(data, "location_type", path, required=True)
    if location_type and location_type != PHYSICAL:
        reader.problem((*path, "location_type"), f"Bara besöksadresser ({PHYSICAL!r}) kan tas emot.")
    addresses = reader.objects(data, "addresses", path)
    if not addresses:
        reader.problem((*path, "addresses"), "Platsen saknar adress med kommun.")
    for extra_path, _ in addresses[1:]:
        reader.problem((*extra_path, "id"), "Bara en adress per plats kan tas emot.")
    address = _address_from_hsds(reader, addresses[0][1], addresses[0][0]) if addresses else {}
    return {
        "id": reader.uuid(data, "id", path),
        "name": reader.text(data, "name", path),
        "description": reader.text(data, "description", path),
        "municipality_code": address.get("municipality_code", ""),
        "address": address.get("address", ""),
        "postal_code": address.get("postal_code", ""),
        "city": address.get("city", ""),
    }


def service_at_location_to_hsds(service_id: UUID, location: Location, org: OrganizationEntry) -> JsonObject:
    """An HSDS service_at_location with the location nested."""
    return {
        "id": str(derived_id("service_at_location", service_id, location.id)),
        "service_id": str(service_id),
        "location_id": str(location.id),
        "location": location_to_hsds(location, org),
    }


def service_at_location_from_hsds(reader: Reader, data: Mapping[str, object], path: JsonPath) -> JsonObject:
    """The fields of the Location a service_at_location nests."""
    if not isinstance(data.get("location"), dict):
        reader.problem((*path, "location_id"), "Platsen saknas eller kunde inte läsas.")
        return {"id": UUID(int=0), "name": "", "municipality_code": ""}
    location = location_from_hsds(reader, reader.mapping(data["location"], (*path, "location")), (*path, "location"))
    location_id = reader.text(data, "location_id", path)
    if location_id and location_id.lower() != str(location["id"]):
        reader.problem((*path, "location_id"), "Pekar inte på den nästlade platsen.")
    return location
