"""The directory's seed catalogue: the operations of Brå's 2014 survey and the regular public actors.

The hand-written entries live in `data/survey_2014.toml`, in our own Swedish words; this module
turns them into entries, adds one personal-security unit per police region and the social
services of every municipality, and gives everything a stable id. Nothing in the seed is
confirmed by its owner: `verified_on` is None and `source_note` says where the facts come from,
so the directory flags each entry until the organisation confirms it.

Ids are UUIDv5 of a fixed namespace and a stable key ("service:kc-goteborg",
"organization:kommun-1480", "phone:socialtjanst-1480:0"), so seeding twice writes the same rows.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any
from uuid import UUID, uuid5

import msgspec

from avhopp.directory.catalogue.entry import OrganizationEntry, ServiceEntry, validate_organization, validate_service
from avhopp.directory.catalogue.vocabulary import AreaKind
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.problems import FieldProblem, InvalidInputError
from avhopp.tenants.registry.service import municipality_organisation_name

SEED_NAMESPACE = UUID("5b0f4c36-8d0e-4d0a-9a51-3f0c2b7e6a19")
"""Never change: every seeded id is derived from it."""

SURVEY_NOTE = "Uppgifter från Brås kartläggning (rapport 2016:6), läget 2014. Ska bekräftas av verksamheten."
"""The source note of an entry whose data file entry names none."""

COORDINATOR_SLUG = "bra"
"""The owner of entries whose organisation has no tenant of its own."""

_DATA_FILE = "survey_2014.toml"
# Child lists of a service and the prefix of their ids.
_CHILDREN = {"phones": "phone", "contacts": "contact", "opening_hours": "hours", "locations": "location"}


@dataclass(frozen=True, slots=True)
class SeedOrganization:
    """An organisation of the seed, its services, and the slug of the tenant that owns them."""

    owner_slug: str
    """A demo tenant's slug where the organisation has one, "kommun-XXXX" for a municipality's
    social services, otherwise "bra" (the national coordinator)."""
    organization: OrganizationEntry
    services: tuple[ServiceEntry, ...]


def _id(kind: str, key: str) -> UUID:
    return uuid5(SEED_NAMESPACE, f"{kind}:{key}")


def seed_service_id(key: str) -> UUID:
    """The id of a seeded service by its key, e.g. "kc-goteborg" or "socialtjanst-1480"."""
    return _id("service", key)


def seed_organization_id(key: str) -> UUID:
    """The id of a seeded organisation by its key, e.g. "kc-goteborg" or "kommun-1480"."""
    return _id("organization", key)


@cache
def _data() -> dict[str, Any]:
    text = files("avhopp.directory.catalogue").joinpath("data", _DATA_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _filled(value: Any, names: dict[str, str]) -> Any:  # noqa: ANN401 - any TOML value
    """A template value with {region}, {municipality} and {organisation} filled in."""
    if isinstance(value, str):
        return value.format_map(names)
    if isinstance(value, list):
        return [_filled(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item, names) for key, item in value.items()}
    return value


def _organization(key: str, fields: dict[str, Any]) -> OrganizationEntry:
    document = {name: value for name, value in fields.items() if name not in {"key", "owner"}}
    entry = msgspec.convert({**document, "id": seed_organization_id(key)}, OrganizationEntry)
    _raise_if_invalid(f"organization:{key}", validate_organization(entry))
    return entry


def _service(key: str, organization_key: str, fields: dict[str, Any]) -> ServiceEntry:
    document = {name: value for name, value in fields.items() if name not in {"key", "organization"}}
    for field, prefix in _CHILDREN.items():
        document[field] = [
            {**child, "id": _id(prefix, f"{key}:{index}")} for index, child in enumerate(document.get(field, []))
        ]
    document.setdefault("source_note", SURVEY_NOTE)
    entry = msgspec.convert(
        {
            **document,
            "id": seed_service_id(key),
            "organization_id": seed_organization_id(organization_key),
            "verified_on": None,
        },
        ServiceEntry,
    )
    _raise_if_invalid(f"service:{key}", validate_service(entry))
    return entry


def _raise_if_invalid(key: str, problems: list[FieldProblem]) -> None:
    if problems:
        raise InvalidInputError([FieldProblem(f"{key}.{p.field}", p.message) for p in problems])


def _police_regions() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(owner, key, organisation, service) of each police region's personal-security unit."""
    template = _data()["templates"]["police_region"]
    units = []
    for code, name in sorted(shipped_geography().police_regions.items()):
        names = {"region": name}
        service = _filled(template["service"], names) | {
            "catchment": [{"kind": AreaKind.POLICE_REGION.value, "code": code}]
        }
        # The coordinator owns every region's unit: the Bergslagen demo tenant is the region's
        # defector programme (its own organisation in the data file), not its whole unit.
        units.append(
            (
                COORDINATOR_SLUG,
                f"polisregion-{code}",
                _filled(template["organization"], names),
                service | {"key": f"personsakerhet-{code}"},
            )
        )
    return units


def _social_services() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(owner, key, organisation, service) of every municipality's social services."""
    template = _data()["templates"]["social_services"]
    phones: dict[str, list[dict[str, Any]]] = {}
    for phone in _data().get("social_services_phone", []):
        number = {name: value for name, value in phone.items() if name != "municipality_code"}
        phones.setdefault(phone["municipality_code"], []).append(number)
    units = []
    for municipality in shipped_geography().municipalities:
        code = municipality.code
        names = {
            "municipality": municipality.name,
            "organisation": municipality_organisation_name(code, municipality.name),
        }
        service = _filled(template["service"], names) | {
            "key": f"socialtjanst-{code}",
            "catchment": [{"kind": AreaKind.MUNICIPALITY.value, "code": code}],
            "phones": phones.get(code, []),
        }
        units.append((f"kommun-{code}", f"kommun-{code}", _filled(template["organization"], names), service))
    return units


@cache
def seed_catalogue() -> tuple[SeedOrganization, ...]:
    """The whole seed, in a fixed order: police regions, the survey's organisations, municipalities.

    Raises:
        InvalidInputError: an entry of the data file is invalid (a bug in the seed).
        KeyError: a service names an organisation the seed does not have.

    """
    owners: dict[str, str] = {}
    organizations: dict[str, OrganizationEntry] = {}
    services: dict[str, list[ServiceEntry]] = {}

    def add(owner: str, key: str, organization: dict[str, Any]) -> None:
        if key in organizations:
            raise InvalidInputError([FieldProblem(f"organization:{key}", "Nyckeln finns redan.")])
        owners[key] = owner
        organizations[key] = _organization(key, organization)
        services[key] = []

    generated = _police_regions()
    for owner, key, organization, _service_fields in generated:
        add(owner, key, organization)
    for organization in _data()["organization"]:
        add(organization["owner"], organization["key"], organization)
    municipal = _social_services()
    for owner, key, organization, _service_fields in municipal:
        add(owner, key, organization)

    for _owner, key, _organization_fields, service in generated:
        services[key].append(_service(service["key"], key, service))
    for service in _data()["service"]:
        services[service["organization"]].append(_service(service["key"], service["organization"], service))
    for _owner, key, _organization_fields, service in municipal:
        services[key].append(_service(service["key"], key, service))

    return tuple(SeedOrganization(owners[key], organizations[key], tuple(services[key])) for key in organizations)
