"""The text as the guard reads it: as a person sees it, with where each character was written.

`avhopp.platform.identity_numbers.readable` does the reading every guard of free text shares:
NFKC, every script's digits as ASCII digits, every dash as "-", every space and line break as one
space, invisible characters removed. Names, registration numbers and e-mail addresses can also
be written with letters of another script that look the same ("Аnna" with a Cyrillic А), which
NFKC keeps apart; here they are read as the Latin letters they look like. Each look-alike is one
character for one, so the reading still points back into the written text.
"""

from __future__ import annotations

from dataclasses import dataclass

from avhopp.platform.identity_numbers import Readable, readable

# Cyrillic and Greek letters drawn like Latin ones (after Unicode's confusables.txt), and the
# dotless i and j. Only letters a reader takes for Latin ones: the guard looks for Latin names.
_LOOK_ALIKES = str.maketrans(
    "АВЕКМНОРСТХУЅІЈԚԜаеорсухѕіјԁԛԝһӏ"  # Cyrillic
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοινκ"  # Greek
    "ıȷ",
    "ABEKMHOPCTXYSIJQWaeopcyxsijdqwhlABEZHIKMNOPTYXoivkij",
)


@dataclass(frozen=True, slots=True)
class Reading:
    """`written` as it came, and `text` as a person sees it."""

    written: str
    text: str
    read: Readable

    @classmethod
    def of(cls, written: str) -> Reading:
        """Read `written`."""
        read = readable(written)
        return cls(written, read.text.translate(_LOOK_ALIKES), read)

    def written_span(self, start: int, end: int) -> tuple[int, int]:
        """Where `text[start:end]` (not empty) was written."""
        return self.read.written_span(start, end)
