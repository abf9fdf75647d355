"""The national follow-up record, defined once and versioned.

Every answer set (the coded situation at intake, and each follow-up) stores the number of the
schema it was answered under. A later version may add questions or codes but never gives an
existing code another meaning, so answers of different versions compare question by question:
a question a version did not ask reads as `NOT_ASKED`, never as "no" and never as "unknown".

"unknown" is an answer to every question and is counted as such. A required question must be
answered (possibly "unknown") before a follow-up can be closed.

Version 1 is the short form cases recorded before the national follow-up (issue 13); version 2
is the national record (issue 16). Nothing is ever recorded under version 1 again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from avhopp.platform.problems import FieldProblem

if TYPE_CHECKING:
    from collections.abc import Mapping

UNKNOWN = "unknown"
NOT_ASKED = "not_asked"
"""What `answer_of` gives for a question the answer set's version did not ask (never stored)."""


@dataclass(frozen=True, slots=True)
class Question:
    """One coded question: its code and the codes it may be answered with ("unknown" always among them)."""

    code: str
    answers: tuple[str, ...]
    required: bool = True

    def __post_init__(self) -> None:
        # "unknown" is always an answer: a schema that forgot it would count not knowing as something else.
        if UNKNOWN not in self.answers:
            raise ValueError(f"{self.code}: every question allows {UNKNOWN!r}")


@dataclass(frozen=True, slots=True)
class RecordSchema:
    """One version of the record: the coded situation at intake, and the questions of each follow-up."""

    version: int
    intake: tuple[Question, ...]
    follow_up: tuple[Question, ...]

    def question(self, code: str, *, at_intake: bool = False) -> Question | None:
        """The question with this code, of the intake or of a follow-up."""
        return next((q for q in (self.intake if at_intake else self.follow_up) if q.code == code), None)


HOUSING = Question(
    "housing", ("own_lease", "sublease", "supported_housing", "emergency_housing", "homeless", "other", UNKNOWN)
)
OCCUPATION = Question("occupation", ("work", "studies", "work_training", "none", UNKNOWN))
ADDICTION = Question("addiction", ("none", "alcohol", "drugs", "alcohol_and_drugs", "in_treatment", UNKNOWN))
CONTACT_WITH_GROUP = Question("contact_with_group", ("none", "occasional", "regular", UNKNOWN))
NEW_CRIME = Question("new_crime", ("none_known", "suspected", "convicted", UNKNOWN))
THREAT = Question("threat", ("none", "latent", "serious", UNKNOWN))
PROTECTED_IDENTITY = Question(
    "protected_identity",
    ("none", "confidentiality_marking", "registered_elsewhere", "fictitious_identity", UNKNOWN),
)
OPERATION_CONTACT = Question("operation_contact", ("ongoing", "occasional", "none", UNKNOWN))
OWN_VIEW = Question("own_view", ("better", "same", "worse", UNKNOWN))
OWN_SAFETY = Question("own_safety", ("safe", "partly_safe", "unsafe", UNKNOWN))
OWN_SUPPORT = Question("own_support", ("enough", "partly", "not_enough", UNKNOWN))

FOLLOW_UP_SCHEMA_V1 = RecordSchema(
    1, intake=(), follow_up=(HOUSING, OCCUPATION, CONTACT_WITH_GROUP, NEW_CRIME, OWN_VIEW)
)
"""The short form of issue 13, kept so its answers stay readable and comparable."""

FOLLOW_UP_SCHEMA_V2 = RecordSchema(
    2,
    intake=(HOUSING, OCCUPATION, ADDICTION, CONTACT_WITH_GROUP, THREAT, PROTECTED_IDENTITY),
    follow_up=(
        HOUSING,
        OCCUPATION,
        ADDICTION,
        CONTACT_WITH_GROUP,
        NEW_CRIME,
        THREAT,
        PROTECTED_IDENTITY,
        OPERATION_CONTACT,
        OWN_VIEW,
        OWN_SAFETY,
        OWN_SUPPORT,
    ),
)
"""The national record: the situation at intake (the needs are the case's), and each follow-up."""

SCHEMAS: dict[int, RecordSchema] = {schema.version: schema for schema in (FOLLOW_UP_SCHEMA_V1, FOLLOW_UP_SCHEMA_V2)}
CURRENT_SCHEMA = FOLLOW_UP_SCHEMA_V2
"""What new answers are recorded under."""


def answer_of(answers: Mapping[str, str] | None, version: int, code: str, *, at_intake: bool = False) -> str | None:
    """One answer of a stored set for comparison across versions.

    `NOT_ASKED` when the set's version has no such question; None when it was asked but not yet answered.
    """
    if SCHEMAS[version].question(code, at_intake=at_intake) is None:
        return NOT_ASKED
    return (answers or {}).get(code)


def missing_answers(answers: Mapping[str, str] | None, schema: RecordSchema, *, at_intake: bool = False) -> list[str]:
    """The required questions of `schema` that have no answer yet ("unknown" is an answer)."""
    given = answers or {}
    return [q.code for q in (schema.intake if at_intake else schema.follow_up) if q.required and q.code not in given]


def checked_answers(
    answers: Mapping[str, str], schema: RecordSchema, *, at_intake: bool = False, prefix: str = ""
) -> tuple[dict[str, str], list[FieldProblem]]:
    """The answers that are codes of their questions, and a Swedish problem naming each that is not."""
    questions = {q.code: q for q in (schema.intake if at_intake else schema.follow_up)}
    kept: dict[str, str] = {}
    problems: list[FieldProblem] = []
    for code, value in answers.items():
        question = questions.get(code)
        if question is None:
            problems.append(FieldProblem(f"{prefix}{code}", "Frågan finns inte i uppföljningen."))
        elif value not in question.answers:
            problems.append(FieldProblem(f"{prefix}{code}", "Välj ett av svaren (eller ”Vet inte”)."))
        else:
            kept[code] = value
    return kept, problems
