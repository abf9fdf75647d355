"""HSDS tabular data packages (CSV files and datapackage.json): writing a catalogue and reading one back.

Writing flattens the HSDS JSON that `mapping` produces into the vendored descriptor's tables, so
the JSON and the tables cannot drift apart. Reading checks every row (see `tabular`), nests the
good rows back into HSDS JSON, builds entries only through `mapping`'s inverse functions and
checks them with `validate_organization`/`validate_service`. Every problem is reported with its
file, row and column; a package with any problem yields nothing.

The tenant that owns an organisation travels as an organization_identifier with the scheme
`avhopp-tenant`, so a package can be re-imported into the right hands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from avhopp.directory.catalogue.entry import OrganizationEntry, ServiceEntry, validate_organization, validate_service
from avhopp.directory.catalogue.hsds.mapping import (
    organization_field_path,
    organization_identifier_to_hsds,
    organization_to_hsds,
    read_organization,
    read_service,
    service_field_path,
    service_to_hsds,
)
from avhopp.directory.catalogue.hsds.tabular import (
    RESOURCE_NAMES,
    PackageProblem,
    Row,
    Table,
    cell,
    check_references,
    read_table,
    resource_descriptor,
    resources,
    write_table,
)
from avhopp.directory.catalogue.hsds.taxonomy import hsds_taxonomies, hsds_taxonomy_terms
from avhopp.platform.settings import DEFAULT_DATA_LICENCE, OPEN_DATA_LICENCES

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path

    from avhopp.directory.catalogue.hsds.reading import JsonObject, JsonPath, MappingProblem
    from avhopp.platform.problems import FieldProblem

__all__ = ["PackageOrganization", "PackageProblem", "PackageRejectedError", "read_package", "write_package"]

DESCRIPTOR = "datapackage.json"
TENANT_SCHEME = "avhopp-tenant"
TENANT_TYPE = "Ägande organisation i Avhopp"
ATTRIBUTION = "Human Services Data Specification: an Open Referral resource (https://openreferral.org/)"
SCHEMA_LICENCE = {
    "name": "CC-BY-SA-4.0",
    "path": "https://creativecommons.org/licenses/by-sa/4.0/",
    "title": "Creative Commons Attribution-ShareAlike 4.0",
}
"""The licence of HSDS, whose schemas the package's resources copy (adapted): the schemas only, not the data."""


def data_licence(spdx: str) -> JsonObject:
    """The package licence of the directory's data, as the settings name it (CC0 1.0 unless chosen otherwise)."""
    title, path = OPEN_DATA_LICENCES[spdx]
    return {"name": spdx, "path": path, "title": title}


@dataclass(frozen=True, slots=True)
class PackageOrganization:
    """An organisation with its services and the slug of the tenant that owns them."""

    owner_slug: str
    organization: OrganizationEntry
    services: tuple[ServiceEntry, ...]


class PackageRejectedError(ValueError):
    """A data package has problems; nothing was read."""

    def __init__(self, problems: list[PackageProblem]) -> None:
        super().__init__(
            "; ".join(f"{p.file}, rad {p.row or '-'}, {p.field or '-'}: {p.message}" for p in problems[:20])
        )
        self.problems = problems


# Writing ---------------------------------------------------------------------------------------


def _objects(data: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    value = data.get(key, [])
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


class _Rows:
    """The rows of every table, by id; an object met twice (a shared location) is written once."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, dict[str, str]]] = {name: {} for name in RESOURCE_NAMES}

    def add(self, resource: str, data: Mapping[str, object]) -> None:
        row = {name: cell(data.get(name)) for name in resources()[resource].column_names}
        existing = self.tables[resource].setdefault(row["id"], row)
        if existing != row:
            raise ValueError(f"{resource} {row['id']} occurs twice with different content")

    def add_with_attributes(self, resource: str, data: Mapping[str, object]) -> None:
        self.add(resource, data)
        for attribute in _objects(data, "attributes"):
            self.add("attribute", attribute)

    def add_location(self, location: Mapping[str, object]) -> None:
        self.add("location", location)
        for address in _objects(location, "addresses"):
            self.add("address", address)

    def add_service(self, service: Mapping[str, object]) -> None:
        self.add_with_attributes("service", service)
        for phone in _objects(service, "phones"):
            self.add_with_attributes("phone", phone)
        for schedule in _objects(service, "schedules"):
            self.add_with_attributes("schedule", schedule)
        for key, resource in (
            ("service_areas", "service_area"),
            ("languages", "language"),
            ("contacts", "contact"),
        ):
            for item in _objects(service, key):
                self.add(resource, item)
        for link in _objects(service, "service_at_locations"):
            self.add("service_at_location", link)
            location = link.get("location")
            if isinstance(location, dict):
                self.add_location(location)


def _descriptor(written: Sequence[str], *, include_internal: bool, licence: str) -> JsonObject:
    licensed = data_licence(licence)
    description = (
        "Avhopps katalog över stöd till den som vill lämna en kriminell grupp, i Open Referrals format HSDS 3.1. "
        f"Katalogens uppgifter får användas enligt {licensed['title']} ({licence}), som den nationella "
        "samordnaren har valt. "
        f"Bara tabellernas scheman är bearbetade från {ATTRIBUTION} och delas därför under CC BY-SA 4.0 "
        "(schemaLicenses); den licensen gäller inte uppgifterna."
    )
    if include_internal:
        description += " Innehåller telefonnummer som bara yrkespersoner får se: publicera inte paketet."
    return {
        "profile": "tabular-data-package",
        "name": "avhopp-directory",
        "title": "Avhopp – katalog över stöd för avhoppare (HSDS 3.1)",
        "description": description,
        "licenses": [licensed],
        "schemaLicenses": [SCHEMA_LICENCE],
        "sources": [{"title": ATTRIBUTION.split(" (", 1)[0], "path": "https://openreferral.org/"}],
        "resources": [resource_descriptor(name) for name in written],
    }


def write_package(
    target_dir: Path,
    catalogue: Sequence[PackageOrganization],
    *,
    include_internal: bool,
    licence: str = DEFAULT_DATA_LICENCE,
) -> None:
    """Write `catalogue` as an HSDS tabular data package into `target_dir` (created if need be).

    Every table our entries use is written, with all of HSDS's columns and a header row even when
    empty, together with all our taxonomies (and an empty programs.csv, so that every foreign key
    in the copied schemas resolves). `include_internal` False leaves out internal phones.

    Raises:
        ValueError: an organisation has no owner, or two objects share an id but differ (e.g. one
            location in the services of two organisations).

    """
    rows = _Rows()
    for taxonomy in hsds_taxonomies():
        rows.add("taxonomy", taxonomy)
    for term in hsds_taxonomy_terms():
        rows.add("taxonomy_term", term)
    for item in catalogue:
        if not item.owner_slug:
            raise ValueError(f"organisation {item.organization.id} has no owner")
        org = item.organization
        organization = organization_to_hsds(org, item.services, include_internal=include_internal)
        rows.add_with_attributes("organization", organization)
        for identifier in _objects(organization, "organization_identifiers"):
            rows.add("organization_identifier", identifier)
        rows.add(
            "organization_identifier",
            organization_identifier_to_hsds(org.id, TENANT_SCHEME, TENANT_TYPE, item.owner_slug),
        )
        for location in _objects(organization, "locations"):
            rows.add_location(location)
        for service in item.services:
            rows.add_service(service_to_hsds(service, org, include_internal=include_internal))
    target_dir.mkdir(parents=True, exist_ok=True)
    written = list(resources())
    for name in written:
        write_table(target_dir, resources()[name], rows.tables[name].values())
    text = json.dumps(
        _descriptor(written, include_internal=include_internal, licence=licence), ensure_ascii=False, indent=2
    )
    (target_dir / DESCRIPTOR).write_text(text + "\n", encoding="utf-8")


# Reading ---------------------------------------------------------------------------------------

Entry = TypeVar("Entry", OrganizationEntry, ServiceEntry)


@dataclass(slots=True)
class _Assembled:
    """HSDS JSON nested from good rows, with the file and row each part came from."""

    data: JsonObject
    origins: dict[JsonPath, tuple[str, int]]
    incomplete: set[JsonPath] = field(default_factory=set)
    """Arrays that lack rows because those rows had problems, which are reported already:
    a problem about such an array as a whole (e.g. "no area") is only a consequence."""


@dataclass(frozen=True, slots=True)
class _Children:
    """The rows of `resource` whose `column` holds `parent_id` (and, for attributes, whose link_entity is `entity`)."""

    resource: str
    column: str
    parent_id: object
    entity: str = ""

    def __call__(self, row: Row) -> bool:
        return self.parent_id == row.values.get(self.column) and (
            not self.entity or str(row.values.get("link_entity", "")).lower() == self.entity
        )


class _Nesting:
    """Good rows nested back into HSDS JSON, as `mapping` writes it."""

    def __init__(self, tables: Mapping[str, Table]) -> None:
        self.tables = tables

    def rows(self, resource: str) -> list[Row]:
        table = self.tables[resource]
        return [row for row in table.rows if row.ok] if table.usable else []

    def select(self, built: _Assembled, children: _Children, path: JsonPath) -> list[Row]:
        """The good rows that `children` selects for the array at `path`, noting if some were bad."""
        table = self.tables[children.resource]
        if not table.usable or any(not row.ok and children(row) for row in table.rows):
            built.incomplete.add(path)
        return [row for row in self.rows(children.resource) if children(row)]

    def nest(self, built: _Assembled, children: _Children, path: JsonPath) -> list[tuple[JsonObject, Row]]:
        """The good rows that `children` selects, as JSON objects at `path`."""
        rows = self.select(built, children, path)
        for index, row in enumerate(rows):
            built.origins[(*path, index)] = (self.tables[children.resource].resource.path, row.number)
        return [(dict(row.values), row) for row in rows]

    def array(self, built: _Assembled, children: _Children, path: JsonPath) -> list[JsonObject]:
        """`nest` without the rows."""
        return [data for data, _ in self.nest(built, children, path)]

    def organization(self, row: Row) -> _Assembled:
        built = _Assembled(dict(row.values), {(): (resources()["organization"].path, row.number)})
        org_id = row.values["id"]
        built.data["organization_identifiers"] = self.array(
            built, _Children("organization_identifier", "organization_id", org_id), ("organization_identifiers",)
        )
        built.data["attributes"] = self.array(
            built, _Children("attribute", "link_id", org_id, "organization"), ("attributes",)
        )
        return built

    def _locations(self, built: _Assembled, service_id: object) -> list[JsonObject]:
        links: list[JsonObject] = []
        children = _Children("service_at_location", "service_id", service_id)
        for link_row in self.select(built, children, ("service_at_locations",)):
            location_id = link_row.values.get("location_id")
            location = next((row for row in self.rows("location") if row.values["id"] == location_id), None)
            if location is None:
                # The location's own row (or its file) is wrong and reported; leave the link out.
                built.incomplete.add(("service_at_locations",))
                continue
            path: JsonPath = ("service_at_locations", len(links))
            built.origins[path] = (resources()["service_at_location"].path, link_row.number)
            built.origins[(*path, "location")] = (resources()["location"].path, location.number)
            nested: JsonObject = dict(location.values)
            nested["addresses"] = self.array(
                built, _Children("address", "location_id", location_id), (*path, "location", "addresses")
            )
            links.append(dict(link_row.values) | {"location": nested})
        return links

    def service(self, row: Row) -> _Assembled:
        built = _Assembled(dict(row.values), {(): (resources()["service"].path, row.number)})
        service_id = row.values["id"]
        phones: list[JsonObject] = []
        for index, (phone, phone_row) in enumerate(
            self.nest(built, _Children("phone", "service_id", service_id), ("phones",))
        ):
            attributes_path: JsonPath = ("phones", index, "attributes")
            phone["attributes"] = self.array(
                built, _Children("attribute", "link_id", phone_row.values["id"], "phone"), attributes_path
            )
            phones.append(phone)
        built.data["phones"] = phones
        schedules: list[JsonObject] = []
        for index, (schedule, schedule_row) in enumerate(
            self.nest(built, _Children("schedule", "service_id", service_id), ("schedules",))
        ):
            schedule["attributes"] = self.array(
                built,
                _Children("attribute", "link_id", schedule_row.values["id"], "schedule"),
                ("schedules", index, "attributes"),
            )
            schedules.append(schedule)
        built.data["schedules"] = schedules
        for key, resource in (
            ("service_areas", "service_area"),
            ("languages", "language"),
            ("contacts", "contact"),
        ):
            built.data[key] = self.array(built, _Children(resource, "service_id", service_id), (key,))
        built.data["service_at_locations"] = self._locations(built, service_id)
        built.data["attributes"] = self.array(
            built, _Children("attribute", "link_id", service_id, "service"), ("attributes",)
        )
        return built


def _locate(path: JsonPath, built: _Assembled, message: str) -> PackageProblem:
    """The problem at a JSON path, placed in the file and row that the innermost part came from."""
    for cut in range(len(path), -1, -1):
        if path[:cut] in built.origins:
            file, row = built.origins[path[:cut]]
            column = next((part for part in path[cut:] if isinstance(part, str)), None)
            return PackageProblem(file, row, column or "id", message)
    raise LookupError(path)


@dataclass(frozen=True, slots=True)
class _Recipe(Generic[Entry]):
    """How one kind of entry is built and checked.

    The lenient inverse mapping, the validator, and where (a JSON path into the HSDS object) a
    field that the validator names lives.
    """

    read: Callable[[object], tuple[Entry | None, list[MappingProblem]]]
    validate: Callable[[Entry], list[FieldProblem]]
    where: Callable[[str, JsonObject], JsonPath]


_ORGANIZATION = _Recipe(read_organization, validate_organization, organization_field_path)
_SERVICE = _Recipe(read_service, validate_service, lambda field, _: service_field_path(field))


def _entry(built: _Assembled, recipe: _Recipe[Entry], problems: list[PackageProblem]) -> Entry | None:
    """The entry built through the inverse mapping and validated, if neither found a problem.

    Even an entry with mapping problems is validated (its placeholders stand in for what was wrong),
    so that every bad row is reported, not only those the mapping noticed first.
    """
    entry, mapping_problems = recipe.read(built.data)
    found = [(problem.path, problem.message) for problem in mapping_problems]
    if entry is not None:
        found += [(recipe.where(problem.field, built.data), problem.message) for problem in recipe.validate(entry)]
    problems.extend(_locate(path, built, message) for path, message in found if path not in built.incomplete)
    return entry if not found else None


def _check_descriptor(source_dir: Path, problems: list[PackageProblem]) -> None:
    try:
        document = json.loads((source_dir / DESCRIPTOR).read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(PackageProblem(DESCRIPTOR, None, None, "Filen saknas."))
        return
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append(PackageProblem(DESCRIPTOR, None, None, f"Filen är inte giltig JSON: {error}"))
        return
    if not isinstance(document, dict):
        problems.append(PackageProblem(DESCRIPTOR, None, None, "Filen ska innehålla ett JSON-objekt."))


def _owner(nesting: _Nesting, organization: Row, problems: list[PackageProblem]) -> str | None:
    file = resources()["organization_identifier"].path
    owners = [
        row
        for row in nesting.rows("organization_identifier")
        if row.values.get("organization_id") == organization.values["id"]
        and row.values.get("identifier_scheme") == TENANT_SCHEME
    ]
    if not owners:
        problems.append(
            PackageProblem(
                resources()["organization"].path,
                organization.number,
                "id",
                f"Ägaren saknas: en rad i {file} med identifier_scheme {TENANT_SCHEME} behövs.",
            )
        )
        return None
    problems.extend(
        PackageProblem(file, row.number, "identifier_scheme", "Organisationen kan bara ha en ägare.")
        for row in owners[1:]
    )
    return str(owners[0].values.get("identifier", ""))


def _tidy(problems: list[PackageProblem]) -> list[PackageProblem]:
    """One problem per cell, the first found (later ones there are mostly its consequences), by file and row."""
    unique: dict[tuple[str, int | None, str | None], PackageProblem] = {}
    for problem in problems:
        unique.setdefault((problem.file, problem.row, problem.field), problem)
    return sorted(unique.values(), key=lambda p: (p.file, p.row or 0, p.field or ""))


def read_package(source_dir: Path) -> tuple[PackageOrganization, ...]:
    """The catalogue in the HSDS tabular data package in `source_dir`, in the order of its files.

    Raises:
        PackageRejectedError: with every problem in the package; then nothing is returned.

    """
    problems: list[PackageProblem] = []
    _check_descriptor(source_dir, problems)
    tables = {name: read_table(source_dir, resource, problems) for name, resource in resources().items()}
    check_references(tables, problems)
    nesting = _Nesting(tables)
    services: dict[object, list[ServiceEntry]] = {}
    for row in nesting.rows("service"):
        service = _entry(nesting.service(row), _SERVICE, problems)
        if service is not None:
            services.setdefault(row.values["organization_id"], []).append(service)
    catalogue: list[PackageOrganization] = []
    for row in nesting.rows("organization"):
        owner = _owner(nesting, row, problems)
        organization = _entry(nesting.organization(row), _ORGANIZATION, problems)
        if organization is not None and owner is not None:
            catalogue.append(PackageOrganization(owner, organization, tuple(services.get(row.values["id"], ()))))
    if problems:
        raise PackageRejectedError(_tidy(problems))
    return tuple(catalogue)
