"""The text as the guard reads it: as a person sees it, with where each character was written.

`avhopp.platform.identity_numbers.readable` does the reading every guard of free text shares:
NFKC, every script's digits as ASCII digits, every dash as "-", every space and line break as one
space, invisible characters removed. Names, registration numbers and e-mail addresses can also
be written with letters of another script that look the same ("Аnna" with a Cyrillic А), which
NFKC keeps apart; here they are read as the Latin letters they look like. Each look-alike is one
character for one, so the reading still points back into the written text.
"""

from __future__ import annotations

import re
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


_SENTENCE_ENDS = frozenset(".!?:;…")
# What may stand between a sentence's end and its first word: quotes, brackets, bullets, dashes.
_OPENERS = frozenset("\"'“”„‘’«»‹›([{<-–—•*·▪►")
_LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")
# A list's item starts a sentence too: "1) Per vecka", "a. Bo kvar".
_LIST_ITEM = re.compile(r"(?:^|[\n\r])[ \t]*(?:[0-9]{1,2}|[a-zA-Z])[.)][ \t]*$")


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

    def starts_sentence(self, start: int) -> bool:
        """Whether `text[start]` begins a sentence.

        After ".", "!", "?", ":", ";", a line break, a list's "1)" or the beginning, past quotes,
        brackets, bullets and dashes.
        """
        # Read back in the written text, where line breaks are still line breaks.
        position = self.read.starts[start]
        if _LIST_ITEM.search(self.written, 0, position):
            return True
        while position > 0:
            position -= 1
            character = self.written[position]
            if character in _LINE_BREAKS:
                return True
            if character.isspace() or character in _OPENERS or not character.isprintable():
                continue
            return character in _SENTENCE_ENDS
        return True
