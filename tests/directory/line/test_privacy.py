"""The guidance line never stores a personal identity number, in Python or in the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.datastructures import FormMultiDict
from sqlalchemy import text

from avhopp.directory.line.privacy import (
    check_free_text,
    displayed_phone_number,
    normalised_phone_number,
)
from avhopp.directory.line.web.forms import identity_number_problems
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.identity_numbers import contains_identity_number, identity_numbers_in
from avhopp.platform.problems import InvalidInputError
from avhopp.platform.web.csrf import CSRF_FORM_FIELD
from tests.platform.identity_strategies import (
    WRITTEN_SEPARATORS,
    disguised,
    fillers,
    identity_number_parts,
    identity_numbers,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# Each example makes one round trip to the database: enough to find disagreements, quick to run.
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOT_NUMBERS = (
    "031-365 00 00",
    "020-50 80 80",
    "08-123 456 78",
    "+46 31 365 00 00",
    "+46701234567",
    "2026-11-21",
    "21/11 2026",
    "411 04",
    "SE-411 04 Göteborg",
    "1998",
    "år 2026 kl. 14.30",
    "ärende 2026-0042",
)


def database_finds(engine: Engine, value: str | None) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.execute(text("SELECT contains_personal_identity_number(:value)"), {"value": value}).scalar_one()
        )


@PROPERTY
@given(before=fillers, number=identity_numbers(), after=fillers)
def test_a_valid_number_in_text_is_found_by_both(owner_engine: Engine, before: str, number: str, after: str) -> None:
    embedded = f"{before}{number}{after}"

    digits = "".join(character for character in number if character.isdigit())
    assert [found[-10:] for found in identity_numbers_in(embedded)] == [digits[-10:]]
    assert database_finds(owner_engine, embedded)
    with pytest.raises(InvalidInputError):
        check_free_text("guidance_notes", embedded)


@PROPERTY
@given(before=fillers, number=identity_numbers(valid=False), after=fillers)
def test_a_wrong_check_digit_is_found_by_neither(owner_engine: Engine, before: str, number: str, after: str) -> None:
    embedded = f"{before}{number}{after}"

    assert identity_numbers_in(embedded) == []
    assert not database_finds(owner_engine, embedded)
    check_free_text("guidance_notes", embedded)


@settings(max_examples=300)
@given(before=fillers, number=identity_number_parts().flatmap(disguised), after=fillers)
def test_a_disguised_number_is_refused(before: str, number: str, after: str) -> None:
    with pytest.raises(InvalidInputError):
        check_free_text("guidance_notes", f"{before}{number}{after}")


pieces = st.one_of(
    identity_numbers(),
    identity_numbers(valid=False),
    identity_number_parts().flatmap(disguised),
    st.text(alphabet="0123456789", min_size=1, max_size=14),
    st.sampled_from(NOT_NUMBERS),
    st.sampled_from(WRITTEN_SEPARATORS),
    fillers,
    st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=10),
)


@PROPERTY
@given(st.lists(pieces, max_size=8).map("".join))
def test_whatever_the_database_finds_python_finds(owner_engine: Engine, value: str) -> None:
    # Pieces are joined without spaces, so digits run together into longer numbers and new candidates.
    # Python reads more forms than the database (spaced, disguised), never fewer: a text the
    # application accepts never fails the constraint.
    if database_finds(owner_engine, value):
        assert identity_numbers_in(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("811218-9876", True),
        ("198112189876", True),
        ("8112189876", True),
        ("19811218-9876", True),
        ("811218+9876", True),
        ("811218 9876", True),
        ("811218–9876", True),
        ("Ringde om 811218-9876, ville ha hjälp.", True),
        ("811278-9873", True),  # samordningsnummer: the 18th plus 60
        ("19811278-9873", True),
        ("8112189877", False),  # wrong check digit
        ("28112189876", False),  # eleven digits
        ("98112189876 ", False),
        ("1981121898765", False),  # thirteen digits
        ("21811218-9876", False),  # no one born in the 2180s
        ("811232-9878", False),  # the 32nd
        ("811292-9875", False),  # a samordningsnummer's 32nd
        ("810230-9872", False),  # 30 February passes Luhn but does not exist
        ("000229-1235", True),  # 2000 had a 29 February
        ("000229+1235", False),  # 1900 did not
        ("20000229-1235", True),
        ("19000229-1235", False),
        ("", False),
        *((value, False) for value in NOT_NUMBERS),
    ],
)
def test_examples(owner_engine: Engine, value: str, *, expected: bool) -> None:
    assert bool(identity_numbers_in(value)) is expected
    assert database_finds(owner_engine, value) is expected


def test_null_holds_no_number(owner_engine: Engine) -> None:
    assert database_finds(owner_engine, None) is False


async def test_the_runtime_role_may_call_the_function(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with context_session(sessions, RequestContext()) as session:
        found = await session.scalar(text("SELECT contains_personal_identity_number('811218-9876')"))

    assert found is True


def test_check_free_text_names_the_field() -> None:
    with pytest.raises(InvalidInputError) as raised:
        check_free_text("shared_information", "Personen har nummer 19811218-9876.")

    assert raised.value.field == "shared_information"
    assert "personnummer" in raised.value.message
    check_free_text("shared_information", "Ring tillbaka på 070-123 45 67 efter 2026-11-21.")


@pytest.mark.parametrize(
    ("value", "e164", "displayed"),
    [
        ("070-123 45 67", "+46701234567", "070-123 45 67"),
        ("0701234567", "+46701234567", "070-123 45 67"),
        ("+46 70 123 45 67", "+46701234567", "070-123 45 67"),
        ("0046701234567", "+46701234567", "070-123 45 67"),
        ("08-123 456 78", "+46812345678", "08-123 456 78"),
        ("031-365 00 00", "+46313650000", "031-365 00 00"),
        ("+47 412 34 567", "+4741234567", "+47 41 23 45 67"),
    ],
)
def test_phone_numbers_are_stored_in_e164_and_shown_as_dialled(value: str, e164: str, displayed: str) -> None:
    assert normalised_phone_number("callback_number", value) == e164
    assert displayed_phone_number(e164) == displayed


@pytest.mark.parametrize("value", ["abc", "123", "+46 70", "", "112", "070-123 45 67 kvällstid"])
def test_what_is_not_a_phone_number_is_refused(value: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        normalised_phone_number("callback_number", value)

    assert raised.value.field == "callback_number"
    assert raised.value.message == "Ange ett telefonnummer, till exempel 070-123 45 67."


@settings(max_examples=100)
@given(st.from_regex(r"07[02369][0-9]{7}", fullmatch=True))
def test_every_swedish_mobile_number_normalises(digits: str) -> None:
    assert normalised_phone_number("callback_number", digits) == f"+46{digits[1:]}"


def test_an_id_field_is_not_read_as_text_but_a_text_field_is() -> None:
    # A UUID whose first groups read as a valid personal identity number, as a random id now and then does.
    looks_like_one = "19811228-9874-4abc-8def-000000000000"
    assert identity_numbers_in(looks_like_one)
    assert identity_number_problems(FormMultiDict({"round_id": looks_like_one})) == []
    refused = identity_number_problems(FormMultiDict({"note": looks_like_one, "round_id": "19811228-9874"}))
    assert [problem.field for problem in refused] == ["note", "round_id"]
    # Only the canonical form is an id: another spelling is text, and read as such.
    assert identity_number_problems(FormMultiDict({"round_id": looks_like_one.upper()}))


def test_a_csrf_token_whose_hex_reads_as_an_identity_number_is_not_refused() -> None:
    # Litestar's tokens are random hex; about one in 600 holds ten digits that read as one.
    issued = (
        "b6107776160e6ea728ac98b5c21dfd9eeed818091680a35c31f0d1207c09d84d"
        "b17d66d5763210fa4067b69f81ca8a76089321a8945f50ece188257b9ebfe55c"
    )
    assert contains_identity_number(issued)
    assert identity_number_problems(FormMultiDict({CSRF_FORM_FIELD: issued, "channel": "phone"})) == []
    refused = identity_number_problems(FormMultiDict({CSRF_FORM_FIELD: issued, "guidance_notes": issued}))
    assert [problem.field for problem in refused] == ["guidance_notes"]
