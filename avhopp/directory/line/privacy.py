"""What the guidance line may write down: no personal identity numbers, and only real phone numbers.

The line is anonymous: free text must never hold a Swedish personal identity number
(personnummer) or coordination number (samordningsnummer), in whatever characters or grouping
it is written: `avhopp.platform.identity_numbers` reads it. The database's
`contains_personal_identity_number` (migration 0010) refuses the written forms again, as a
second lock; it finds nothing the platform's function does not.

Callback phone numbers are stored in E.164 and shown to operators in the national format.
"""

from __future__ import annotations

import phonenumbers

from avhopp.platform.identity_numbers import contains_identity_number
from avhopp.platform.problems import InvalidInputError

_PERSONAL_IDENTITY_NUMBER_MESSAGE = (
    "Texten innehåller ett personnummer. Ta bort det – stödlinjen sparar aldrig personnummer."
)
_PHONE_NUMBER_MESSAGE = "Ange ett telefonnummer, till exempel 070-123 45 67."
_PHONE_REGION = "SE"


def check_free_text(field: str, text: str) -> None:
    """Refuse `text` for `field` if it holds a personal identity number."""
    if contains_identity_number(text):
        raise InvalidInputError.one(field, _PERSONAL_IDENTITY_NUMBER_MESSAGE)


def normalised_phone_number(field: str, text: str) -> str:
    """`text` as an E.164 phone number ("+46701234567"); Swedish unless it names another country."""
    try:
        number = phonenumbers.parse(text, _PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidInputError.one(field, _PHONE_NUMBER_MESSAGE) from None
    if not (phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number)):
        raise InvalidInputError.one(field, _PHONE_NUMBER_MESSAGE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def displayed_phone_number(e164: str) -> str:
    """A stored number as an operator dials it: "070-123 45 67", or "+47 41 23 45 67" from abroad."""
    number = phonenumbers.parse(e164)
    # A foreign number in its own national format would be dialled as a Swedish one.
    if phonenumbers.region_code_for_number(number) == _PHONE_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
