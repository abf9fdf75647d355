"""The follow-up's short form in Swedish: each question and its answers, "Vet inte" always among them."""

from __future__ import annotations

from avhopp.platform.web.forms import Choice
from avhopp.tenants.cases.service import FOLLOW_UP_QUESTIONS

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
    "own_view": (
        "Hur tycker personen själv att det går?",
        {"better": "Bättre", "same": "Som förut", "worse": "Sämre", "unknown": _UNKNOWN},
    ),
}
"""Every question of FOLLOW_UP_QUESTIONS with a label for each of its answers (a test keeps them equal)."""


def question_choices() -> list[tuple[str, str, tuple[Choice, ...]]]:
    """Each question's field name, text and answers, in the service's order."""
    return [
        (
            question,
            QUESTIONS[question][0],
            tuple(Choice(answer, QUESTIONS[question][1][answer]) for answer in answers),
        )
        for question, answers in FOLLOW_UP_QUESTIONS.items()
    ]


def when(months: int) -> str:
    """How long after the work began a follow-up falls due, as people say it."""
    if months % 12:
        return f"{months} månader"
    years = months // 12
    return "1 år" if years == 1 else f"{years} år"
