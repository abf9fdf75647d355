"""HSDS tables (CSV files) as the vendored datapackage.json describes them: columns, checks, files.

Reading a table checks what can be checked one row at a time (required cells, UUIDs, numbers,
dates, times, allowed values, unique ids) and, across tables, every foreign key; each problem
names its file, data row and column. Building entries from the rows is `package`'s job.
"""

from __future__ import annotations

import copy
import csv
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from typing import TYPE_CHECKING
from uuid import UUID

from avhopp.directory.catalogue.hsds.taxonomy import find_term
from avhopp.directory.catalogue.hsds.vendored import datapackage_descriptor
from avhopp.platform.exports import restored, write_csv

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from pathlib import Path

RESOURCE_NAMES = (
    "organization",
    "organization_identifier",
    "service",
    "attribute",
    "service_area",
    "phone",
    "schedule",
    "contact",
    "language",
    "service_at_location",
    "location",
    "address",
    "taxonomy",
    "taxonomy_term",
    "program",
)
"""The HSDS resources we write and read: those our entries use, and `program`, which we leave empty
but write so that every foreign key in the copied resource schemas resolves inside the package
(programs in packages from elsewhere are ignored)."""
REQUIRED_FILES = ("organization",)

# HSDS requires street, city and postal code of an address, but a location of ours may leave them
# empty (details.address_to_hsds writes empty strings); we accept such rows rather than reject our own.
_OPTIONAL_FOR_US = {("address", "address_1"), ("address", "city"), ("address", "postal_code")}
# Our entries hang these only on a service (or an address on a location); HSDS also allows other owners.
_REQUIRED_FOR_US = {
    ("phone", "service_id"),
    ("contact", "service_id"),
    ("schedule", "service_id"),
    ("language", "service_id"),
    ("service_area", "service_id"),
    ("address", "location_id"),
}
ATTRIBUTE_OWNERS = {"organization": "organization", "service": "service", "phone": "phone", "schedule": "schedule"}
"""The `link_entity` values we read, with the resource each links to."""

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_INTEGER = re.compile(r"^-?[0-9]+$")
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TIME = re.compile(r"^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?$")
_DATETIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*$")
_MISSING = "Fältet måste fyllas i."


@dataclass(frozen=True, slots=True)
class PackageProblem:
    """One thing wrong in a data package, in Swedish.

    `row` counts data rows from 1 (the header is not counted) and is None for the whole file;
    `field` is the column, None when no single column is at fault.
    """

    file: str
    row: int | None
    field: str | None
    message: str


@dataclass(frozen=True, slots=True)
class Column:
    """A column as the vendored descriptor defines it."""

    name: str
    type: str
    format: str | None
    required: bool
    allowed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Resource:
    """A table as the vendored descriptor defines it."""

    name: str
    path: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[tuple[str, str], ...]
    """(column, parent resource) pairs whose parent we read too."""

    @property
    def column_names(self) -> tuple[str, ...]:
        """The header row."""
        return tuple(column.name for column in self.columns)


def _vendored_resources() -> list[dict[str, object]]:
    resources = datapackage_descriptor()["resources"]
    if not isinstance(resources, list):
        raise TypeError("datapackage.json has no resource list")
    return [resource for resource in resources if isinstance(resource, dict)]


def _column(resource: str, spec: Mapping[str, object]) -> Column:
    name = str(spec["name"])
    constraints = spec.get("constraints")
    constraints = constraints if isinstance(constraints, dict) else {}
    allowed = constraints.get("enum")
    required = bool(constraints.get("required")) and (resource, name) not in _OPTIONAL_FOR_US
    return Column(
        name=name,
        type=str(spec.get("type", "string")),
        format=str(spec["format"]) if "format" in spec else None,
        required=required or (resource, name) in _REQUIRED_FOR_US,
        allowed=tuple(str(value) for value in allowed) if isinstance(allowed, list) else (),
    )


def _foreign_keys(schema: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    keys = schema.get("foreignKeys")
    pairs: list[tuple[str, str]] = []
    for key in keys if isinstance(keys, list) else []:
        reference = key.get("reference") if isinstance(key, dict) else None
        if isinstance(reference, dict) and reference.get("resource") in RESOURCE_NAMES:
            pairs.append((str(key["fields"]), str(reference["resource"])))
    return tuple(pairs)


@cache
def resources() -> dict[str, Resource]:
    """The tables we read and write, in the vendored descriptor's order."""
    found: dict[str, Resource] = {}
    for spec in _vendored_resources():
        name = str(spec["name"])
        schema = spec.get("schema")
        if name not in RESOURCE_NAMES or not isinstance(schema, dict):
            continue
        fields = schema.get("fields")
        columns = tuple(_column(name, item) for item in (fields if isinstance(fields, list) else []))
        found[name] = Resource(name, str(spec["path"]), columns, _foreign_keys(schema))
    return found


def resource_descriptor(name: str) -> dict[str, object]:
    """A copy of the vendored descriptor of one resource (path, description, schema …)."""
    return copy.deepcopy(next(spec for spec in _vendored_resources() if spec.get("name") == name))


def cell(value: object) -> str:
    """A JSON scalar as a CSV cell; missing is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise TypeError(f"not a scalar: {value!r}")


def write_table(directory: Path, resource: Resource, rows: Iterable[Mapping[str, str]]) -> None:
    """Write one table: UTF-8, a header row, RFC 4180 quoting and line ends, no cell a formula."""
    with (directory / resource.path).open("w", encoding="utf-8", newline="") as handle:
        header = resource.column_names
        write_csv(handle, [header, *([row.get(name, "") for name in header] for row in rows)])


@dataclass(slots=True)
class Row:
    """One data row: its number, its typed non-empty cells, and whether it passed every check."""

    number: int
    values: dict[str, object]
    ok: bool = True


@dataclass(slots=True)
class Table:
    """One table as read."""

    resource: Resource
    rows: list[Row] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    """Every id in the file, also of rows that failed: their children are not reported a second time."""
    usable: bool = True
    """False when the file could not be read or lacks a required column: its rows are not used."""


def _number(text: str) -> object:
    if not _NUMBER.fullmatch(text) or not math.isfinite(float(text)):
        raise ValueError(text)
    return int(text) if _INTEGER.fullmatch(text) else float(text)


def _matching(pattern: re.Pattern[str], parse: Callable[[str], object]) -> Callable[[str], object]:
    """A check that `text` has the pattern and parses; the text itself is kept for the inverse mapping."""

    def check(text: str) -> object:
        if not pattern.fullmatch(text):
            raise ValueError(text)
        parse(text)
        return text

    return check


_PARSERS: dict[str, Callable[[str], object]] = {
    "uuid": _matching(_UUID, UUID),
    "number": _number,
    "date": _matching(_DATE, date.fromisoformat),
    "time": _matching(_TIME, time.fromisoformat),
    "datetime": _matching(_DATETIME, datetime.fromisoformat),
}
_EXPECTED = {
    "uuid": "ett UUID",
    "number": "ett tal",
    "date": "ett datum som ÅÅÅÅ-MM-DD",
    "time": "en tid som TT:MM",
    "datetime": "en tidpunkt enligt ISO 8601",
}


def _parse(column: Column, text: str) -> tuple[object, str | None]:
    """A cell's typed value, or the reason it has none."""
    kind = "uuid" if column.format == "uuid" else column.type
    parser = _PARSERS.get(kind)
    try:
        value = parser(text) if parser is not None else text
    except ValueError:
        return None, f"Ska vara {_EXPECTED[kind]}, inte {text!r}."
    if column.allowed and text not in column.allowed:
        return None, f"Okänt värde {text!r}; tillåtna värden: {', '.join(column.allowed)}."
    # Ids are compared across files; UUIDs compare case-insensitively.
    return (value.lower() if kind == "uuid" and isinstance(value, str) else value), None


def _check_row(table: Table, number: int, cells: Mapping[str, str], problems: list[PackageProblem]) -> Row:
    resource = table.resource
    row = Row(number, {})
    for column in resource.columns:
        text = cells.get(column.name, "")
        if not text:
            if column.required and column.name in cells:
                problems.append(PackageProblem(resource.path, number, column.name, _MISSING))
                row.ok = False
            continue
        value, problem = _parse(column, text)
        if problem is not None:
            problems.append(PackageProblem(resource.path, number, column.name, problem))
            row.ok = False
        else:
            row.values[column.name] = value
    identifier = row.values.get("id")
    if isinstance(identifier, str):
        if identifier in table.ids:
            problems.append(PackageProblem(resource.path, number, "id", f"Id:t {identifier} finns redan i filen."))
            row.ok = False
        table.ids.add(identifier)
    return row


def _header_problems(resource: Resource, header: list[str]) -> list[PackageProblem]:
    problems = [
        PackageProblem(resource.path, None, column.name, "Kolumnen saknas.")
        for column in resource.columns
        if column.required and column.name not in header
    ]
    problems.extend(
        PackageProblem(resource.path, None, name, "Kolumnen finns mer än en gång.")
        for name in sorted({name for name in header if header.count(name) > 1})
    )
    return problems


def read_table(directory: Path, resource: Resource, problems: list[PackageProblem]) -> Table:
    """Read and check one table; a missing optional file is an empty table."""
    table = Table(resource)
    path = directory / resource.path
    if not path.is_file():
        if resource.name in REQUIRED_FILES:
            problems.append(PackageProblem(resource.path, None, None, "Filen saknas."))
            table.usable = False
        return table
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            # Our own exports neutralise cells that a spreadsheet would compute (avhopp.platform.exports).
            records = [
                [restored(cell) for cell in record] for record in csv.reader(handle, dialect="excel", strict=True)
            ]
    except (UnicodeDecodeError, csv.Error) as error:
        problems.append(PackageProblem(resource.path, None, None, f"Filen kan inte läsas som CSV i UTF-8: {error}"))
        table.usable = False
        return table
    if not records:
        problems.append(PackageProblem(resource.path, None, None, "Filen saknar rubrikrad."))
        table.usable = False
        return table
    header, *data = records
    header_problems = _header_problems(resource, header)
    problems.extend(header_problems)
    table.usable = not header_problems
    for number, record in enumerate(data, start=1):
        if not record:
            continue  # a blank line, as editors tend to leave at the end
        padded = record + [""] * (len(header) - len(record))
        row = _check_row(table, number, dict(zip(header, padded, strict=False)), problems)
        if len(record) > len(header):
            problems.append(PackageProblem(resource.path, number, None, "Raden har fler fält än rubrikraden."))
            row.ok = False
        table.rows.append(row)
    return table


def _reference_problem(resource: Resource, row: Row, column: str, parent: Resource) -> PackageProblem:
    value = row.values[column]
    return PackageProblem(resource.path, row.number, column, f"{value} finns inte i {parent.path}.")


def check_references(tables: Mapping[str, Table], problems: list[PackageProblem]) -> None:
    """Check every foreign key, the polymorphic attribute link and that attribute terms are ours."""
    for table in tables.values():
        for column, parent_name in table.resource.foreign_keys:
            parent = tables[parent_name]
            for row in table.rows:
                if column in row.values and row.values[column] not in parent.ids:
                    problems.append(_reference_problem(table.resource, row, column, parent.resource))
                    row.ok = False
    attributes = tables["attribute"]
    for row in attributes.rows:
        entity = row.values.get("link_entity")
        owner = ATTRIBUTE_OWNERS.get(str(entity).lower()) if entity is not None else None
        if entity is not None and owner is None:
            problems.append(
                PackageProblem(
                    attributes.resource.path,
                    row.number,
                    "link_entity",
                    f"Attribut för {entity!r} kan inte tas emot; bara för {', '.join(ATTRIBUTE_OWNERS)}.",
                )
            )
            row.ok = False
        elif owner is not None and "link_id" in row.values and row.values["link_id"] not in tables[owner].ids:
            problems.append(_reference_problem(attributes.resource, row, "link_id", tables[owner].resource))
            row.ok = False
        term_id = row.values.get("taxonomy_term_id")
        if isinstance(term_id, str) and find_term(UUID(term_id)) is None:
            problems.append(
                PackageProblem(
                    attributes.resource.path,
                    row.number,
                    "taxonomy_term_id",
                    f"Okänd taxonomiterm {term_id}: bara Avhopps egna termer kan tas emot.",
                )
            )
            row.ok = False
