"""Personal identity numbers are found however they are written, and read where one is asked for."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from avhopp.platform.identity_numbers import (
    contains_identity_number,
    identity_numbers_in,
    looks_like_identity_number,
    normalised,
    parse_personal_number,
)
from avhopp.platform.problems import InvalidInputError
from avhopp.platform.times import STOCKHOLM
from tests.platform.identity_strategies import (
    IdentityNumber,
    disguised,
    fillers,
    identity_number_parts,
    luhn_check_digit,
)

PROPERTY = settings(max_examples=300, deadline=None)


def born_after_today(number: IdentityNumber) -> bool:
    """Whether the birth date is still to come; ten digits are of the last hundred years ("+": the hundred before)."""
    today = datetime.now(STOCKHOLM).date()
    yy, month, day = int(number.yymmdd[:2]), int(number.yymmdd[2:4]), int(number.yymmdd[4:])
    if number.century:
        year = int(number.century) * 100 + yy
    else:
        year = today.year - (today.year - yy) % 100 - (100 if number.plus else 0)
    return date(year, month, day - 60 if day > 60 else day) > today


@st.composite
def disguised_numbers(draw: st.DrawFn, *, valid: bool = True) -> tuple[IdentityNumber, str]:
    number = draw(identity_number_parts(valid=valid))
    return number, draw(disguised(number))


@PROPERTY
@given(before=fillers, drawn=disguised_numbers(), after=fillers)
def test_a_disguised_number_is_found(before: str, drawn: tuple[IdentityNumber, str], after: str) -> None:
    number, written = drawn
    found = identity_numbers_in(f"{before}{written}{after}")

    assert [twelve[-10:] for twelve in found] == [number.last_ten]
    if number.century:
        assert found == [number.century + number.last_ten]


@PROPERTY
@given(before=fillers, drawn=disguised_numbers(valid=False), after=fillers)
def test_a_disguised_wrong_check_digit_is_no_number(before: str, drawn: tuple[IdentityNumber, str], after: str) -> None:
    text = f"{before}{drawn[1]}{after}"

    assert identity_numbers_in(text) == []
    # Codes in the audit trail refuse even a number that is wrong.
    assert looks_like_identity_number(text)


@PROPERTY
@given(drawn=disguised_numbers())
def test_a_disguised_number_is_read_as_twelve_digits(drawn: tuple[IdentityNumber, str]) -> None:
    number, written = drawn
    assume(not born_after_today(number))
    twelve = parse_personal_number(f" {written} ")

    assert len(twelve) == 12
    assert twelve.isascii()
    assert twelve.isdigit()
    assert twelve[-10:] == number.last_ten


@pytest.mark.parametrize(
    "text",
    [
        "811218\u20109876",  # hyphen
        "811218\u20119876",  # non-breaking hyphen
        "811218\u22129876",  # minus sign
        "811218\u20099876",  # thin space
        "8112\u200b18-9876",  # zero-width space
        "81121\u00ad8-9876",  # soft hyphen
        "\uff18\uff11\uff11\uff12\uff11\uff18-\uff19\uff18\uff17\uff16",  # full-width
        "\u0668\u0661\u0661\u0662\u0661\u0668-\u0669\u0668\u0667\u0666",  # Arabic-Indic
        "81 12 18-9876",
        "19 81 12 18 - 9876",
        "Han ringde, 81 12 18 9876, om hjälp",
        "12 81 12 18-9876",  # a number after digits that are not one
    ],
)
def test_the_forms_that_used_to_pass(text: str) -> None:
    assert identity_numbers_in(text) == ["198112189876"]
    assert contains_identity_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "031-365 00 00",
        "020-50 80 80",
        "08-123 456 78",
        "070-123 45 67",
        "+46 70 123 45 67",
        "2026-11-21",
        "2026-11-21 14.30",
        "ärende 2026-0042",
        "811218-9877",  # wrong check digit
        "811232-9878",  # the 32nd
        "21811218-9876",  # no one born in the 2180s
        "8112 18 98 76",  # not grouped as a date and a serial
    ],
)
def test_what_is_no_number_is_not_found(text: str) -> None:
    assert identity_numbers_in(text) == []


def test_normalising_keeps_letters_and_folds_what_looks_alike() -> None:
    assert normalised("Å\u200bsa\u00a0 \u2009bor\u2212i \uff11\u0662") == "Åsa bor-i 12"


@pytest.mark.parametrize(
    ("text", "twelve"),
    [
        ("811218-9876", "198112189876"),
        ("198112189876", "198112189876"),
        ("19811218-9876", "198112189876"),
        ("811278-9873", "198112789873"),  # samordningsnummer
        ("\u0668\u0661\u0661\u0662\u0667\u0668\u2212\u0669\u0668\u0667\u0663", "198112789873"),
        ("000229-1235", "200002291235"),
        ("811218+9876", "188112189876"),  # a hundred years or older
    ],
)
def test_a_personal_number_is_read_as_twelve_digits(text: str, twelve: str) -> None:
    assert parse_personal_number(text) == twelve


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "811218-9877",
        "Personnummer 811218-9876",
        "811218-9876 811218-9876",
        "000229+1235",  # 1900 had no 29 February
        f"20991231-000{luhn_check_digit('991231000')}",  # not born yet
    ],
)
def test_anything_else_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_personal_number(text, "person_number")

    assert refused.value.field == "person_number"
    assert "personnummer" in refused.value.message


@PROPERTY
@given(identity_number_parts())
def test_every_written_form_is_read(number: IdentityNumber) -> None:
    assume(not born_after_today(number))
    for separator in ("+",) if number.plus else ("", "-", " "):
        assert parse_personal_number(f"{number.century}{number.yymmdd}{separator}{number.serial}")[-10:] == (
            number.last_ten
        )
