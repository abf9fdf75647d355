"""Hypothesis strategies: ordinary Swedish case text, and identifying things written every which way.

`ordinary_texts` draws sentences a social worker might write about a person leaving a criminal
group (needs, interventions, housing, work, addiction, threat), with ages, years, counts, times,
dates, sums, acronyms, towns, and the listed names that are also ordinary words used as words
("per vecka", "Bo kvar", "klara sig"). None of it identifies anyone: the guard must find nothing.

The other strategies draw one identifying thing each, rendered as a person, a phone or a word
processor might write it: other scripts' digits, look-alike dashes and spaces, invisible
characters, full-width and look-alike letters. `in_a_sentence` puts one in the middle of ordinary
text and says where.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

import phonenumbers
from hypothesis import strategies as st

from tests.platform.identity_strategies import (
    DIGIT_ZEROS,
    HYPHENS,
    INVISIBLES,
    SPACES,
    disguised,
    identity_number_parts,
)

SUBJECTS = (
    "Personen",
    "Hon",
    "Han",
    "Klienten",
    "Den unge",
    "Familjen",
    "Socialtjänsten",
    "Polisen",
    "Kriminalvården",
    "Handläggaren",
    "Kontaktpersonen",
    "Mamman",
    "Hennes bror",
    "Hans pappa",
    "Verksamheten",
    "Arbetsförmedlingen",
    "Regionen",
    "Nätverket",
)
PREDICATES = (
    "har bott i ett skyddat boende",
    "behöver stöd med boende och ekonomi",
    "vill lämna gänget",
    "har fått insatser enligt SoL",
    "har varit drogfri",
    "har haft kontakt med Arbetsförmedlingen",
    "har hotats av tidigare kamrater",
    "bor kvar i kommunen",
    "får praktik på ett lager",
    "går i KBT",
    "har en handlingsplan",
    "har en samordnad individuell plan",
    "är placerad på HVB",
    "har ett missbruk av cannabis och alkohol",
    "har skulder till Kronofogden",
    "deltar i ett avhopparprogram",
    "har fått en kontaktperson",
    "klarar sig bättre nu",
    "träffas två gånger per vecka",
    "har klara mål för sysselsättning",
    "söker arbete inom bygg",
    "har fått kontakt med Maria Ungdom",
    "läser på SFI",
    "har en hotbild mot sig",
    "flyttade till en annan ort",
    "fick bo kvar hos sin moster",
    "tog en omväg hem",
    "gick samma väg hem",
    "var på väg till skolan",
    "behöver skyddad identitet",
    "saknar ström i lägenheten",
    "har fått en vårdplan",
    "vill ha ett arbete på en stig i skogen",
    "har väntat länge på ett besked",
    "fick en genomgång av reglerna",
    "har en bror som sitter på anstalt",
    "har en saga att berätta",
    "har en linda runt handen",
    "kände lisa efter samtalet",
    "hade max tre återfall",
    "sitter under en ek vid berget",
    "har varit på LVM",
    "omhändertogs enligt LVU",
    "har insatser enligt LSS",
    "har kontakt med BUP",
    "fick stöd av Länsstyrelsen",
)
SENTENCE_STARTS = (
    "Per vecka träffas de två gånger.",
    "Bo kvar i kommunen vill hon inte.",
    "Klara mål saknas.",
    "Max tre personer får delta.",
    "Hans mamma har ringt.",
    "Karl och kvinna bör ha lika villkor.",
    "Stig och väg saknas på kartan.",
    "Saga och verklighet blandas ibland.",
    "Linda handen hårt hjälpte.",
    "Samma väg 2 gånger i veckan är för mycket.",
    "Handlingsplan 2 är klar.",
    "Ek och björk växer runt boendet.",
)
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
PLACES = (
    "i Göteborg",
    "i Lund",
    "i Malmö",
    "i Skåne",
    "i Västra Götaland",
    "i Borås",
    "i Stockholm",
    "i kommunen",
    "i en grannkommun",
    "i norra Sverige",
)


@st.composite
def number_phrases(draw: st.DrawFn) -> str:
    """A number as case text holds one: an age, a year, a count, a time, a date, a sum."""
    year = draw(st.integers(1950, 2030))
    n = draw(st.integers(0, 999))
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    day, month = draw(st.integers(1, 31)), draw(st.sampled_from(MONTHS))
    return draw(
        st.sampled_from(
            (
                f"vid {draw(st.integers(12, 90))} års ålder",
                f"som {draw(st.integers(12, 90))}-åring",
                f"sedan {year}",
                f"under {year}",
                f"år {year}",
                f"{year}–{year + draw(st.integers(1, 5))}",
                f"{year}-{year + draw(st.integers(1, 5))}",
                f"{n} gånger",
                f"{n} personer",
                f"{n} %",
                f"{n} av {n + draw(st.integers(0, 500))}",
                f"kl. {hour:02d}.{minute:02d}",
                f"kl {hour}:{minute:02d}",
                f"kl. {hour:02d}.{minute:02d}–{(hour + 1) % 24:02d}.{minute:02d}",
                f"kl. {hour:02d}.{minute:02d}-{(hour + 2) % 24:02d}.{minute:02d}",
                f"den {day} {month}",
                f"den {day} {month} {year}",
                f"{year}-{draw(st.integers(1, 12)):02d}-{min(day, 28):02d}",
                f"{min(day, 28)}/{draw(st.integers(1, 12))}",
                f"{draw(st.integers(1, 999))} {draw(st.integers(0, 999)):03d} kronor",
                f"{n} kr i månaden",
                f"vecka {draw(st.integers(1, 53))}",
                f"{draw(st.integers(1, 12))} månader",
                f"{draw(st.integers(2, 20))} år",
                f"{n} dagar",
                f"ärende {year}-{draw(st.integers(1, 9999)):04d}",
            )
        )
    )


@st.composite
def ordinary_sentences(draw: st.DrawFn) -> str:
    """One sentence of ordinary case text."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(SENTENCE_STARTS))
    parts = [draw(st.sampled_from(SUBJECTS)), draw(st.sampled_from(PREDICATES))]
    if draw(st.booleans()):
        parts.append(draw(number_phrases()))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(PLACES)))
    if draw(st.booleans()):
        parts.append(f"och {draw(st.sampled_from(PREDICATES))}")
    if draw(st.booleans()):
        # "och" between two numbers, as people write them: "120 av 345 och 12 dagar".
        parts.append(f"och {draw(number_phrases())}")
    return " ".join(parts) + draw(st.sampled_from((".", "!", "?", ".")))


@st.composite
def ordinary_texts(draw: st.DrawFn, max_sentences: int = 6) -> str:
    """A few sentences, on one line or several, perhaps as a list, as a text area sends them."""
    sentences = draw(st.lists(ordinary_sentences(), min_size=1, max_size=max_sentences))
    text = ""
    for number, sentence in enumerate(sentences, start=1):
        separator = draw(st.sampled_from((" ", " ", "\n", "\r\n", "\n\n"))) if text else ""
        if not separator.strip() and separator != " ":
            separator += draw(st.sampled_from(("", "", f"{number}) ", f"{number}. ", "- ", "• ", "* ", "– ")))
        text += separator + sentence
    return text


@dataclass(frozen=True, slots=True)
class Placed:
    """A text with one identifying thing at `text[start:end]`."""

    text: str
    start: int
    end: int


@st.composite
def in_a_sentence(draw: st.DrawFn, written: str) -> Placed:
    """`written` in the middle of a sentence, between ordinary sentences."""
    before = draw(ordinary_texts(max_sentences=2)) + " Vi fick veta "
    after = " i går. " + draw(ordinary_texts(max_sentences=2))
    return Placed(before + written + after, len(before), len(before) + len(written))


def _with_digits_of(draw: st.DrawFn, text: str) -> str:
    """`text` with each digit in a script drawn for it, and invisible characters here and there."""
    characters = []
    for character in text:
        if character.isdigit():
            characters.append(chr(ord(draw(st.sampled_from(DIGIT_ZEROS))) + int(character)))
        elif character == "-":
            characters.append(draw(st.sampled_from(HYPHENS)))
        elif character == " ":
            characters.append(draw(st.sampled_from(SPACES)))
        else:
            characters.append(character)
        characters.append(draw(st.sampled_from(("", "", "", "", *INVISIBLES))))
    # An invisible character after the last one is no part of what is written.
    return "".join(characters[:-1])


@st.composite
def personal_identity_numbers(draw: st.DrawFn) -> str:
    """A personnummer or samordningsnummer, disguised (tests.platform.identity_strategies)."""
    return draw(disguised(draw(identity_number_parts())))


_PHONE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
_EXAMPLE_NUMBERS = tuple(
    number
    for region in sorted(phonenumbers.SUPPORTED_REGIONS)
    for kind in _PHONE_TYPES
    if (number := phonenumbers.example_number_for_type(region, kind)) is not None
)
_SWEDISH_MOBILE_PREFIXES = ("70", "72", "73", "76", "79")


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """A real phone number: any country's example number with its code, or a Swedish one as Swedes write it."""
    if draw(st.booleans()):
        number = draw(st.sampled_from(_EXAMPLE_NUMBERS))
        formats = [phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164]
        if phonenumbers.region_code_for_number(number) == "SE":
            formats.append(phonenumbers.PhoneNumberFormat.NATIONAL)
        written = phonenumbers.format_number(number, draw(st.sampled_from(formats)))
    else:
        prefix = draw(st.sampled_from(_SWEDISH_MOBILE_PREFIXES))
        digits = f"{draw(st.integers(0, 9_999_999)):07d}"
        written = draw(
            st.sampled_from(
                (
                    f"0{prefix}-{digits[:3]} {digits[3:5]} {digits[5:]}",
                    f"0{prefix}{digits}",
                    f"0{prefix} {digits[:3]} {digits[3:5]} {digits[5:]}",
                    f"0{prefix}-{digits}",
                    f"+46 {prefix} {digits[:3]} {digits[3:5]} {digits[5:]}",
                    f"+46{prefix}{digits}",
                    f"0046 {prefix}-{digits[:3]} {digits[3:]}",
                    f"+46 (0){prefix}-{digits[:3]} {digits[3:5]} {digits[5:]}",
                )
            )
        )
    return _with_digits_of(draw, written)


_LOCAL_PARTS = st.from_regex(r"[a-z][a-z0-9]{1,10}([._-][a-z0-9]{1,8})?", fullmatch=True)
_DOMAINS = st.from_regex(r"[a-z][a-z0-9-]{0,12}[a-z0-9]", fullmatch=True)
_TOP_DOMAINS = ("se", "com", "nu", "org", "net", "eu", "info")
_ATS = ("@", "\uff20", "\ufe6b", "(at)", " (at) ", "[at]", "(snabel-a)", " @ ")
_DOTS = (".", "\uff0e", "\u3002", "\uff61", "\u2024", "(punkt)", "[dot]")


@st.composite
def email_addresses(draw: st.DrawFn) -> str:
    """An e-mail address, its @ and dots written as look-alikes or in words, invisible characters between."""
    dot = draw(st.sampled_from(_DOTS))
    local = draw(_LOCAL_PARTS).replace(".", dot)
    domain = draw(_DOMAINS) + dot + draw(st.sampled_from(_TOP_DOMAINS))
    written = local + draw(st.sampled_from(_ATS)) + domain
    if draw(st.booleans()):
        written = written.upper()
    return _with_digits_of(draw, written)


_PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUWXYZ"
# Currencies, laws and agencies that stand before numbers, which the guard lets pass.
_NOT_PLATES = (
    *("SEK", "EUR", "USD", "NOK", "DKK", "GBP", "CHF"),
    *("LSS", "HSL", "LPT", "LRV", "OSL", "SFB", "BRB", "PBL", "LOU", "SOU", "SFS", "DNR", "NKR"),
    *("KBT", "BUP", "SKR", "SCB", "FHM", "MSB", "PRN", "BRA"),
)


@st.composite
def vehicle_registrations(draw: st.DrawFn) -> str:
    """A Swedish plate, "ABC 123" or "ABC 12A": spaced, dashed or not in capitals, unspaced in small letters."""
    letters = "".join(draw(st.lists(st.sampled_from(_PLATE_LETTERS), min_size=3, max_size=3)))
    if letters in _NOT_PLATES:
        letters = "ABC"
    last = draw(st.sampled_from("0123456789" + _PLATE_LETTERS.replace("O", "")))
    digits = f"{draw(st.integers(0, 99)):02d}{last}"
    if draw(st.integers(0, 3)) == 0:
        return _with_digits_of(draw, (letters + digits).lower())
    if draw(st.booleans()):
        # Full-width capitals fold to ASCII ones.
        letters = "".join(chr(ord(letter) - ord("A") + 0xFF21) for letter in letters)
    return _with_digits_of(draw, letters + draw(st.sampled_from(("", " ", "-"))) + digits)


_STREET_PREFIXES = (
    "Stor",
    "Kungs",
    "Drottning",
    "Björk",
    "Ek",
    "Lind",
    "Skol",
    "Kyrk",
    "Järnvägs",
    "Sjö",
    "Hamn",
    "Ång",
    "Mölndals",
)
_STREET_ENDINGS = ("gatan", "vägen", "gränd", "torget", "backen", "stigen", "allén", "leden", "gata")
_WEAK_ENDINGS = ("plan", "väg", "torg", "platsen")
_TOWNS = ("Göteborg", "Borås", "Malmö", "Stockholm", "Umeå", "Lund", "Örebro", "GÖTEBORG")


@st.composite
def addresses(draw: st.DrawFn) -> str:
    """A street address with a house number, perhaps with a postcode and town; or a postcode alone."""
    postcode = f"{draw(st.integers(100, 999))} {draw(st.integers(0, 99)):02d}"
    town = draw(st.sampled_from(_TOWNS))
    shape = draw(st.integers(0, 5))
    if shape == 0:
        return _with_digits_of(draw, draw(st.sampled_from((f"{postcode} {town}", f"SE-{postcode}", postcode))))
    if shape == 1:
        return _with_digits_of(draw, f"{postcode.replace(' ', '')} {town}")
    number = f"{draw(st.integers(1, 300))}{draw(st.sampled_from(('', '', 'A', 'B', ' C')))}"
    if shape == 2:
        street = draw(st.sampled_from(("Drottning Kristinas väg", "Södra vägen", "Gustaf Adolfs torg", "Norra Allén")))
    elif shape == 3:
        street = draw(st.sampled_from(_STREET_PREFIXES)) + draw(st.sampled_from(_WEAK_ENDINGS))
    else:
        street = draw(st.sampled_from(_STREET_PREFIXES)) + draw(st.sampled_from(_STREET_ENDINGS))
        if draw(st.booleans()):
            street = street.lower()
    written = f"{street} {number}"
    if draw(st.booleans()):
        written += draw(st.sampled_from((f", {postcode} {town}", f" lgh {draw(st.integers(1001, 1999))}")))
    return _with_digits_of(draw, written)


def listed_names(file: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each name of a list with its marks ("ord", "ort")."""
    text = files("avhopp.platform.identifying_text").joinpath("data", file).read_text(encoding="utf-8")
    return tuple(
        (line.split()[0], tuple(line.split()[1:]))
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


FIRST_NAMES = listed_names("first_names.txt")
SURNAMES = listed_names("surnames.txt")
# Cyrillic letters drawn like these Latin ones.
_LOOK_ALIKE_LETTERS = {"A": "\u0410", "E": "\u0415", "O": "\u041e", "a": "\u0430", "e": "\u0435", "o": "\u043e"}


@st.composite
def names(draw: st.DrawFn) -> str:
    """A listed first name, surname or both, mid-sentence: capitalised, in capitals, genitive, disguised."""
    first, _ = draw(st.sampled_from(FIRST_NAMES))
    surname, surname_marks = draw(st.sampled_from(SURNAMES))
    shape = draw(st.integers(0, 3))
    if shape == 0:
        written = first
    elif shape == 1 and "ort" not in surname_marks:
        written = surname
    else:
        written = f"{first} {surname}"
    if draw(st.booleans()):
        written += "s"
    # In capitals, a name that is also a word is a name only beside another name.
    alone_a_word = any(written in (name, f"{name}s") and "ord" in marks for name, marks in (*FIRST_NAMES, *SURNAMES))
    if draw(st.integers(0, 4)) == 0 and not alone_a_word:
        written = written.upper()
    characters = []
    for character in written:
        look_alike = draw(st.integers(0, 5)) == 0
        characters.append(_LOOK_ALIKE_LETTERS.get(character, character) if look_alike else character)
        characters.append(draw(st.sampled_from(("", "", "", "", "\u00ad", "\u200b", "\u200d", "\u2060"))))
    return "".join(characters[:-1])
