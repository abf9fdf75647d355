"""Consent: what the person agreed to share, with whom, until when; and the grants that carry it.

A consent names organisations, categories of information, a purpose, a period and a witness,
and may keep the signed document (sealed, at most 5 MB, PDF, PNG or JPEG by content). Each
named organisation gets a grant; row-level security reads its validity at every statement.
Revoking cuts access at once and tells both sides; so does reaching the end date (a job).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from sqlalchemy import select, update

from avhopp.platform.database import act_for_tenant
from avhopp.platform.documents import document_type as recognised_type
from avhopp.platform.jobs import enqueue, job
from avhopp.platform.notifications import notify, register_kind
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.sealing import seal, unseal
from avhopp.platform.times import STOCKHOLM, swedish_date
from avhopp.tenants.cases.access import Actor, case_for_actor
from avhopp.tenants.cases.audit import CaseAction, record_case_event
from avhopp.tenants.cases.cases import case_link
from avhopp.tenants.cases.models import DOCUMENT_PURPOSE, MAX_DOCUMENT_BYTES, CaseGrant, CaseTeamMember, Consent
from avhopp.tenants.cases.texts import checked_text
from avhopp.tenants.cases.vocabulary import Category
from avhopp.tenants.registry.permissions import CASE_KINDS
from avhopp.tenants.registry.service import TenantKind, people_among, tenant_ids_of_kind, tenant_kinds, tenant_names

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

_DOCUMENT = DOCUMENT_PURPOSE
MAX_PURPOSE = 500
MAX_WITNESS = 200
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
"""Dates a consent may name: any a person could mean, and none too far out to be a moment (year 1 or 9999)."""

CONSENT_ENDED = register_kind("case_consent_ended", "Ett samtycke har upphört och delningen är stängd")


@dataclass(frozen=True, slots=True)
class ConsentInput:
    """A written consent as the officer records it."""

    organisations: tuple[UUID, ...]
    categories: tuple[Category, ...]
    purpose: str
    valid_from: date
    valid_until: date
    witnessed_by: str
    contributors: tuple[UUID, ...] = ()
    document: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation a consent may name."""

    id: UUID
    name: str
    kind: TenantKind


async def sharing_candidates(session: AsyncSession, actor: Actor) -> list[Organisation]:
    """The organisations that work with cases, other than the actor's, by name: whom a consent may name."""
    ids = {
        tenant_id: TenantKind(kind)
        for kind in sorted(CASE_KINDS)
        for tenant_id in await tenant_ids_of_kind(session, TenantKind(kind))
        if tenant_id != actor.tenant_id
    }
    names = await tenant_names(session, ids)
    return sorted(
        (Organisation(tenant_id, names[tenant_id], kind) for tenant_id, kind in ids.items() if tenant_id in names),
        key=lambda organisation: organisation.name,
    )


async def _organisation_problems(session: AsyncSession, owner: UUID, consent: ConsentInput) -> list[FieldProblem]:
    organisations = set(consent.organisations)
    if not organisations:
        return [FieldProblem("organisations", "Välj minst en organisation som samtycket gäller.")]
    if owner in organisations:
        return [FieldProblem("organisations", "Samtycket gäller andra organisationer än er egen.")]
    if set(await tenant_kinds(session, organisations)) != organisations:
        return [FieldProblem("organisations", "En av organisationerna finns inte på plattformen.")]
    return []


async def _checked(session: AsyncSession, owner: UUID, consent: ConsentInput) -> tuple[str, str, str | None]:
    problems = await _organisation_problems(session, owner, consent)
    if not set(consent.contributors) <= set(consent.organisations):
        problems.append(FieldProblem("contributors", "Bara organisationer som samtycket gäller kan bidra."))
    if not consent.categories:
        problems.append(FieldProblem("categories", "Välj vilka uppgifter som får delas."))
    purpose = checked_text(
        "purpose", consent.purpose, MAX_PURPOSE, problems, lines=True, missing="Skriv syftet med delningen."
    )
    witness = checked_text(
        "witnessed_by", consent.witnessed_by, MAX_WITNESS, problems, missing="Skriv vem som bevittnade samtycket."
    )
    for name, day in (("valid_from", consent.valid_from), ("valid_until", consent.valid_until)):
        if not FIRST_DAY <= day <= LAST_DAY:
            problems.append(FieldProblem(name, "Skriv ett datum mellan år 1900 och 2199."))
    if consent.valid_until <= consent.valid_from:
        problems.append(FieldProblem("valid_until", "Samtycket måste sluta efter att det börjar."))
    document_type = None
    if consent.document is not None:
        if len(consent.document) > MAX_DOCUMENT_BYTES:
            problems.append(FieldProblem("document", "Dokumentet får vara högst 5 MB."))
        elif (document_type := recognised_type(consent.document)) is None:
            problems.append(FieldProblem("document", "Dokumentet ska vara en PDF, PNG eller JPEG."))
    if problems:
        raise InvalidInputError(problems)
    return purpose, witness, document_type


def _start_of(day: date) -> datetime:
    """Midnight in Stockholm at the start of `day`, as a moment."""
    return datetime.combine(day, time(), tzinfo=STOCKHOLM).astimezone(UTC)


async def record_consent(
    session: AsyncSession, actor: Actor, case_id: UUID, consent: ConsentInput, secret_key: str
) -> UUID:
    """Record a written consent and share the case accordingly with each organisation it names."""
    access = await case_for_actor(session, actor, case_id)
    if not access.owner or access.role is None:
        raise NotFoundError
    purpose, witness, document_type = await _checked(session, actor.tenant_id, consent)
    consent_id = uuid4()
    row = Consent(
        id=consent_id,
        case_id=case_id,
        tenant_id=actor.tenant_id,
        organisations=sorted(set(consent.organisations)),
        contributors=sorted(set(consent.contributors)),
        categories=sorted({Category(category).value for category in consent.categories}),
        purpose=purpose,
        valid_from=consent.valid_from,
        valid_until=consent.valid_until,
        witnessed_by=witness,
        document_sealed=None
        if consent.document is None
        else seal(secret_key, _DOCUMENT, consent.document, consent_id.bytes),
        document_type=document_type,
        recorded_by=actor.user_id,
    )
    session.add(row)
    await session.flush()
    for organisation in row.organisations:
        session.add(
            CaseGrant(
                consent_id=consent_id,
                case_id=case_id,
                owner_tenant_id=actor.tenant_id,
                tenant_id=organisation,
                categories=row.categories,
                contributes=organisation in row.contributors,
                valid_from=_start_of(consent.valid_from),
                valid_until=_start_of(consent.valid_until),
            )
        )
    access.case.last_entry_at = datetime.now(UTC)
    await session.flush()
    await record_case_event(session, CaseAction.CONSENT_RECORDED, case_id, tenant_id=actor.tenant_id, actor=actor)
    return consent_id


@dataclass(frozen=True, slots=True)
class ConsentView:
    """A consent as its case's team sees it."""

    consent: Consent
    organisation_names: dict[UUID, str]

    @property
    def running(self) -> bool:
        """Whether it shares anything today."""
        today = swedish_date()
        return self.consent.revoked_at is None and self.consent.valid_from <= today < self.consent.valid_until


async def consents_of_case(session: AsyncSession, actor: Actor, case_id: UUID) -> list[ConsentView]:
    """The case's consents, newest first (the owner's team only)."""
    access = await case_for_actor(session, actor, case_id)
    if not access.owner:
        raise NotFoundError
    consents = list(
        await session.scalars(select(Consent).where(Consent.case_id == case_id).order_by(Consent.recorded_at.desc()))
    )
    names = await tenant_names(
        session, {organisation for consent in consents for organisation in consent.organisations}
    )
    return [ConsentView(consent, names) for consent in consents]


async def consent_document(session: AsyncSession, actor: Actor, consent_id: UUID, secret_key: str) -> tuple[bytes, str]:
    """The signed document of a consent and its type (the owner's team only)."""
    consent = await session.get(Consent, consent_id)
    if consent is None or consent.document_sealed is None or consent.document_type is None:
        raise NotFoundError
    access = await case_for_actor(session, actor, consent.case_id)
    if not access.owner:
        raise NotFoundError
    await record_case_event(
        session, CaseAction.CONSENT_DOCUMENT_READ, consent.case_id, tenant_id=actor.tenant_id, actor=actor
    )
    return unseal(secret_key, _DOCUMENT, consent.document_sealed, consent.id.bytes), consent.document_type


async def revoke_consent(session: AsyncSession, actor: Actor, consent_id: UUID) -> None:
    """The person withdrew their consent: every grant of it ends now, and both sides are told."""
    consent = await session.get(Consent, consent_id)
    if consent is None:
        raise NotFoundError
    access = await case_for_actor(session, actor, consent.case_id)
    if not access.owner or access.role is None:
        raise NotFoundError
    if consent.revoked_at is not None:
        raise InvalidInputError([FieldProblem("consent", "Samtycket är redan återkallat.")])
    now = datetime.now(UTC)
    consent.revoked_at = now
    consent.revoked_by = actor.user_id
    await session.execute(update(CaseGrant).where(CaseGrant.consent_id == consent_id).values(revoked_at=now))
    access.case.last_entry_at = now
    await session.flush()
    await record_case_event(
        session, CaseAction.CONSENT_REVOKED, consent.case_id, tenant_id=actor.tenant_id, actor=actor
    )
    await _tell_both_sides(session, actor.tenant_id, consent.case_id, consent.organisations)


async def _tell_both_sides(session: AsyncSession, owner: UUID, case_id: UUID, organisations: list[UUID]) -> None:
    team = await session.scalars(
        select(CaseTeamMember.user_id).where(CaseTeamMember.case_id == case_id, CaseTeamMember.tenant_id == owner)
    )
    await notify(session, owner, await people_among(session, list(team)), CONSENT_ENDED, case_link(case_id))
    for organisation in organisations:
        await enqueue(session, tell_organisation_consent_ended, case_id=str(case_id), tenant_id=str(organisation))


@job()
async def tell_organisation_consent_ended(session: AsyncSession, *, case_id: str, tenant_id: str) -> None:
    """Tell an organisation's people on a case's team that its sharing has ended (acting for that organisation)."""
    organisation = UUID(tenant_id)
    await act_for_tenant(session, organisation)
    team = await session.scalars(
        select(CaseTeamMember.user_id).where(
            CaseTeamMember.case_id == UUID(case_id), CaseTeamMember.tenant_id == organisation
        )
    )
    await notify(session, organisation, await people_among(session, list(team)), CONSENT_ENDED, "/arenden")


async def notify_ended_grants(session: AsyncSession, tenant_id: UUID, now: datetime) -> int:
    """Tell both sides of each sharing that reached its end date, once (acting for the case's tenant)."""
    ended = list(
        await session.scalars(
            select(CaseGrant).where(
                CaseGrant.owner_tenant_id == tenant_id,
                CaseGrant.revoked_at.is_(None),
                CaseGrant.ended_notified_at.is_(None),
                CaseGrant.valid_until <= now,
            )
        )
    )
    by_case: dict[UUID, list[UUID]] = {}
    for grant in ended:
        grant.ended_notified_at = now
        by_case.setdefault(grant.case_id, []).append(grant.tenant_id)
    await session.flush()
    for case_id, organisations in by_case.items():
        await _tell_both_sides(session, tenant_id, case_id, organisations)
    return len(ended)
