"""The identifier guard refuses every identifying thing, however written, and lets ordinary Swedish case text pass."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avhopp.platform.identifying_text import (
    MESSAGES,
    Finding,
    IdentifyingKind,
    identifying_parts,
    identifying_problems,
    refuse_identifying,
)
from avhopp.platform.problems import InvalidInputError
from avhopp.platform.web.i18n import translations
from tests.platform.identifying_text.strategies import (
    FIRST_NAMES,
    SURNAMES,
    Placed,
    addresses,
    email_addresses,
    in_a_sentence,
    names,
    ordinary_texts,
    personal_identity_numbers,
    phone_numbers,
    vehicle_registrations,
)

PROPERTY = settings(max_examples=200, deadline=None)
Kind = IdentifyingKind


def kinds(text: str) -> list[Kind]:
    return [finding.kind for finding in identifying_parts(text)]


def assert_found(placed: Placed, kind: Kind) -> None:
    """A finding of `kind` covers where the identifying thing was written."""
    covering = [
        finding
        for finding in identifying_parts(placed.text)
        if finding.kind == kind and finding.start < placed.end and placed.start < finding.end
    ]
    assert covering, f"{kind} not found in {placed.text!r}"
    # What is visible of it lies within the findings: a page that points there points at all of it.
    visible = [i for i in range(placed.start, placed.end) if placed.text[i].isalnum()]
    assert all(any(finding.start <= i < finding.end for finding in covering) for i in visible)


@pytest.mark.parametrize(
    "text",
    [
        "811218-9876",
        "198112189876",
        "19811218-9876",
        "811278-9873",  # samordningsnummer
        "811218+9876",
        "811218\u20109876",  # hyphen
        "811218\u20119876",  # non-breaking hyphen
        "811218\u22129876",  # minus sign
        "811218\u20139876",  # en dash
        "811218\u20099876",  # thin space
        "8112\u200b18-9876",  # zero-width space
        "81121\u00ad8-9876",  # soft hyphen
        "\uff18\uff11\uff11\uff12\uff11\uff18-\uff19\uff18\uff17\uff16",  # full-width
        "\u0668\u0661\u0661\u0662\u0661\u0668-\u0669\u0668\u0667\u0666",  # Arabic-Indic
        "81 12 18-9876",
        "19 81 12 18 - 9876",
    ],
)
def test_a_personal_identity_number_in_any_form_is_found(text: str) -> None:
    written = f"Han har nummer {text} och bor i Göteborg."

    found = identifying_parts(written)

    assert [finding.kind for finding in found] == [Kind.PERSONAL_IDENTITY_NUMBER]
    assert written[found[0].start : found[0].end] == text


@pytest.mark.parametrize(
    "text",
    [
        "070-123 45 67",
        "0701234567",
        "070 123 45 67",
        "+46 70 123 45 67",
        "+46701234567",
        "0046 70 123 45 67",
        "+46 (0)70-123 45 67",
        "08-123 456 78",
        "031-12 34 56",
        "0771-123 456",
        "+44 20 7946 0958",
        "+47 412 34 567",
        "\uff10\uff17\uff10\u2010\uff11\uff12\uff13 \uff14\uff15 \uff16\uff17",  # full-width digits, hyphen
        "070\u2011123\u200945\u200b67",  # non-breaking hyphen, thin space, zero-width space
        "\u0660\u0667\u0660-\u0661\u0662\u0663 \u0664\u0665 \u0666\u0667",  # Arabic-Indic digits
    ],
)
def test_a_phone_number_is_found(text: str) -> None:
    written = f"Ring henne på {text} i kväll."

    found = identifying_parts(written)

    assert [finding.kind for finding in found] == [Kind.PHONE_NUMBER]
    assert written[found[0].start : found[0].end] == text


@pytest.mark.parametrize(
    "text",
    [
        "anna.andersson@gmail.com",
        "a.b-c+d@kommun.se",
        "anna@exempel",
        "anna\uff20gmail\uff0ecom",  # full-width @ and dot
        "anna\ufe6bgmail\u2024com",  # small @, one-dot leader
        "anna@gmail\u3002com",  # ideographic full stop
        "ANNA@GMAIL.COM",
        "anna(at)gmail(punkt)com",
        "anna [at] gmail [dot] com",
        "anna (snabel-a) gmail.com",
        "\u0430nna@gm\u0430il.com",  # Cyrillic а
        "an\u200bna@gm\u00adail.com",  # invisible characters
    ],
)
def test_an_email_address_is_found(text: str) -> None:
    written = f"Skriv till {text} i morgon."

    found = identifying_parts(written)

    assert [finding.kind for finding in found] == [Kind.EMAIL_ADDRESS]
    assert written[found[0].start : found[0].end] == text


@pytest.mark.parametrize("text", ["@anna_92", "@anna.andersson", "\uff20anna92", "@An\u200bna"])
def test_a_social_media_user_name_is_found(text: str) -> None:
    written = f"Hon skriver som {text} på Instagram."

    found = identifying_parts(written)

    assert [finding.kind for finding in found] == [Kind.USER_NAME]
    assert written[found[0].start : found[0].end] == text


@pytest.mark.parametrize(
    "text",
    ["ABC 123", "ABC123", "ABC-123", "ABC 12A", "ABC12A", "abc123", "abc12a", "ABC\u2009123", "\uff21\uff22\uff23 123"],
)
def test_a_vehicle_registration_number_is_found(text: str) -> None:
    written = f"Han kör en bil med {text} i stan."

    found = identifying_parts(written)

    assert [finding.kind for finding in found] == [Kind.VEHICLE_REGISTRATION]
    assert written[found[0].start : found[0].end] == text


@pytest.mark.parametrize(
    "text",
    [
        "abc 123",  # "med 123" is Swedish
        "Abc 123",
        "SEK 500",  # a currency before a sum
        "IQV 123",  # I, Q and V are on no plate
        "ABC 12O",  # nor O last
        "ABCD 123",
        "ABC 1234",
    ],
)
def test_what_is_no_plate_is_not_found(text: str) -> None:
    assert kinds(f"Det kostade {text} i månaden.") == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Hon bor på Storgatan 12.", "Storgatan 12"),
        ("Hon bor på storgatan 12B nu.", "storgatan 12B"),
        ("Han bodde på Björkvägen 3 C förut.", "Björkvägen 3 C"),
        ("Möte på Järntorget 4 i morgon.", "Järntorget 4"),
        ("Adressen är Kyrkogränd 7.", "Kyrkogränd 7"),
        ("Han bor på Ekbacken 14.", "Ekbacken 14"),
        ("Hon bor på Skolstigen 2.", "Skolstigen 2"),
        ("Hon bor på Lindallén 9.", "Lindallén 9"),
        ("Hon bor på Sjöleden 21.", "Sjöleden 21"),
        ("Hon bor vid Hamnplan 3.", "Hamnplan 3"),
        ("Hon bor på Drottning Kristinas väg 12.", "Drottning Kristinas väg 12"),
        ("Hon bor på Södra vägen 3.", "Södra vägen 3"),
        ("Hon bor vid Gustaf Adolfs torg 1.", "Gustaf Adolfs torg 1"),
        ("Adressen är 412 63 Göteborg.", "412 63 Göteborg"),
        ("Adressen är 41263 Göteborg.", "41263 Göteborg"),
        ("Postnumret är SE-412 63.", "SE-412 63"),
        ("Postnumret är 412 63.", "412 63"),
        ("Lägenheten är lgh 1102.", "lgh 1102"),
    ],
)
def test_an_address_is_found(text: str, address: str) -> None:
    found = identifying_parts(text)

    assert [finding.kind for finding in found] == [Kind.ADDRESS]
    assert text[found[0].start : found[0].end] == address


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Vi träffade Anna i går.", ["Anna"]),
        ("Anna har varit här.", ["Anna"]),  # a name that is no word, at a sentence's start
        ("Vi träffade Per i går.", ["Per"]),  # a word, but capitalised mid-sentence
        ("Per Andersson kom i går.", ["Per Andersson"]),  # a word at the start, beside a surname
        ("Stig Berg kom i går.", ["Stig Berg"]),
        ("Hon ringde Björn.", ["Björn"]),
        ("Det var Annas idé.", ["Annas"]),  # genitive
        ("Det var Anderssons bil.", ["Anderssons"]),
        ("Anna-Karin Andersson kom.", ["Anna-Karin Andersson"]),
        ("Vi träffade ANNA ANDERSSON.", ["ANNA ANDERSSON"]),
        ("Vi träffade PER ANDERSSON.", ["PER ANDERSSON"]),
        ("Hon pratade med anna andersson.", ["anna andersson"]),  # small letters, a surname that is no word
        ("Hon pratade med andersson.", ["andersson"]),
        ("Hon pratade med Strandsson.", ["Strandsson"]),  # any -sson
        ("Anna Lund kom i går.", ["Anna Lund"]),  # a town beside a first name
        ("Vi träffade \u0410nna.", ["\u0410nna"]),  # Cyrillic А
        ("Vi träffade An\u200bna.", ["An\u200bna"]),
        ("Vi träffade \uff21\uff4e\uff4e\uff41.", ["\uff21\uff4e\uff4e\uff41"]),  # full-width
        ("Vi träffade Bjo\u0308rn.", ["Bjo\u0308rn"]),  # o and a combining diaeresis
        ("Uppgift: Anna.", ["Anna"]),
        ("Hon ringde Mohammed.", ["Mohammed"]),
        ("Vi träffade Per\u200bAndersson.", ["Per\u200bAndersson"]),  # a zero-width space between the two
    ],
)
def test_a_name_is_found(text: str, named: list[str]) -> None:
    found = identifying_parts(text)

    assert [finding.kind for finding in found] == [Kind.NAME] * len(named)
    assert [text[finding.start : finding.end] for finding in found] == named


@pytest.mark.parametrize(
    "text",
    [
        "Per vecka träffas de två gånger.",  # "per" at a sentence's start
        "Bo kvar i kommunen vill hon inte.",
        "Hon vill bo kvar.",
        "Björn och varg finns i skogen.",
        "Klara mål saknas. Hon vill klara sig själv.",
        "Max tre personer får delta.",
        "Hans mamma har ringt.",
        "Stig och väg saknas på kartan.",
        "Saga och verklighet blandas.",
        "Hon flyttade till Lund.",  # a town alone
        "Han fick kontakt med Maria Ungdom.",  # a clinic
        "Hon vårdades på S:t Görans sjukhus.",
        "Hon gick i skolan i Sankt Eriks församling.",
        "De satt under en ek vid berget.",
        "VI TRÄFFAS PER VECKA.",  # a word in capitals
        "Hon heter anna.",  # a lone first name in small letters: the guard lets it be
        "Mötet:\nPer vecka två gånger.",  # a line break starts a sentence
        "Mål:\n1) Per vecka två samtal.\n2) Bo kvar.\na. Klara skolan.",  # so does a list's item
    ],
)
def test_words_that_are_also_names_pass(text: str) -> None:
    assert identifying_parts(text) == ()


@pytest.mark.parametrize(
    "text",
    [
        "Han är 24 år och har bott i Göteborg sedan 2019.",
        "Det har hänt 3 gånger, senast den 12 mars kl. 14.30.",
        "Mötet var kl. 08.30–09.30 och kl 13:00-14:00.",
        "1) Samtal kl. 02.00–03.00.\n5) Samtal igen.",
        "Under 2019-2021 fick hon 120 000 kronor i bistånd, 5 000 kr i månaden.",
        "Ärende 2026-0042 avslutades 2026-11-21.",
        "Hon har en handlingsplan. Handlingsplan 2 är klar. Samma väg 2 gånger är för mycket.",
        "Han går i KBT, har insatser enligt LSS och SoL, och har varit på LVM och HVB.",
        "Det kostade SEK 500 per månad.",
        "Ungefär 120 15-åringar deltog, 45 % av alla.",
        "Hon tog en omväg hem och gick samma väg 3 gånger.",
    ],
)
def test_ordinary_text_with_numbers_passes(text: str) -> None:
    assert identifying_parts(text) == ()


@PROPERTY
@given(ordinary_texts())
def test_ordinary_swedish_case_text_passes(text: str) -> None:
    assert identifying_parts(text) == ()


@PROPERTY
@given(st.data())
def test_a_personal_identity_number_is_refused(data: st.DataObject) -> None:
    assert_found(data.draw(in_a_sentence(data.draw(personal_identity_numbers()))), Kind.PERSONAL_IDENTITY_NUMBER)


@PROPERTY
@given(st.data())
def test_a_phone_number_is_refused(data: st.DataObject) -> None:
    assert_found(data.draw(in_a_sentence(data.draw(phone_numbers()))), Kind.PHONE_NUMBER)


@PROPERTY
@given(st.data())
def test_an_email_address_is_refused(data: st.DataObject) -> None:
    assert_found(data.draw(in_a_sentence(data.draw(email_addresses()))), Kind.EMAIL_ADDRESS)


@PROPERTY
@given(st.data())
def test_a_vehicle_registration_number_is_refused(data: st.DataObject) -> None:
    assert_found(data.draw(in_a_sentence(data.draw(vehicle_registrations()))), Kind.VEHICLE_REGISTRATION)


@PROPERTY
@given(st.data())
def test_an_address_is_refused(data: st.DataObject) -> None:
    assert_found(data.draw(in_a_sentence(data.draw(addresses()))), Kind.ADDRESS)


@PROPERTY
@given(st.data())
def test_a_name_is_refused(data: st.DataObject) -> None:
    assert_found(data.draw(in_a_sentence(data.draw(names()))), Kind.NAME)


def test_every_listed_name_is_found_mid_sentence() -> None:
    for name, marks in (*FIRST_NAMES, *SURNAMES):
        if "ort" in marks:
            continue
        text = f"Vi träffade {name} i går."
        assert kinds(text) == [Kind.NAME], name


def test_the_lists_hold_the_most_common_names() -> None:
    # SCB's top 100 of each sex, and the top 100 surnames; the spellings we added are few.
    assert len(FIRST_NAMES) >= 200
    assert len(SURNAMES) == 100


def test_findings_are_in_written_order_with_their_kinds() -> None:
    text = "Anna (811218-9876) ringer från 070-123 45 67, bor på Storgatan 1 och kör ABC 123."

    found = identifying_parts(text)

    assert [(finding.kind, text[finding.start : finding.end]) for finding in found] == [
        (Kind.NAME, "Anna"),
        (Kind.PERSONAL_IDENTITY_NUMBER, "811218-9876"),
        (Kind.PHONE_NUMBER, "070-123 45 67"),
        (Kind.ADDRESS, "Storgatan 1"),
        (Kind.VEHICLE_REGISTRATION, "ABC 123"),
    ]


def test_the_refusal_names_what_to_remove_and_quotes_nothing() -> None:
    text = "Ring Anna på 070-123 45 67 eller 070-765 43 21."

    with pytest.raises(InvalidInputError) as refused:
        refuse_identifying("question", text)

    problems = refused.value.problems
    assert [problem.field for problem in problems] == ["question", "question"]
    assert [problem.message for problem in problems] == [MESSAGES[Kind.NAME], MESSAGES[Kind.PHONE_NUMBER]]
    # Nothing of the text reaches the exception, its message or its representation.
    for shown in (str(refused.value), repr(refused.value), *(problem.message for problem in problems)):
        assert "Anna" not in shown
        assert "070" not in shown
    assert "Anna" not in repr(identifying_parts(text))


def test_every_kind_has_its_own_swedish_message() -> None:
    assert set(MESSAGES) == set(Kind)
    assert len(set(MESSAGES.values())) == len(Kind)
    assert all(message.startswith("Texten innehåller") and "Ta bort" in message for message in MESSAGES.values())
    assert Finding(Kind.PHONE_NUMBER, 0, 1).message == MESSAGES[Kind.PHONE_NUMBER]


def test_every_message_has_an_english_translation() -> None:
    english = translations("en")
    assert all(english.gettext(message) != message for message in MESSAGES.values())


def test_ordinary_text_is_not_refused() -> None:
    refuse_identifying("question", "Hur gör ni när en 19-åring vill lämna gänget men bo kvar i kommunen?")
    assert identifying_problems("question", "Hon har bott här sedan 2019.") == []


def test_a_long_text_is_read_quickly() -> None:
    text = ("Hon har bott i ett skyddat boende sedan 2019 och träffas 3 gånger per vecka kl. 14.30. " * 120)[:10_000]

    started = time.perf_counter()
    found = identifying_parts(text + " Ring 070-123 45 67.")
    elapsed = time.perf_counter() - started

    assert [finding.kind for finding in found] == [Kind.PHONE_NUMBER]
    # The longest value a request may carry (avhopp.platform.text_input.MAX_VALUE_LENGTH).
    assert elapsed < 2
