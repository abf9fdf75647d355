"""Names of people: the most common Swedish first names and surnames, where they are names.

The lists (`data/first_names.txt`, `data/surnames.txt`, sources in `data/SOURCES.md`) hold the
200 most common first names and the 100 most common surnames. Some of them are also ordinary
words ("Per vecka", "Bo kvar", "Klara mål", "ek"), and one is a town (Lund). The rule, for a
whole word of the lists (or its genitive, "Annas"):

1. Capitalised ("Anna") or in capitals ("ANNA"), it is a name. Except that
   - a name that is also an ordinary word (marked `ord`) is taken for the word at the start of a
     sentence (after ".", "!", "?", ":", ";", a line break, a list's "1)" or the beginning, past
     quotes and bullets) and whenever written in capitals, unless another listed name follows or precedes
     it ("Per Andersson", "Stig Berg");
   - a town (marked `ort`) is a name only beside another listed name ("Anna Lund").
2. In small letters it is a word, except a listed surname that is no word ("andersson",
   "lindqvist"), and a first name right before such a surname ("anna andersson").
3. Any word ending in "sson" (Swedish patronymic surnames; no Swedish word ends so) counts as
   a listed surname, whether listed or not ("Strandsson").
4. "S:t Eriks", "Sankt Göran" and the like name places and hospitals, and "Maria Ungdom" and
   "Maria Beroende" are clinics: these are not people's names.

Names beyond the lists, or written in another script, are not found: the guard refuses the
common ones and tells the writer what kind of thing to leave out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from avhopp.platform.identifying_text.reading import Reading

_WORD = re.compile(r"[^\W\d_]+")
_PATRONYMIC = "sson"
# A first and a surname, or two first names, stand side by side or joined by a hyphen.
_BESIDE = re.compile(r" ?-? ?")
_SAINT = re.compile(r"(?:\bS:t|\bSt\.|\bSankt)\s*$", re.IGNORECASE)
_NOT_PEOPLE = frozenset({("maria", "ungdom"), ("maria", "beroende")})


@dataclass(frozen=True, slots=True)
class _Listed:
    first: bool
    surname: bool
    word: bool
    """Also an ordinary Swedish word."""
    town: bool


@cache
def _names() -> dict[str, _Listed]:
    listed: dict[str, _Listed] = {}
    for file, first in (("first_names.txt", True), ("surnames.txt", False)):
        text = files("avhopp.platform.identifying_text").joinpath("data", file).read_text(encoding="utf-8")
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            name, *marks = line.split()
            # "Ann-Marie": each part is a name of its own ("Ann", "Marie").
            for part in name.split("-"):
                key = part.casefold()
                before = listed.get(key, _Listed(first=False, surname=False, word=False, town=False))
                listed[key] = _Listed(
                    first=before.first or first,
                    surname=before.surname or not first,
                    word=before.word or "ord" in marks,
                    town=before.town or "ort" in marks,
                )
    return listed


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    word: str
    listed: _Listed | None

    @property
    def capitalised(self) -> bool:
        return self.word[0].isupper() and (self.word[1:].islower() or self.word.isupper())

    @property
    def in_capitals(self) -> bool:
        return len(self.word) > 1 and self.word.isupper()


def _lookup(word: str) -> _Listed | None:
    key = word.casefold()
    names = _names()
    # The genitive: "Annas", "Anderssons" (a name ending in s, "Nils", is listed as it is).
    found = names.get(key) or (names.get(key.removesuffix("s")) if key.endswith("s") else None)
    if found is None and len(key) > len(_PATRONYMIC) + 1 and key.removesuffix("s").endswith(_PATRONYMIC):
        return _Listed(first=False, surname=True, word=False, town=False)
    return found


def _is_name(reading: Reading, tokens: list[_Token], index: int) -> bool:
    token = tokens[index]
    listed = token.listed
    if listed is None:
        return False
    before = tokens[index - 1] if index > 0 and _adjacent(reading, tokens[index - 1], token) else None
    after = tokens[index + 1] if index + 1 < len(tokens) and _adjacent(reading, token, tokens[index + 1]) else None
    if not token.capitalised:
        return _in_small_letters_is_name(token, after)
    if _names_a_place(reading, token, after):
        return False
    beside_a_name = any(
        other is not None and other.capitalised and other.listed is not None for other in (before, after)
    )
    if listed.town:
        return beside_a_name
    if listed.word:
        return beside_a_name or not (token.in_capitals or reading.starts_sentence(token.start))
    return True


def _names_a_place(reading: Reading, token: _Token, after: _Token | None) -> bool:
    """Whether `token` is part of the name of a place or a clinic ("S:t Eriks", "Maria Ungdom")."""
    if _SAINT.search(reading.written, 0, reading.written_span(token.start, token.end)[0]):
        return True
    return after is not None and (token.word.casefold(), after.word.casefold()) in _NOT_PEOPLE


def _in_small_letters_is_name(token: _Token, after: _Token | None) -> bool:
    def surname_no_word(candidate: _Token | None) -> bool:
        listed = None if candidate is None else candidate.listed
        return (
            candidate is not None
            and candidate.word.islower()
            and listed is not None
            and listed.surname
            and not (listed.word or listed.town)
        )

    listed = token.listed
    return surname_no_word(token) or (listed is not None and listed.first and surname_no_word(after))


def _adjacent(reading: Reading, first: _Token, second: _Token) -> bool:
    return _BESIDE.fullmatch(reading.text, first.end, second.start) is not None


def _words(text: str) -> Iterator[tuple[int, int]]:
    """Each word's start and end; "AnnaAndersson" is two ("Anna" and "Andersson").

    An invisible character between two words is removed in the reading, and must not hide them.
    """
    for match in _WORD.finditer(text):
        start = match.start()
        for position in range(match.start() + 1, match.end()):
            if text[position].isupper() and text[position - 1].islower():
                yield start, position
                start = position
        yield start, match.end()


def name_spans(reading: Reading) -> list[tuple[int, int]]:
    """Where in `reading.text` people are named; a first name and a surname together are one span."""
    text = reading.text
    tokens = [_Token(start, end, text[start:end], _lookup(text[start:end])) for start, end in _words(text)]
    spans: list[tuple[int, int]] = []
    previous: _Token | None = None
    for index, token in enumerate(tokens):
        if not _is_name(reading, tokens, index):
            previous = None
            continue
        if previous is not None and spans and _adjacent(reading, previous, token):
            spans[-1] = (spans[-1][0], token.end)
        else:
            spans.append((token.start, token.end))
        previous = token
    return spans
