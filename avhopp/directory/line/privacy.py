"""What the guidance line may write down: no personal identity numbers, and only real phone numbers.

The line is anonymous: free text must never hold a Swedish personal identity number
(personnummer) or coordination number (samordningsnummer, the birth day plus 60). The
same rule is enforced again in the database by `contains_personal_identity_number`
(migration 0010), so the two must agree: a number is a candidate when it has 10 or 12
digits, optionally one separator before the last four, and no digit right before or
after it; it is a match when its last ten digits pass the Luhn check, its birth date
exists, and (for 12 digits) its century is 18, 19 or 20.

Callback phone numbers are stored in E.164 and shown to operators in the national format.
"""

from __future__ import annotations

import re

import phonenumbers
from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.se import personnummer

from avhopp.platform.problems import InvalidInputError

_PERSONAL_IDENTITY_NUMBER_MESSAGE = (
    "Texten innehåller ett personnummer. Ta bort det – stödlinjen sparar aldrig personnummer."
)
_PHONE_NUMBER_MESSAGE = "Ange ett telefonnummer, till exempel 070-123 45 67."

# [0-9] rather than \d: Python's \d also matches other scripts' digits, which stdnum and the SQL
# function do not read as digits. Besides "-", "+" and a space, the en dash and the no-break space
# are accepted as separators because word processors put them there when a number is pasted.
_CANDIDATE = re.compile(
    r"(?<![0-9])(?P<century>[0-9]{2})?(?P<date>[0-9]{6})(?P<separator>[-+ \u2013\u00a0]?)(?P<serial>[0-9]{4})(?![0-9])"
)
# Twelve-digit numbers of other centuries are no living person's, and are far more often
# account or reference numbers, so they are let through (here and in SQL).
_CENTURIES = frozenset({"18", "19", "20"})
# A samordningsnummer is a personnummer whose day of birth has 60 added.
_COORDINATION_OFFSET = 60
_PHONE_REGION = "SE"


def personal_identity_numbers_in(text: str) -> list[str]:
    """Every personnummer or samordningsnummer in `text`, as written there, in order."""
    return [match.group() for match in _CANDIDATE.finditer(text) if _is_personal_identity_number(match)]


def _is_personal_identity_number(match: re.Match[str]) -> bool:
    century, date, separator, serial = match.group("century", "date", "separator", "serial")
    if century is not None and century not in _CENTURIES:
        return False
    # stdnum reads "+" as "a hundred years or older" (it matters for 29 February), drops spaces,
    # and knows no other separator: everything else is the ordinary "-".
    stdnum_separator = "+" if separator == "+" else "-"
    day = int(date[4:6])
    if day > _COORDINATION_OFFSET:
        # stdnum (2.2) rejects samordningsnummer as having an impossible birth date. The Luhn
        # check covers the number as written, so that is checked here, and stdnum judges only the
        # real birth date.
        birth_date = f"{date[:4]}{day - _COORDINATION_OFFSET:02d}"
        try:
            personnummer.get_birth_date(f"{century or ''}{birth_date}{stdnum_separator}{serial}")
        except ValidationError:
            return False
        return luhn.is_valid(date + serial)
    return personnummer.is_valid(f"{century or ''}{date}{stdnum_separator}{serial}")


def check_free_text(field: str, text: str) -> None:
    """Refuse `text` for `field` if it holds a personal identity number."""
    if personal_identity_numbers_in(text):
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
