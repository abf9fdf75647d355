"""Phone numbers, e-mail addresses, vehicle registration numbers and addresses in read text.

Each finder takes the text as the guard reads it (`Reading`) and gives where in it what it
looks for stands, as (start, end) in `reading.text`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from phonenumbers import Leniency, PhoneNumberMatcher

if TYPE_CHECKING:
    from avhopp.platform.identifying_text.reading import Reading

_PHONE_REGION = "SE"
# "kl. 08.30-09.30" is a valid Swedish number to phonenumbers (08-30 09 30), and so is a time
# span with the number of the next list item ("02.00–03.00.\n5) …"): no one's number holds one.
_TIME_SPAN = re.compile(r"[0-2]?[0-9][.:][0-5][0-9] ?- ?[0-2]?[0-9][.:][0-5][0-9]")


def phone_number_spans(reading: Reading) -> list[tuple[int, int]]:
    """Valid phone numbers: Swedish ones as Swedes write them ("070-123 45 67"), any country's with its code.

    VALID leniency: the number must exist in the numbering plan, and a Swedish number written
    without a country code must start with its 0, so years, sums and counts are no numbers.
    """
    return [
        (match.start, match.end)
        for match in PhoneNumberMatcher(reading.text, _PHONE_REGION, leniency=Leniency.VALID)
        if not _TIME_SPAN.search(match.raw_string)
    ]


# After NFKC the full-width and small @ are "@", and the full-width and one-dot-leader dots are
# "."; the ideographic full stop (which IDNA reads as a dot in a domain), the middle dot and
# the katakana middle dot are read as dots here. People also write "(at)" and "[punkt]".
_DOT = r"(?:[.\u3002\u00b7\u2219\u22c5\u30fb]| ?[(\[{<] ?(?:dot|punkt) ?[)\]}>] ?)"
# A space before "@" only with one after ("anna @ gmail.com"): "som @anna_92" is a user name.
_AT = r"(?:@ ?| @ | ?[(\[{<] ?(?:at|snabel-?a) ?[)\]}>] ?)"
_EMAIL = re.compile(
    rf"[\w%+'-]+(?:{_DOT}[\w%+'-]+)*{_AT}[\w-]+(?:{_DOT}[\w-]+)*",
    re.IGNORECASE,
)


def email_address_spans(reading: Reading) -> list[tuple[int, int]]:
    """E-mail addresses: anything written round an "@" (or "(at)"), with or without a domain's dots."""
    return [match.span() for match in _EMAIL.finditer(reading.text)]


# "@anna_92" on Instagram, X, TikTok or Snapchat names one person as surely as an address does.
_USER_NAME = re.compile(r"(?<![\w@])@[\w][\w.-]*\w")


def user_name_spans(reading: Reading) -> list[tuple[int, int]]:
    """Social media user names: "@" and a name of two characters or more."""
    return [match.span() for match in _USER_NAME.finditer(reading.text)]


# Swedish plates: three letters (never I, Q, V or Å, Ä, Ö), two digits, and a digit or a letter
# (never O). In capitals with or without a space or dash ("ABC 123", "ABC-12A"); in small
# letters only unspaced ("abc123"), since "med 123" is Swedish for "with 123".
_PLATE = "ABCDEFGHJKLMNOPRSTUWXYZ"
_PLATE_LAST = _PLATE.replace("O", "")
_VEHICLE = re.compile(
    rf"(?<![\w-])(?:(?P<capitals>[{_PLATE}]{{3}})[ -]?[0-9]{{2}}[0-9{_PLATE_LAST}]"
    rf"|[{_PLATE.lower()}]{{3}}[0-9]{{2}}[0-9{_PLATE_LAST.lower()}])(?![\w-])"
)
# Currency codes stand before sums ("SEK 500"), and laws, agencies and registers before
# paragraphs, counts and years ("LSS 9 §", "SOU 2019:64", "Dnr 123"): none is a plate.
_NOT_PLATES = frozenset(
    {"SEK", "EUR", "USD", "NOK", "DKK", "GBP", "CHF"}
    | {"LSS", "HSL", "LPT", "LRV", "OSL", "SFB", "BRB", "PBL", "LOU", "SOU", "SFS", "DNR", "NKR"}
    | {"KBT", "BUP", "SKR", "SCB", "FHM", "MSB", "PRN", "BRA"}
)


def vehicle_registration_spans(reading: Reading) -> list[tuple[int, int]]:
    """Swedish vehicle registration numbers in the ordinary format (not personalised plates)."""
    return [
        match.span()
        for match in _VEHICLE.finditer(reading.text)
        if match.group("capitals") is None or match.group("capitals") not in _NOT_PLATES
    ]


# The endings of Swedish street names. Those below are streets only in a compound of their own
# ("Storgatan", "björkvägen"), in any case; the weak ones also end common words ("handlingsplan",
# "genomgången", "omväg") and count only capitalised and not at a sentence's start.
_STREET = "gatan|gata|gränd|gränden|vägen|allén|allé|torget|stigen|leden|backen|esplanaden|kajen|stråket|promenaden"
_WEAK_STREET = "väg|torg|plan|platsen|plats|gången|backe|stig|led|parken|ringen|liden|slingan|kaj|hamnen|stranden"
# "12", "12B", "12 B"; a small letter after a space is a word ("12 i"), not the house's letter.
_HOUSE_NUMBER = r"[1-9][0-9]{0,3}(?-i:(?:[A-Za-z]| [A-Z])(?!\w))?(?![\w.,:]?[0-9])"
_STREET_ADDRESS = re.compile(
    rf"(?<![\w-])(?P<street>[^\W\d_]{{2,}}(?:(?P<strong>{_STREET})|{_WEAK_STREET})) {_HOUSE_NUMBER}",
    re.IGNORECASE,
)
# "Drottning Kristinas väg 12", "Södra vägen 3", "Gustaf Adolfs torg 1": a capitalised word
# before the street's kind. At a sentence's start ("Samma väg 2 gånger") only a genitive or a
# direction names a street.
_STREET_KINDS = "gatan|gata|gränd|gränden|vägen|väg|allén|allé|torget|torg|backen|backe|platsen|plats|parken|park"
_NAMED_STREET = re.compile(
    rf"(?<![\w-])(?:[A-ZÅÄÖ][^\W\d_]+ ){{0,2}}(?P<name>[A-ZÅÄÖ][^\W\d_]+) (?i:{_STREET_KINDS}) {_HOUSE_NUMBER}",
)
_DIRECTIONS = frozenset({"Norra", "Södra", "Östra", "Västra", "Stora", "Lilla", "Gamla", "Nya"})
# A flat's number in the population register: "lgh 1102".
_FLAT = re.compile(r"(?<![\w-])lgh\.? ?[0-9]{4}(?![0-9])", re.IGNORECASE)
# Postcodes: "412 63" (Swedes group no other number three and two), or five digits before a town.
_POSTCODE = re.compile(
    r"(?<![\w.,-])(?<![0-9] )(?:SE-? ?)?[1-9][0-9]{2} [0-9]{2}(?: [A-ZÅÄÖ][^\W\d_]+)?(?![\w-])(?! [0-9])"
    r"|(?<![\w.,-])(?<![0-9] )(?:SE-? ?)?[1-9][0-9]{4} [A-ZÅÄÖ][^\W\d_]+"
)


def address_spans(reading: Reading) -> list[tuple[int, int]]:
    """Street addresses with a house number, flats' numbers and postcodes."""
    text = reading.text
    spans = []
    for match in _STREET_ADDRESS.finditer(text):
        street = match.group("street")
        if match.group("strong") is None and (
            not (street[0].isupper() and street[1:].islower()) or reading.starts_sentence(match.start())
        ):
            continue
        spans.append(match.span())
    for match in _NAMED_STREET.finditer(text):
        name = match.group("name")
        if name.endswith("s") or name in _DIRECTIONS or not reading.starts_sentence(match.start()):
            spans.append(match.span())
    spans.extend(match.span() for pattern in (_FLAT, _POSTCODE) for match in pattern.finditer(text))
    return spans
