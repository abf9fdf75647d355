"""The national follow-up record in Swedish: each question and its answers, "Vet inte" always among them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.platform.web.forms import Choice

if TYPE_CHECKING:
    from collections.abc import Iterable

    from avhopp.tenants.cases.follow_up_schema import Question

_UNKNOWN = "Vet inte"

QUESTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "housing": (
        "Hur bor personen?",
        {
            "own_lease": "Eget hyres- eller bostadsrättskontrakt",
            "sublease": "Andrahandskontrakt",
            "supported_housing": "Stödboende",
            "emergency_housing": "Akut eller tillfälligt boende",
            "homeless": "Hemlös",
            "other": "Annat boende",
            "unknown": _UNKNOWN,
        },
    ),
    "occupation": (
        "Vad har personen för sysselsättning?",
        {
            "work": "Arbete",
            "studies": "Studier",
            "work_training": "Arbetsträning eller praktik",
            "none": "Ingen sysselsättning",
            "unknown": _UNKNOWN,
        },
    ),
    "addiction": (
        "Har personen ett missbruk?",
        {
            "none": "Inget känt missbruk",
            "alcohol": "Alkohol",
            "drugs": "Narkotika",
            "alcohol_and_drugs": "Alkohol och narkotika",
            "in_treatment": "I behandling för missbruk",
            "unknown": _UNKNOWN,
        },
    ),
    "contact_with_group": (
        "Har personen kontakt med gruppen hen lämnade?",
        {
            "none": "Ingen kontakt",
            "occasional": "Enstaka kontakt",
            "regular": "Regelbunden kontakt",
            "unknown": _UNKNOWN,
        },
    ),
    "new_crime": (
        "Ny brottslighet sedan förra uppföljningen?",
        {
            "none_known": "Ingen känd",
            "suspected": "Misstänkt för brott",
            "convicted": "Dömd för brott",
            "unknown": _UNKNOWN,
        },
    ),
    "threat": (
        "Hur är hotbilden mot personen?",
        {"none": "Inget känt hot", "latent": "Latent hot", "serious": "Allvarligt hot", "unknown": _UNKNOWN},
    ),
    "protected_identity": (
        "Har personen skyddade personuppgifter?",
        {
            "none": "Inget skydd",
            "confidentiality_marking": "Sekretessmarkering",
            "registered_elsewhere": "Kvarskrivning",
            "fictitious_identity": "Fingerade personuppgifter",
            "unknown": _UNKNOWN,
        },
    ),
    "operation_contact": (
        "Har personen kontakt med en avhopparverksamhet?",
        {
            "ongoing": "Fortlöpande kontakt",
            "occasional": "Enstaka kontakt",
            "none": "Ingen kontakt",
            "unknown": _UNKNOWN,
        },
    ),
    "own_view": (
        "Hur tycker personen själv att det går?",
        {"better": "Bättre", "same": "Som förut", "worse": "Sämre", "unknown": _UNKNOWN},
    ),
    "own_safety": (
        "Känner sig personen trygg?",
        {"safe": "Ja", "partly_safe": "Delvis", "unsafe": "Nej", "unknown": _UNKNOWN},
    ),
    "own_support": (
        "Tycker personen att stödet räcker?",
        {"enough": "Ja", "partly": "Delvis", "not_enough": "Nej", "unknown": _UNKNOWN},
    ),
}
"""Every question of every version of the record, with a label for each answer (a test keeps them complete)."""


def question_choices(questions: Iterable[Question], prefix: str) -> list[tuple[str, str, tuple[Choice, ...]]]:
    """Each question's field name (`prefix` + code), text and answers, in the schema's order."""
    return [
        (
            f"{prefix}{question.code}",
            QUESTIONS[question.code][0],
            tuple(Choice(answer, QUESTIONS[question.code][1][answer]) for answer in question.answers),
        )
        for question in questions
    ]


def question_text(code: str) -> str:
    """The question as the officer reads it."""
    return QUESTIONS[code][0]


def when(months: int) -> str:
    """How long after the work began a follow-up falls due, as people say it."""
    if months % 12:
        return f"{months} månader"
    years = months // 12
    return "1 år" if years == 1 else f"{years} år"
