"""The text check of threads and consultations: every identifier variant refused, ordinary Swedish text passing.

The variants come from the identifier guard's own strategies (tests/platform/identifying_text), drawn
together: personnummer and samordningsnummer with or without a century, any dash, thin and zero-width
spaces, soft hyphens and other scripts' digits; phone numbers; e-mail addresses; plates; street
addresses; common names. Each is put mid-sentence in ordinary case text and must be refused, with a
message that names what to remove and quotes nothing of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avhopp.tenants.networks.consultation import MIN_QUESTION
from avhopp.tenants.networks.exchange import checked_text
from avhopp.tenants.networks.exchange_models import MAX_POST
from tests.platform.identifying_text.strategies import (
    addresses,
    email_addresses,
    in_a_sentence,
    names,
    ordinary_texts,
    personal_identity_numbers,
    phone_numbers,
    vehicle_registrations,
)

if TYPE_CHECKING:
    from avhopp.platform.problems import FieldProblem

PROPERTY = settings(max_examples=40, deadline=None)
"""Modest: the guard's own tests draw more; here the point is that the networks' texts go through it."""
IDENTIFIERS = st.one_of(
    personal_identity_numbers(),
    phone_numbers(),
    email_addresses(),
    vehicle_registrations(),
    addresses(),
    names(),
)


def _problems(text: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    checked_text("question", text, minimum=MIN_QUESTION, maximum=MAX_POST, problems=problems)
    return problems


VARIANTS = [
    # Personnummer and samordningsnummer: with and without a century, every dash, spaces of every width.
    "811218-9876",
    "8112189876",
    "198112189876",
    "19811218-9876",
    "811218+9876",
    "811278-9873",  # samordningsnummer (the day plus 60)
    "19811278-9873",
    "811218\u20109876",  # hyphen
    "811218\u20119876",  # non-breaking hyphen
    "811218\u20129876",  # figure dash
    "811218\u20139876",  # en dash
    "811218\u20149876",  # em dash
    "811218\u22129876",  # minus sign
    "811218\ufe639876",  # small hyphen-minus
    "811218\uff0d9876",  # full-width hyphen-minus
    "811218 9876",
    "811218\u20099876",  # thin space
    "811218\u202f9876",  # narrow no-break space
    "811218\u00a09876",  # no-break space
    "8112\u200b18-9876",  # zero-width space
    "8112\u200c18-9876",  # zero-width non-joiner
    "8112\u206018-9876",  # word joiner
    "81121\u00ad8-9876",  # soft hyphen
    "81 12 18-9876",
    "19 81 12 18 - 9876",
    "\uff18\uff11\uff11\uff12\uff11\uff18-\uff19\uff18\uff17\uff16",  # full-width digits
    "\u0668\u0661\u0661\u0662\u0661\u0668-\u0669\u0668\u0667\u0666",  # Arabic-Indic digits
    "\u06f8\u06f1\u06f1\u06f2\u06f1\u06f8-\u06f9\u06f8\u06f7\u06f6",  # Persian digits
    "\u096e\u0967\u0967\u0968\u0967\u096e-\u096f\u096e\u096d\u096c",  # Devanagari digits
    # Phone numbers.
    "070-123 45 67",
    "0701234567",
    "+46 70 123 45 67",
    "+46701234567",
    "0046 70 123 45 67",
    "+46 (0)70-123 45 67",
    "08-123 456 78",
    "031-12 34 56",
    "+44 20 7946 0958",
    "070\u2011123\u200945\u200b67",
    "\uff10\uff17\uff10\u2010\uff11\uff12\uff13 \uff14\uff15 \uff16\uff17",
    # E-mail addresses, however written.
    "anna.andersson@gmail.com",
    "ANNA@GMAIL.COM",
    "anna\uff20gmail\uff0ecom",
    "anna(at)gmail(punkt)com",
    "anna [at] gmail [dot] com",
    "an\u200bna@gm\u00adail.com",
    # Swedish registration plates.
    "ABC 123",
    "ABC123",
    "ABC-123",
    "ABC 12A",
    "abc12a",
    "ABC\u2009123",
    "\uff21\uff22\uff23 123",
    # Street addresses and postcodes.
    "Storgatan 12",
    "Björkvägen 3 C",
    "Drottning Kristinas väg 12",
    "412 63 Göteborg",
    "lgh 1102",
    # Common names.
    "Anna Andersson",
    "Mohammed",
    "Per Andersson",
    "Anderssons",
    "ANNA ANDERSSON",
    "\u0410nna",  # Cyrillic А
]


@pytest.mark.parametrize("written", VARIANTS)
def test_every_listed_identifier_variant_is_refused_and_not_quoted(written: str) -> None:
    text = f"Vi har kontakt med {written} sedan i våras. Hur gör ni?"

    problems = _problems(text)

    assert problems, f"not refused: {text!r}"
    assert all(problem.field == "question" and "Ta bort" in problem.message for problem in problems)
    visible = "".join(character for character in written if character.isalnum())
    assert all(visible not in problem.message for problem in problems)


@pytest.mark.parametrize(
    "text",
    [
        "Personen är 19 år och har lämnat ett nätverk i länet. Vi behöver råd om boende och skola.",
        "Hon har haft kontakt med socialtjänsten sedan 2024 och bor nu i ett stödboende. Hur gör ni med skulder?",
        "Mötet var kl. 08.30–09.30. Han har fått 5 000 kr i månaden under 2025. Vad fungerar för sysselsättning?",
        "Per vecka träffas vi två gånger. Bo kvar i kommunen vill hen inte. Hur ordnar ni en flytt?",
        "Han har suttit av 3 år och 6 månader. Kriminalvården har ett program. Hur har andra kommuner gjort?",
    ],
)
def test_listed_ordinary_swedish_text_passes(text: str) -> None:
    assert _problems(text) == []


@PROPERTY
@given(st.data())
def test_every_identifier_variant_is_refused_and_not_quoted(data: st.DataObject) -> None:
    written = data.draw(IDENTIFIERS)
    placed = data.draw(in_a_sentence(written))

    problems = _problems(placed.text)

    assert problems, f"not refused: {placed.text!r}"
    assert all(problem.field == "question" and "Ta bort" in problem.message for problem in problems)
    visible = "".join(character for character in written if character.isalnum())
    assert all(visible not in problem.message for problem in problems)


@PROPERTY
@given(ordinary_texts())
def test_ordinary_swedish_case_text_passes(text: str) -> None:
    assert _problems(text + " Hur gör ni?") == []
