"""The text check of threads and consultations: every identifier variant refused, ordinary Swedish text passing.

The variants come from the identifier guard's own strategies (tests/platform/identifying_text), drawn
together: personnummer and samordningsnummer with or without a century, any dash, thin and zero-width
spaces, soft hyphens and other scripts' digits; phone numbers; e-mail addresses; plates; street
addresses; common names. Each is put mid-sentence in ordinary case text and must be refused, with a
message that names what to remove and quotes nothing of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import given, settings
from hypothesis import strategies as st

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

PROPERTY = settings(max_examples=200, deadline=None)
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
    checked_text("question", text, minimum=10, maximum=MAX_POST, problems=problems)
    return problems


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
