"""The person and the intake as a form: opening a case and completing a draft's intake share it.

With a protected identity no address is stored at all: the page says why, and an address typed
before the level was chosen is not sent on to the service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from avhopp.platform.web.forms import Choice
from avhopp.tenants.cases.service import (
    CURRENT_SCHEMA,
    INTAKE_QUESTIONS,
    Intake,
    Intervention,
    PersonDetails,
    ProtectedIdentity,
    TargetGroup,
)
from avhopp.tenants.cases.web.common import choices_of
from avhopp.tenants.cases.web.follow_up_form import question_choices

if TYPE_CHECKING:
    from avhopp.tenants.cases.service import CaseAccess, Colleague, OpenedPerson
    from avhopp.tenants.cases.web.common import FormReader


def person_from(reader: FormReader) -> PersonDetails:
    """The person's details as the form gives them."""
    protected = reader.choice("protected_identity", ProtectedIdentity) or ProtectedIdentity.NONE
    return PersonDetails(
        name=reader.text("name"),
        personal_number=reader.text("personal_number"),
        phone=reader.text("phone"),
        safe_contact=reader.text("safe_contact"),
        protected_identity=protected,
        address=reader.text("address") if protected == ProtectedIdentity.NONE else "",
    )


def intake_from(reader: FormReader) -> Intake:
    """The situation and motivation as the form gives them."""
    return Intake(situation=reader.text("situation"), motivation=reader.text("motivation"))


SITUATION = "situation_"
"""The coded situation's fields: `situation_housing` (the person's own `protected_identity` is another field)."""


def form_field(field: str) -> str:
    """The form's name of a field the service refuses (`situation.housing` is `situation_housing`)."""
    return field.replace("situation.", SITUATION, 1) if field.startswith("situation.") else field


def situation_from(reader: FormReader) -> dict[str, str]:
    """The coded situation at intake, the questions answered so far."""
    answers = {code: reader.text(f"{SITUATION}{code}") for code in INTAKE_QUESTIONS}
    return {code: answer for code, answer in answers.items() if answer}


def person_choices(colleagues: list[Colleague]) -> dict[str, Any]:
    """The options of the person and intake form."""
    return {
        "situation_questions": question_choices(CURRENT_SCHEMA.intake, SITUATION),
        "protections": choices_of(ProtectedIdentity),
        "affiliations": choices_of(TargetGroup),
        "needs": choices_of(Intervention),
        "colleagues": tuple(Choice(str(colleague.user_id), colleague.name) for colleague in colleagues),
    }


def filled_from(opened: OpenedPerson, access: CaseAccess, deputy: str) -> dict[str, list[str]]:
    """The form filled in with what the case holds, to be completed."""
    details, case = opened.details, access.case
    intake = opened.intake or Intake()
    return {
        "name": [details.name],
        "personal_number": [details.personal_number],
        "phone": [details.phone],
        "safe_contact": [details.safe_contact],
        "protected_identity": [details.protected_identity.value],
        "address": [details.address],
        "situation": [intake.situation],
        "motivation": [intake.motivation],
        "affiliation": [case.affiliation or ""],
        "needs": list(case.needs),
        "deputy_id": [deputy],
        **{f"{SITUATION}{code}": [answer] for code, answer in (case.intake_answers or {}).items()},
    }
