"""What in a free text could identify a person, so that text meant to be anonymous can be refused.

`identifying_parts(text)` finds personnummer and samordningsnummer (in any of the forms
`avhopp.platform.identity_numbers` reads), phone numbers, e-mail addresses and social media
user names ("@anna_92"), Swedish vehicle
registration numbers, street addresses and postcodes, and the most common Swedish first names
and surnames (rules in `names.py`). Each finding is a kind and where it stands in the text as
written (start and end, in code points, as Python indexes a str; a browser's JavaScript counts
UTF-16 units, so a character beyond U+FFFF counts twice there): a page can point at it. `identifying_problems` and
`refuse_identifying` turn the findings into Swedish messages, one per kind, each naming what to
remove. A message never quotes the text, and nothing here keeps any of it: the findings hold
positions only, so an exception, a log line or a trace built from them carries nothing refused.

Everything is read as a person sees it (`reading.py`): digits of any script, look-alike dashes,
spaces and letters, invisible characters between the characters of a number or a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from avhopp.platform.identifying_text.finders import (
    address_spans,
    email_address_spans,
    phone_number_spans,
    user_name_spans,
    vehicle_registration_spans,
)
from avhopp.platform.identifying_text.names import name_spans
from avhopp.platform.identifying_text.reading import Reading
from avhopp.platform.identity_numbers import identity_number_spans
from avhopp.platform.problems import FieldProblem, InvalidInputError


class IdentifyingKind(StrEnum):
    """What was found; in the order a finding of one kind wins over an overlapping one of another."""

    PERSONAL_IDENTITY_NUMBER = "personal_identity_number"
    EMAIL_ADDRESS = "email_address"
    USER_NAME = "user_name"
    PHONE_NUMBER = "phone_number"
    VEHICLE_REGISTRATION = "vehicle_registration"
    ADDRESS = "address"
    NAME = "name"


MESSAGES = {
    IdentifyingKind.PERSONAL_IDENTITY_NUMBER: (
        "Texten innehåller ett personnummer eller samordningsnummer. Ta bort det."
    ),
    IdentifyingKind.EMAIL_ADDRESS: "Texten innehåller en e-postadress. Ta bort den.",
    IdentifyingKind.USER_NAME: "Texten innehåller ett användarnamn (@…). Ta bort det.",
    IdentifyingKind.PHONE_NUMBER: "Texten innehåller ett telefonnummer. Ta bort det.",
    IdentifyingKind.VEHICLE_REGISTRATION: "Texten innehåller ett registreringsnummer för ett fordon. Ta bort det.",
    IdentifyingKind.ADDRESS: "Texten innehåller en adress eller ett postnummer. Ta bort den.",
    IdentifyingKind.NAME: (
        "Texten innehåller ett namn. Ta bort det och skriv till exempel ”personen” eller ”hennes bror” i stället."
    ),
}
"""One fixed Swedish message per kind (translated in the English catalogue), never quoting the text."""


@dataclass(frozen=True, slots=True)
class Finding:
    """Something identifying: its kind, and where it stands in the text as written (`text[start:end]`)."""

    kind: IdentifyingKind
    start: int
    end: int

    @property
    def message(self) -> str:
        """What to do about it, in Swedish."""
        return MESSAGES[self.kind]


def identifying_parts(text: str) -> tuple[Finding, ...]:
    """Everything identifying in `text`, in the order it is written.

    Where findings of two kinds overlap (a phone number inside an e-mail address), the kind
    earlier in `IdentifyingKind` is kept and the other dropped if it lies wholly inside it.
    """
    reading = Reading.of(text)
    found = [
        Finding(IdentifyingKind.PERSONAL_IDENTITY_NUMBER, start, end)
        for start, end in identity_number_spans(text, reading.read)
    ]
    for kind, spans in (
        (IdentifyingKind.EMAIL_ADDRESS, email_address_spans(reading)),
        (IdentifyingKind.USER_NAME, user_name_spans(reading)),
        (IdentifyingKind.PHONE_NUMBER, phone_number_spans(reading)),
        (IdentifyingKind.VEHICLE_REGISTRATION, vehicle_registration_spans(reading)),
        (IdentifyingKind.ADDRESS, address_spans(reading)),
        (IdentifyingKind.NAME, name_spans(reading)),
    ):
        for span in spans:
            start, end = reading.written_span(*span)
            if not any(kept.start <= start and end <= kept.end for kept in found):
                found.append(Finding(kind, start, end))
    return tuple(sorted(set(found), key=lambda finding: (finding.start, finding.end)))


def identifying_problems(field: str, text: str) -> list[FieldProblem]:
    """One problem for `field` per kind of thing found in `text`, in the order first found."""
    kinds = dict.fromkeys(finding.kind for finding in identifying_parts(text))
    return [FieldProblem(field, MESSAGES[kind]) for kind in kinds]


def refuse_identifying(field: str, text: str) -> None:
    """Refuse `text` for `field` if it holds anything identifying, saying what to remove."""
    problems = identifying_problems(field, text)
    if problems:
        raise InvalidInputError(problems)
