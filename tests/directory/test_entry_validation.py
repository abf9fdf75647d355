"""The entry gate: `validate_service` and `validate_organization` name every bad field, and only bad ones.

A valid entry is drawn at random (see `strategies`); then one or more known faults are put
into it, and every fault must come back as a problem naming its field, with a Swedish message.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from typing import TYPE_CHECKING

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from avhopp.directory.catalogue import vocabulary
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
from avhopp.directory.catalogue.vocabulary import AreaKind, Weekday
from avhopp.platform.problems import FieldProblem, InvalidInputError
from tests.directory.strategies import (
    COUNTY_CODES,
    MUNICIPALITY_CODES,
    POLICE_REGION_CODES,
    PROPERTIES,
    organizations,
    services,
)

if TYPE_CHECKING:
    from collections.abc import Callable

_ENUM_VALUES = sorted(
    {
        member.value
        for enum in vars(vocabulary).values()
        if isinstance(enum, type) and issubclass(enum, StrEnum) and enum is not StrEnum
        for member in enum
        if "_" in member.value
    }
)


def _fields(problems: list[FieldProblem]) -> set[str]:
    return {problem.field for problem in problems}


def _unknown(known: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["", "0", "00", "9999", "1480 ", "goteborg", "Väst", "region-vast"]),
        st.text(max_size=6),
    ).filter(lambda code: code not in known)


@dataclass(frozen=True)
class Fault:
    """One thing to break in a valid service: `group` says which fields it touches, so faults can be combined."""

    name: str
    group: str
    apply: Callable[[ServiceEntry], tuple[ServiceEntry, str]]
    """The broken entry and the field its problem must name."""


def _append(entry: ServiceEntry, field: str, item: object) -> tuple[ServiceEntry, str]:
    items = getattr(entry, field)
    return msgspec.structs.replace(entry, **{field: (*items, item)}), f"{field}[{len(items)}]"


def _replace(field: str, value: object) -> Callable[[ServiceEntry], tuple[ServiceEntry, str]]:
    return lambda entry: (msgspec.structs.replace(entry, **{field: value}), field)


def _bad_area(area: Area) -> Callable[[ServiceEntry], tuple[ServiceEntry, str]]:
    def apply(entry: ServiceEntry) -> tuple[ServiceEntry, str]:
        broken, field = _append(entry, "catchment", area)
        return broken, f"{field}.code"

    return apply


def _with_item(field: str, item: object, subfield: str) -> Callable[[ServiceEntry], tuple[ServiceEntry, str]]:
    def apply(entry: ServiceEntry) -> tuple[ServiceEntry, str]:
        broken, path = _append(entry, field, item)
        return broken, f"{path}.{subfield}"

    return apply


_ID = uuid.UUID(int=1)
FAULTS = (
    Fault("empty name", "name", _replace("name", "")),
    Fault("blank name", "name", _replace("name", "   ")),
    Fault("long name", "name", _replace("name", "x" * 201)),
    Fault("empty description", "description", _replace("description", " ")),
    Fault("http url", "url", _replace("url", "http://exempel.se")),
    Fault("url without scheme", "url", _replace("url", "www.exempel.se")),
    Fault("bad e-mail", "email", _replace("email", "info.exempel.se")),
    Fault("e-mail with space", "email", _replace("email", "in fo@exempel.se")),
    Fault("unknown municipality", "catchment", _bad_area(Area(AreaKind.MUNICIPALITY, "9999"))),
    Fault("unknown county", "catchment", _bad_area(Area(AreaKind.COUNTY, "99"))),
    Fault("county code as municipality", "catchment", _bad_area(Area(AreaKind.MUNICIPALITY, "14"))),
    Fault("unknown police region", "catchment", _bad_area(Area(AreaKind.POLICE_REGION, "Väst"))),
    Fault("country with a code", "catchment", _bad_area(Area(AreaKind.COUNTRY, "SE"))),
    Fault(
        "minimum one above maximum",
        "ages",
        lambda e: (msgspec.structs.replace(e, minimum_age=21, maximum_age=20), "maximum_age"),
    ),
    Fault(
        "minimum above maximum",
        "ages",
        lambda e: (msgspec.structs.replace(e, minimum_age=30, maximum_age=20), "maximum_age"),
    ),
    Fault(
        "maximum age 121",
        "ages",
        lambda e: (msgspec.structs.replace(e, minimum_age=None, maximum_age=121), "maximum_age"),
    ),
    Fault(
        "minimum age 121",
        "ages",
        lambda e: (msgspec.structs.replace(e, minimum_age=121, maximum_age=None), "minimum_age"),
    ),
    Fault(
        "negative minimum age",
        "ages",
        lambda e: (msgspec.structs.replace(e, minimum_age=-1, maximum_age=None), "minimum_age"),
    ),
    Fault("bad language", "languages", lambda e: (msgspec.structs.replace(e, languages=("svenska",)), "languages[0]")),
    Fault("phone abc", "phones", _with_item("phones", Phone(id=_ID, number="abc"), "number")),
    Fault("empty phone", "phones", _with_item("phones", Phone(id=_ID, number=""), "number")),
    Fault("contact without title", "contacts", _with_item("contacts", Contact(id=_ID, title=""), "title")),
    Fault(
        "contact with bad e-mail",
        "contacts",
        _with_item("contacts", Contact(id=_ID, title="Jour", email="jour@"), "email"),
    ),
    Fault(
        "closes before it opens",
        "opening_hours",
        _with_item("opening_hours", OpeningHours(_ID, (Weekday.MO,), time(17), time(8)), "closes_at"),
    ),
    Fault(
        "closes when it opens",
        "opening_hours",
        _with_item("opening_hours", OpeningHours(_ID, (Weekday.MO,), time(9), time(9)), "closes_at"),
    ),
    Fault("no days", "opening_hours", _with_item("opening_hours", OpeningHours(_ID, (), time(8), time(17)), "days")),
    Fault(
        "location in unknown municipality",
        "locations",
        _with_item("locations", Location(id=_ID, name="Mottagning", municipality_code="9999"), "municipality_code"),
    ),
    Fault(
        "bad postal code",
        "locations",
        _with_item(
            "locations",
            Location(id=_ID, name="Mottagning", municipality_code="1480", postal_code="4110"),
            "postal_code",
        ),
    ),
)


# --- Valid entries pass ----------------------------------------------------------------------


@PROPERTIES
@given(services(details=True))
def test_a_complete_valid_service_has_no_problems(entry: ServiceEntry) -> None:
    assert validate_service(entry) == []


@PROPERTIES
@given(organizations())
def test_a_valid_organization_has_no_problems(entry: OrganizationEntry) -> None:
    assert validate_organization(entry) == []


@PROPERTIES
@given(
    st.one_of(
        st.sampled_from(MUNICIPALITY_CODES).map(lambda code: Area(AreaKind.MUNICIPALITY, code)),
        st.sampled_from(COUNTY_CODES).map(lambda code: Area(AreaKind.COUNTY, code)),
        st.sampled_from(POLICE_REGION_CODES).map(lambda code: Area(AreaKind.POLICE_REGION, code)),
        st.just(Area(AreaKind.COUNTRY)),
    ),
    services(),
)
def test_every_known_area_is_accepted(area: Area, entry: ServiceEntry) -> None:
    assert validate_service(msgspec.structs.replace(entry, catchment=(area,))) == []


@PROPERTIES
@given(st.integers(0, 120), st.integers(0, 120), services())
def test_every_ordered_age_range_is_accepted(low: int, high: int, entry: ServiceEntry) -> None:
    low, high = sorted((low, high))
    assert validate_service(msgspec.structs.replace(entry, minimum_age=low, maximum_age=high)) == []


@PROPERTIES
@given(st.integers(0, 120), st.integers(0, 120), services())
def test_every_crossed_age_range_is_named(low: int, high: int, entry: ServiceEntry) -> None:
    high, low = sorted((low, high))
    problems = validate_service(msgspec.structs.replace(entry, minimum_age=low, maximum_age=high))
    assert _fields(problems) == (set() if low == high else {"maximum_age"})


# --- Each fault is named ---------------------------------------------------------------------


@PROPERTIES
@given(services(details=True), st.sampled_from(FAULTS))
def test_each_fault_names_its_field(entry: ServiceEntry, fault: Fault) -> None:
    broken, field = fault.apply(entry)
    problems = validate_service(broken)
    assert field in _fields(problems), (fault.name, problems)
    for problem in problems:
        assert problem.message, problem
        assert problem.message.endswith("."), problem


@PROPERTIES
@given(services(details=True), st.lists(st.sampled_from(FAULTS), min_size=2, max_size=8, unique_by=lambda f: f.group))
def test_several_faults_are_all_reported(entry: ServiceEntry, faults: list[Fault]) -> None:
    expected: set[str] = set()
    for fault in faults:
        entry, field = fault.apply(entry)
        expected.add(field)
    problems = validate_service(entry)
    assert expected <= _fields(problems), (sorted(expected - _fields(problems)), [f.name for f in faults])
    touched = {"minimum_age", "maximum_age"} if any(f.group == "ages" for f in faults) else set()
    assert _fields(problems) <= expected | touched, "only broken fields are reported"
    rejection = InvalidInputError(problems)
    assert expected <= set(rejection.by_field())
    # The exception names fields only: messages may quote what was typed, and exceptions reach logs.
    assert str(rejection).split(", ") == [problem.field for problem in problems]


@PROPERTIES
@given(services(details=True), st.sampled_from(COUNTY_CODES))
def test_a_county_code_is_not_a_municipality_code(entry: ServiceEntry, county: str) -> None:
    broken = msgspec.structs.replace(entry, catchment=(Area(AreaKind.COUNTRY), Area(AreaKind.MUNICIPALITY, county)))
    assert _fields(validate_service(broken)) == {"catchment[1].code"}


@PROPERTIES
@given(services(details=True), _unknown(MUNICIPALITY_CODES))
def test_an_unknown_location_municipality_is_named(entry: ServiceEntry, code: str) -> None:
    location = Location(id=_ID, name="Mottagning", municipality_code=code)
    broken = msgspec.structs.replace(entry, locations=(location, *entry.locations))
    assert "locations[0].municipality_code" in _fields(validate_service(broken))


@PROPERTIES
@given(
    services(details=True),
    st.sampled_from(list(AreaKind)).flatmap(
        lambda kind: st.tuples(
            st.just(kind),
            {
                AreaKind.COUNTRY: st.text(min_size=1, max_size=4),
                AreaKind.COUNTY: _unknown(COUNTY_CODES),
                AreaKind.MUNICIPALITY: _unknown(MUNICIPALITY_CODES),
                AreaKind.POLICE_REGION: _unknown(POLICE_REGION_CODES),
            }[kind],
        )
    ),
)
def test_an_unknown_area_code_of_any_kind_is_named(entry: ServiceEntry, area: tuple[AreaKind, str]) -> None:
    kind, code = area
    broken = msgspec.structs.replace(entry, catchment=(*entry.catchment, Area(kind, code)))
    assert _fields(validate_service(broken)) == {f"catchment[{len(entry.catchment)}].code"}


def test_an_empty_catchment_is_named() -> None:
    assert _fields(validate_service(msgspec.structs.replace(_valid_service(), catchment=()))) == {"catchment"}


# --- Organisations ---------------------------------------------------------------------------

_ORGANIZATION_FAULTS: dict[str, tuple[str, str]] = {
    "empty name": ("name", ""),
    "blank description": ("description", "  "),
    "http website": ("website", "http://exempel.se"),
    "bad e-mail": ("email", "exempel"),
    "short organisation number": ("organization_number", "212000-135"),
    "organisation number without dash": ("organization_number", "2120001355"),
}


@PROPERTIES
@given(organizations(), st.sets(st.sampled_from(sorted(_ORGANIZATION_FAULTS)), min_size=1))
def test_organization_faults_are_all_named(entry: OrganizationEntry, faults: set[str]) -> None:
    changes = dict(_ORGANIZATION_FAULTS[fault] for fault in faults)
    problems = validate_organization(msgspec.structs.replace(entry, **changes))
    assert _fields(problems) == set(changes)


# --- Messages --------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.name)
def test_every_message_is_swedish_and_its_example_is_valid(fault: Fault) -> None:
    broken, _ = fault.apply(_valid_service())
    for problem in validate_service(broken):
        assert problem.message[0].isupper(), problem
        example = re.search(r"till exempel (.+)\.$", problem.message)
        if example is None:
            continue
        value = example.group(1)
        fixed = _fix(broken, problem.field, value)
        assert problem.field not in _fields(validate_service(fixed)), (problem, value)


@pytest.mark.parametrize("kind", [AreaKind.COUNTY, AreaKind.MUNICIPALITY, AreaKind.POLICE_REGION])
def test_an_unknown_area_message_has_no_enum_value(kind: AreaKind) -> None:
    broken = msgspec.structs.replace(_valid_service(), catchment=(Area(kind, "x"),))
    messages = [problem.message for problem in validate_service(broken)]
    assert messages
    for message in messages:
        assert not any(re.search(rf"(?<!\w){re.escape(value)}(?!\w)", message) for value in _ENUM_VALUES), message
        assert kind.value not in message, message


def _valid_service() -> ServiceEntry:
    return ServiceEntry(
        id=uuid.UUID(int=2),
        organization_id=uuid.UUID(int=3),
        name="Avhopparverksamheten Väst",
        description="Stöd till den som vill lämna en kriminell grupp.",
        catchment=(Area(AreaKind.COUNTY, "14"),),
        url="https://exempel.se",
        email="info@exempel.se",
        minimum_age=18,
        maximum_age=29,
        phones=(Phone(id=_ID, number="031-365 00 00"),),
        contacts=(Contact(id=_ID, title="Mottagningen", email="mottagning@exempel.se"),),
        opening_hours=(OpeningHours(_ID, (Weekday.MO, Weekday.FR), time(8), time(17)),),
        locations=(Location(id=_ID, name="Mottagning", municipality_code="1480", postal_code="411 04"),),
    )


def _fix(entry: ServiceEntry, field: str, value: str) -> ServiceEntry:
    """Put `value` into the (dotted, indexed) field of an entry."""
    match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?(?:\.(\w+))?", field)
    assert match is not None, field
    name, index, subfield = match.group(1), match.group(2), match.group(3)
    if index is None:
        return msgspec.structs.replace(entry, **{name: value})
    items = list(getattr(entry, name))
    position = int(index)
    items[position] = value if subfield is None else msgspec.structs.replace(items[position], **{subfield: value})
    return msgspec.structs.replace(entry, **{name: tuple(items)})
