"""The person and the intake as a form: opening a case and completing a draft's intake share it.

With a protected identity no address is stored at all: the page says why, and an address typed
before the level was chosen is not sent on to the service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from avhopp.platform.web.forms import Choice
from avhopp.tenants.cases.service import (
    Intake,
    Intervention,
    PersonDetails,
    ProtectedIdentity,
    TargetGroup,
)
from avhopp.tenants.cases.web.common import choices_of

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


def person_choices(colleagues: list[Colleague]) -> dict[str, Any]:
    """The options of the person and intake form."""
    return {
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
    }
