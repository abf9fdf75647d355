"""Swedish personal identity numbers in text, however they are written: the platform's one reading.

A personnummer, or a samordningsnummer (the day of birth plus 60), is ten or twelve digits:
[century] year, month, day, a separator, three serial digits and a Luhn check digit. Text
that must never hold one (the guidance line's notes, the audit trail's codes, and next cases'
and networks' free text) is searched with `identity_numbers_in`; where a person's number is
asked for, `parse_personal_number` reads it.

Both read the text as a person sees it, so that no look-alike passes: NFKC (full-width digits,
no-break and thin spaces, ligatures), every decimal digit of any script as its ASCII digit
(Arabic-Indic, Devanagari…), every dash (the hyphens U+2010 and U+2011, the minus sign U+2212,
en and em dashes…) as "-", every space and line break as one space, and invisible characters
(soft hyphens, zero-width spaces and joiners, direction marks, combining marks, control
characters) removed. A number may then be spaced the way people group it ("81 12 28-9874",
"19 811228 - 9874"): spaces between century, year, month and day, and spaces with at most one
"-" or "+" before the last four. It is a number when its birth date exists (29 February as
stdnum reads the century of ten digits, "+" meaning a hundred years or more), its century is 18,
19 or 20, and its last ten digits pass the Luhn check.

The database's `contains_personal_identity_number` (migration 0010) is a second lock that reads
the written forms only; whatever it finds, this finds too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.se import personnummer

from avhopp.platform.problems import InvalidInputError
from avhopp.platform.times import swedish_date

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date

# Characters a reader does not see, or sees as nothing between two digits.
_INVISIBLE = frozenset({"Cf", "Cc", "Mn", "Me"})
# The minus sign is a mathematical symbol (Sm) but looks like a hyphen; the others are Pd.
_DASH_LIKE = frozenset({"\N{MINUS SIGN}", "\N{HYPHEN BULLET}", "\N{SMALL HYPHEN-MINUS}"})

_CANDIDATE = re.compile(
    r"(?<![0-9])(?:(?P<century>[0-9]{2}) ?)?(?P<year>[0-9]{2}) ?(?P<month>[0-9]{2}) ?(?P<day>[0-9]{2})"
    r"(?P<separator> ?[-+]? ?)(?P<serial>[0-9]{4})(?![0-9])"
)
"""A number in normalised text, spaced or not."""
_WRITTEN = re.compile(
    r"(?<![0-9])(?P<century>[0-9]{2})?(?P<year>[0-9]{2})(?P<month>[0-9]{2})(?P<day>[0-9]{2})"
    r"(?P<separator>[-+ \u2013\u00a0]?)(?P<serial>[0-9]{4})(?![0-9])"
)
"""A number as the database's function reads the text as written. Normalising can join a number
to what follows it (a full-width digit, a digit after a zero-width space), so the written text is
searched too: whatever the database finds, this finds."""
_CENTURIES = frozenset({"18", "19", "20"})
"""Twelve-digit numbers of other centuries are no living person's, and more often other numbers."""
_COORDINATION_OFFSET = 60

_PARSE_MESSAGE = "Ange ett personnummer eller samordningsnummer, till exempel ÅÅÅÅMMDD-NNNN."


@lru_cache(maxsize=4096)
def _character(character: str) -> str:
    if character.isspace():
        return " "
    category = unicodedata.category(character)
    if category in _INVISIBLE:
        return ""
    if category == "Pd" or character in _DASH_LIKE:
        return "-"
    digit = unicodedata.decimal(character, None)
    return character if digit is None else str(digit)


@dataclass(frozen=True, slots=True)
class Readable:
    """Text as this module reads it, and where in the written text each of its characters came from.

    Other guards of free text (avhopp.platform.identifying_text) read the same way, and point at
    what they refuse in the text as it was written.
    """

    text: str
    starts: tuple[int, ...]
    """For each character of `text`, where the written character(s) it comes from begin."""
    ends: tuple[int, ...]
    """And where they end: a letter and its combining accent become one character."""

    def written_span(self, start: int, end: int) -> tuple[int, int]:
        """Where `text[start:end]` (not empty) was written."""
        return self.starts[start], self.ends[end - 1]


def readable(text: str) -> Readable:
    """`text` as this module reads it: ASCII digits, "-" for dashes, single spaces, nothing invisible."""
    characters: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    start = 0
    while start < len(text):
        # A character with the marks that combine with it is normalised as one: NFKC composes
        # "o" and U+0308 into "ö", and only marks left over are removed.
        end = start + 1
        while end < len(text) and unicodedata.category(text[end])[0] == "M":
            end += 1
        written = text[start:end]
        for character in written if written.isascii() else unicodedata.normalize("NFKC", written):
            read = _character(character)
            # NFKC may give more than one character (the ligature "ﬃ"); each points at its source.
            for one in read:
                if one == " " and characters and characters[-1] == " ":
                    continue
                characters.append(one)
                starts.append(start)
                ends.append(end)
        start = end
    return Readable("".join(characters), tuple(starts), tuple(ends))


def normalised(text: str) -> str:
    """`text` as this module reads it: ASCII digits, "-" for dashes, single spaces, nothing invisible."""
    return readable(text).text


@dataclass(frozen=True, slots=True)
class _Candidate:
    century: str | None
    yymmdd: str
    """As written: a samordningsnummer's day is 61 to 91."""
    plus: bool
    serial: str

    @classmethod
    def of(cls, match: re.Match[str]) -> _Candidate:
        century, year, month, day, separator, serial = match.group(
            "century", "year", "month", "day", "separator", "serial"
        )
        return cls(century, f"{year}{month}{day}", "+" in separator, serial)

    def birth_date(self) -> date | None:
        """The real birth date, or None when the number is none (wrong century, date or check digit)."""
        if self.century is not None and self.century not in _CENTURIES:
            return None
        if not luhn.is_valid(self.yymmdd + self.serial):
            return None
        day = int(self.yymmdd[4:])
        real = f"{self.yymmdd[:4]}{day - _COORDINATION_OFFSET:02d}" if day > _COORDINATION_OFFSET else self.yymmdd
        # stdnum (2.2) refuses samordningsnummer as having an impossible birth date, so it is given
        # the real one; it gives ten digits their century as the law does, by the year a person
        # turns 100 ("+" from then on).
        try:
            return personnummer.get_birth_date(f"{self.century or ''}{real}{'+' if self.plus else '-'}{self.serial}")
        except ValidationError:
            return None

    def twelve_digits(self, born: date) -> str:
        """The number as YYYYMMDDNNNN, the form the Tax Agency keeps."""
        return f"{born.year // 100:02d}{self.yymmdd}{self.serial}"


def _candidates(text: str, read: Readable | None = None) -> Iterator[tuple[re.Match[str], tuple[int, int]]]:
    """Every candidate, with where it was written in `text` (`read` is `readable(text)` if given)."""
    read = read or readable(text)
    # From every starting point, not only after the last match: "12 81 12 28-9874" has no number
    # that starts at "12", and must still be searched from "81".
    position = 0
    while (match := _CANDIDATE.search(read.text, position)) is not None:
        yield match, read.written_span(*match.span())
        position = match.start() + 1
    position = 0
    while (match := _WRITTEN.search(text, position)) is not None:
        yield match, match.span()
        position = match.start() + 1


def identity_numbers_in(text: str) -> list[str]:
    """Every personnummer or samordningsnummer in `text`, each once, as twelve digits."""
    found: dict[str, str] = {}
    for match, _ in _candidates(text):
        candidate = _Candidate.of(match)
        born = candidate.birth_date()
        # Read from inside, or in the written text, a number found already can seem to be of
        # another century ("20 000101+0008"): its last ten digits tell that it is the same.
        if born is not None and candidate.yymmdd + candidate.serial not in found:
            found[candidate.yymmdd + candidate.serial] = candidate.twelve_digits(born)
    return list(found.values())


def identity_number_spans(text: str, read: Readable | None = None) -> list[tuple[int, int]]:
    """Where in `text` each personnummer or samordningsnummer is written: (start, end), in order.

    A number read both in the normalised and in the written text, or read twice from inside,
    is one span. `read`, `readable(text)` if the caller has it already, saves reading twice.
    """
    spans = sorted(span for match, span in _candidates(text, read) if _Candidate.of(match).birth_date() is not None)
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and start < joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def contains_identity_number(text: str) -> bool:
    """Whether `text` holds a personnummer or samordningsnummer, in any of the forms above."""
    return bool(identity_numbers_in(text))


def looks_like_identity_number(text: str) -> bool:
    """Whether `text` holds ten or twelve digits grouped like one, valid or not (for codes and ids)."""
    return next(_candidates(text), None) is not None


def parse_personal_number(text: str, field: str = "personal_number") -> str:
    """A person's personnummer or samordningsnummer as twelve digits (YYYYMMDDNNNN); refused for `field` otherwise.

    Ten digits get their century by the year: of the last hundred years, or with "+" of the
    hundred before. A birth date after today (in Sweden) is no one's yet.
    """
    match = _CANDIDATE.fullmatch(normalised(text).strip())
    born = None if match is None else _Candidate.of(match).birth_date()
    if match is None or born is None or born > swedish_date():
        raise InvalidInputError.one(field, _PARSE_MESSAGE)
    return _Candidate.of(match).twelve_digits(born)
