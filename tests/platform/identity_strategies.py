"""Hypothesis strategies for Swedish personal identity numbers, as written and as disguised.

`identity_numbers` draws a personnummer or samordningsnummer in one of its written forms (10 or 12
digits, with or without a separator), or one with a wrong check digit. `disguised` writes the same
digits the way a paste from a word processor, a phone or a determined person might: digits of
other scripts, look-alike hyphens and spaces, invisible characters between any two characters,
and the date spaced in groups. The check digit is computed here, not taken from stdnum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hypothesis import strategies as st

WRITTEN_SEPARATORS = ("", "-", "+", " ", "\u2013", "\u00a0")
"""What the database's function reads too: none, hyphen-minus, plus, space, en dash, no-break space."""

# The first digit of each script; the others follow it in Unicode. NFKC folds the full-width and
# mathematical digits; the others are decimal digits of their own scripts.
DIGIT_ZEROS = (
    "0",
    "\uff10",  # full-width
    "\u0660",  # Arabic-Indic
    "\u06f0",  # extended Arabic-Indic (Persian, Urdu)
    "\u0966",  # Devanagari
    "\U0001d7ce",  # mathematical bold
)
HYPHENS = (
    "-",
    "\u2010",  # hyphen
    "\u2011",  # non-breaking hyphen
    "\u2012",  # figure dash
    "\u2013",  # en dash
    "\u2014",  # em dash
    "\u2212",  # minus sign
    "\ufe63",  # small hyphen-minus
    "\uff0d",  # full-width hyphen-minus
)
SPACES = (
    " ",
    "\u00a0",  # no-break space
    "\u2009",  # thin space
    "\u202f",  # narrow no-break space
    "\u2007",  # figure space
    "\u3000",  # ideographic space
    "  ",
)
INVISIBLES = (
    "\u00ad",  # soft hyphen
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space (BOM)
    "\u200e",  # left-to-right mark
    "\u034f",  # combining grapheme joiner
)


@dataclass(frozen=True, slots=True)
class IdentityNumber:
    """The parts of a number: century (or none), YYMMDD as written, whether "+" separates, serial and check."""

    century: str
    yymmdd: str
    plus: bool
    serial: str

    @property
    def last_ten(self) -> str:
        return self.yymmdd + self.serial


def luhn_check_digit(nine_digits: str) -> int:
    """The digit that makes the ten pass the Luhn check."""
    total = 0
    for index, character in enumerate(nine_digits):
        digit = int(character) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return (10 - total % 10) % 10


@st.composite
def identity_number_parts(draw: st.DrawFn, *, valid: bool = True) -> IdentityNumber:
    """A personnummer or samordningsnummer, 10 or 12 digits; or one with a wrong check digit."""
    born = draw(st.dates(min_value=date(1850, 1, 1), max_value=date(2099, 12, 31)))
    coordination = draw(st.booleans())
    day = born.day + 60 if coordination else born.day
    yymmdd = f"{born.year % 100:02d}{born.month:02d}{day:02d}"
    serial = f"{draw(st.integers(0, 999)):03d}"
    check = luhn_check_digit(yymmdd + serial)
    if not valid:
        check = (check + draw(st.integers(1, 9))) % 10
    century = f"{born.year // 100}" if draw(st.booleans()) else ""
    # With ten digits "+" means a hundred years or older: 1900, which had no 29 February.
    plus = draw(st.booleans()) and (century or (born.month, born.day, born.year % 100) != (2, 29, 0))
    return IdentityNumber(century, yymmdd, bool(plus), f"{serial}{check}")


@st.composite
def identity_numbers(draw: st.DrawFn, *, valid: bool = True) -> str:
    """A number written with one of the separators the database's function reads too."""
    number = draw(identity_number_parts(valid=valid))
    separator = "+" if number.plus else draw(st.sampled_from([s for s in WRITTEN_SEPARATORS if s != "+"]))
    return f"{number.century}{number.yymmdd}{separator}{number.serial}"


def _digit(zero: str, digit: str) -> str:
    return chr(ord(zero) + int(digit))


@st.composite
def disguised(draw: st.DrawFn, number: IdentityNumber) -> str:
    """`number` written with other scripts' digits, look-alike dashes and spaces, invisible characters."""
    gap = st.sampled_from(("", *SPACES))
    groups = [number.century, number.yymmdd[:2], number.yymmdd[2:4], number.yymmdd[4:]]
    written = draw(gap).join(group for group in groups if group)
    # The full-width plus folds to "+".
    separators = ("+", "\uff0b") if number.plus else ("", *HYPHENS)
    separator = draw(st.sampled_from(separators))
    written += draw(gap) + separator + draw(gap) + number.serial
    characters = []
    for character in written:
        characters.append(_digit(draw(st.sampled_from(DIGIT_ZEROS)), character) if character.isdigit() else character)
        characters.append(draw(st.sampled_from(("", "", "", *INVISIBLES))))
    return "".join(characters)


fillers = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöÅÄÖ .,;:!?()\n-+–", max_size=30)
"""Swedish-ish words and punctuation, never a digit: a number embedded in it stays a number of its own."""
