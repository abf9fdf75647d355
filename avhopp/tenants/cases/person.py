"""The person a case is about: validated, sealed at rest, and every read of it audited.

Name, personnummer, phone and a safe way to reach them are sealed together (AES-GCM under a key
derived from the platform's secret key, bound to the case); the address on its own, and never
at all when the person has a protected identity. Lists show initials only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from avhopp.platform.audit import Action
from avhopp.platform.identity_numbers import parse_personal_number
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.sealing import seal, unseal
from avhopp.tenants.cases.audit import record_case_event
from avhopp.tenants.cases.models import ADDRESS_PURPOSE, IDENTITY_PURPOSE, INTAKE_PURPOSE, CasePerson
from avhopp.tenants.cases.texts import checked_text
from avhopp.tenants.cases.vocabulary import Category, ProtectedIdentity

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.access import Actor, CaseAccess

_IDENTITY, _ADDRESS, _INTAKE = IDENTITY_PURPOSE, ADDRESS_PURPOSE, INTAKE_PURPOSE
MAX_NAME = 200
MAX_TEXT = 2000
MAX_SHORT = 300


@dataclass(frozen=True, slots=True)
class PersonDetails:
    """Who the case is about, as the officer writes it."""

    name: str
    personal_number: str = ""
    """Personnummer or samordningsnummer; may be left empty at first contact."""
    phone: str = ""
    safe_contact: str = ""
    """How and when it is safe to reach the person."""
    protected_identity: ProtectedIdentity = ProtectedIdentity.NONE
    address: str = ""


@dataclass(frozen=True, slots=True)
class Intake:
    """The current situation and motivation, in the officer's words."""

    situation: str = ""
    motivation: str = ""


def checked_person(details: PersonDetails, *, unnamed: bool = False) -> PersonDetails:
    """The details with the personnummer in its long form; InvalidInputError names each wrong field.

    `unnamed` allows a draft without a name: a referral from the line, whose caller may be anonymous.
    """
    problems: list[FieldProblem] = []
    name = checked_text("name", details.name, MAX_NAME, problems)
    if not name and not unnamed:
        problems.append(FieldProblem("name", "Skriv personens namn."))
    number = checked_text("personal_number", details.personal_number, 20, problems)
    if number:
        try:
            twelve = parse_personal_number(number)
            number = f"{twelve[:8]}-{twelve[8:]}"
        except InvalidInputError as error:
            problems.extend(error.problems)
    phone = checked_text("phone", details.phone, 40, problems)
    safe_contact = checked_text("safe_contact", details.safe_contact, MAX_SHORT, problems, lines=True)
    address = checked_text("address", details.address, MAX_SHORT, problems, lines=True)
    if address and details.protected_identity != ProtectedIdentity.NONE:
        problems.append(FieldProblem("address", "Med skyddade personuppgifter sparas ingen adress. Lämna fältet tomt."))
    if problems:
        raise InvalidInputError(problems)
    return PersonDetails(name, number, phone, safe_contact, ProtectedIdentity(details.protected_identity), address)


def checked_intake(intake: Intake) -> Intake:
    """The intake's texts, trimmed; InvalidInputError names each wrong field."""
    problems: list[FieldProblem] = []
    situation = checked_text("situation", intake.situation, MAX_TEXT, problems, lines=True)
    motivation = checked_text("motivation", intake.motivation, MAX_TEXT, problems, lines=True)
    if problems:
        raise InvalidInputError(problems)
    return Intake(situation, motivation)


def initials(name: str) -> str:
    """The first letters of the first and last names, in capitals."""
    parts = [part for part in name.replace("-", " ").split() if part]
    if not parts:
        return "–"
    letters = parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")
    return letters.upper()


def sealed_person(
    secret_key: str, case_id: UUID, tenant_id: UUID, details: PersonDetails, intake: Intake
) -> CasePerson:
    """A new row of the person, everything personal sealed and bound to the case."""
    identity = {
        "name": details.name,
        "personal_number": details.personal_number,
        "phone": details.phone,
        "safe_contact": details.safe_contact,
    }
    return CasePerson(
        case_id=case_id,
        tenant_id=tenant_id,
        initials=initials(details.name),
        protected_identity=details.protected_identity.value,
        identity_sealed=seal(secret_key, _IDENTITY, json.dumps(identity).encode(), case_id.bytes),
        address_sealed=seal(secret_key, _ADDRESS, details.address.encode(), case_id.bytes) if details.address else None,
        intake_sealed=seal(
            secret_key, _INTAKE, json.dumps([intake.situation, intake.motivation]).encode(), case_id.bytes
        ),
    )


@dataclass(frozen=True, slots=True)
class OpenedPerson:
    """The person's details, opened for one reader (and audited)."""

    details: PersonDetails
    intake: Intake | None
    """Only the owner's team reads the intake."""
    erased: bool


async def open_person(session: AsyncSession, secret_key: str, actor: Actor, access: CaseAccess) -> OpenedPerson:
    """Unseal the person of a case the actor may see the identity of, and audit the read.

    NotFoundError where a consent shares the case without its identity: row-level security hides
    the row, which must not read as an identity that was erased.
    """
    if not access.may_see(Category.IDENTITY):
        raise NotFoundError
    case_id = access.case.id
    row = await session.get(CasePerson, case_id)
    if row is None or row.identity_sealed is None:
        return OpenedPerson(PersonDetails(name=""), None, erased=True)
    identity = json.loads(unseal(secret_key, _IDENTITY, row.identity_sealed, case_id.bytes))
    address = unseal(secret_key, _ADDRESS, row.address_sealed, case_id.bytes).decode() if row.address_sealed else ""
    intake = None
    if access.owner and row.intake_sealed is not None:
        situation, motivation = json.loads(unseal(secret_key, _INTAKE, row.intake_sealed, case_id.bytes))
        intake = Intake(situation, motivation)
    await record_case_event(
        session, Action.PERSON_READ, case_id, tenant_id=actor.tenant_id, actor=actor, reason=access.reason()
    )
    details = PersonDetails(
        name=identity["name"],
        personal_number=identity["personal_number"],
        phone=identity["phone"],
        safe_contact=identity["safe_contact"],
        protected_identity=ProtectedIdentity(row.protected_identity),
        address=address,
    )
    return OpenedPerson(details, intake, erased=False)
