"""The guidance line's use cases: contacts, closed-loop referrals, the receiver's inbox, escalation.

Every lookup names the tenant it is made for, and answers "not found" for anything that is
not that tenant's. Free text passes `check_free_text` before it is written (and a CHECK
constraint after): a personal identity number is refused, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from avhopp.directory.catalogue.service import (
    Intervention,
    TargetGroup,
    ThreatLevel,
    active_service_owner,
    service_names,
)
from avhopp.directory.line.models import Contact, LineSettings, Referral
from avhopp.directory.line.notices import (
    LIFTED_BY_OPERATOR,
    REFERRALS_UNANSWERED,
    notify_referral_received,
    notify_supervisors_of_escalation,
)
from avhopp.directory.line.privacy import (
    check_free_text,
)
from avhopp.directory.line.statistics import county_counts
from avhopp.directory.line.vocabulary import (
    CallerType,
    Channel,
    Outcome,
    ProfessionalKind,
    ReferralStatus,
    Unanswered,
)
from avhopp.platform.jobs import enqueue
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.registry.service import TenantKind, tenant_ids_of_kind, tenant_kinds

if TYPE_CHECKING:
    from uuid import UUID

    from holidays import HolidayBase
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "DUPLICATE_REFERRAL",
    "MAX_RETENTION_DAYS",
    "MAX_TEXT",
    "RECEIVING_KINDS",
    "UNANSWERED_WORKING_DAYS",
    "ContactRecord",
    "Decision",
    "Opening",
    "Outcome",
    "ReferralRequest",
    "ReferralStatus",
    "ReferralView",
    "contact_in_line",
    "county_contact_counts",
    "decide_referral",
    "erase_expired_notes",
    "escalate_contact",
    "escalate_unanswered",
    "escalate_unopened",
    "inbox_of_tenant",
    "open_referral",
    "recent_contacts_in_line",
    "record_contact",
    "refer",
    "referrals_of_line",
    "retention_days",
    "set_retention_days",
    "start_contact",
    "working_day_after",
    "working_days_after",
]
"""The line's use cases, and the referral states its receivers read."""

MAX_TEXT = 2000
DEFAULT_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 365
RECEIVING_KINDS = frozenset({TenantKind.MUNICIPALITY, TenantKind.OPERATION, TenantKind.OTHER_AUTHORITY})
"""Who may receive referrals: the organisations that run services, not county boards or the coordinator."""


def _checked_text(field: str, text: str) -> str:
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidInputError([FieldProblem(field, f"Skriv högst {MAX_TEXT} tecken.")])
    try:
        check_free_text(field, text)
    except InvalidInputError as error:
        raise InvalidInputError([FieldProblem(error.field, error.message)]) from None
    return text


@dataclass(frozen=True, slots=True)
class Opening:
    """How a contact came in and who is calling."""

    channel: Channel
    caller_type: CallerType
    professional_kind: ProfessionalKind | None = None


async def start_contact(session: AsyncSession, line_id: UUID, operator_id: UUID, opening: Opening) -> UUID:
    """Open a contact (anonymous: there is nowhere to put a name); the timer starts now."""
    professional = opening.caller_type is CallerType.PROFESSIONAL and opening.professional_kind is not None
    contact = Contact(
        tenant_id=line_id,
        operator_id=operator_id,
        channel=opening.channel.value,
        caller_type=opening.caller_type.value,
        professional_kind=opening.professional_kind.value if professional and opening.professional_kind else None,
    )
    session.add(contact)
    await session.flush()
    return contact.id


async def contact_in_line(session: AsyncSession, line_id: UUID, contact_id: UUID) -> Contact:
    """One of the line's contacts."""
    contact = await session.scalar(select(Contact).where(Contact.id == contact_id, Contact.tenant_id == line_id))
    if contact is None:
        raise NotFoundError
    return contact


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """What the operator records about a contact.

    The threat, the group, the county and the needs each take an answer or an `Unanswered`
    ("not asked", "unknown"); None (no needs) where nothing was chosen yet, which only a contact
    still going on may have. Nothing is assumed: no answer is ever filled in for the operator.
    """

    county: str | Unanswered | None
    """A county code, or an `Unanswered`."""
    target_group: TargetGroup | Unanswered | None
    threat_level: ThreatLevel | Unanswered | None
    needs: frozenset[Intervention | Unanswered]
    outcomes: frozenset[Outcome]
    guidance_notes: str
    end: bool


_ANSWER_MESSAGE = "Välj ett svar. Om du inte frågade, välj ”Frågade inte”; om ingen vet, välj ”Vet inte”."
_NEEDS_MESSAGE = "Välj behov, eller bara ”Frågade inte” eller ”Vet inte”."


def _answer_problems(record: ContactRecord) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if record.end:
        answers = (
            ("record_threat", record.threat_level),
            ("record_group", record.target_group),
            ("record_county", record.county),
            ("record_needs", record.needs),
        )
        problems += [FieldProblem(field, _ANSWER_MESSAGE) for field, answer in answers if not answer]
    if len(record.needs) > 1 and any(isinstance(need, Unanswered) for need in record.needs):
        problems.append(FieldProblem("record_needs", _NEEDS_MESSAGE))
    return problems


async def record_contact(session: AsyncSession, line_id: UUID, contact_id: UUID, record: ContactRecord) -> Contact:
    """Save the contact's answers and notes as given; with `end`, also stop its timer.

    Raises:
        InvalidInputError: ending without an answer to the threat, the group, the county or the
            needs; "not asked" beside a need; a note with a personal identity number, or too
            long; nothing is saved.

    """
    problems = _answer_problems(record)
    notes = ""
    try:
        notes = _checked_text("guidance_notes", record.guidance_notes)
    except InvalidInputError as error:
        problems += error.problems
    if problems:
        raise InvalidInputError(problems)
    contact = await contact_in_line(session, line_id, contact_id)
    unanswered = isinstance(record.county, Unanswered)
    contact.county_code = None if unanswered or record.county is None else str(record.county)
    contact.county_answer = record.county.value if isinstance(record.county, Unanswered) else None
    contact.target_group = record.target_group.value if record.target_group else None
    contact.threat_level = record.threat_level.value if record.threat_level else None
    contact.needs = sorted(need.value for need in record.needs)
    referred = {Outcome.REFERRED.value} if await _has_referral(session, contact_id) else set()
    contact.outcomes = sorted({outcome.value for outcome in record.outcomes} | referred)
    if contact.notes_erased_at is None:
        contact.guidance_notes = notes
    if record.end and contact.ended_at is None:
        contact.ended_at = datetime.now(UTC)
    await session.flush()
    return contact


async def _has_referral(session: AsyncSession, contact_id: UUID) -> bool:
    return bool(
        await session.scalar(select(func.count()).select_from(Referral).where(Referral.contact_id == contact_id))
    )


@dataclass(frozen=True, slots=True)
class ReferralRequest:
    """A referral the caller agreed to, with what they agreed to share."""

    service_id: UUID | None
    consent_given: bool
    shared_information: str
    safe_contact: str


async def refer(
    session: AsyncSession, line_id: UUID, operator_id: UUID, contact_id: UUID, request: ReferralRequest
) -> UUID:
    """Send a referral from a contact to the tenant that runs the chosen service; its receivers are notified.

    Raises:
        InvalidInputError: no consent, no or an unknown service, a receiver that does not take
            referrals, a referral of the contact to the same service that is not declined, or free
            text with a personal identity number; nothing is saved.

    """
    problems: list[FieldProblem] = []
    if not request.consent_given:
        problems.append(FieldProblem("consent_given", "En remiss skickas bara om den som ringer har samtyckt."))
    for field in ("shared_information", "safe_contact"):
        try:
            _checked_text(field, getattr(request, field))
        except InvalidInputError as error:
            problems.extend(error.problems)
    target = None if request.service_id is None else await _receiver_of(session, request.service_id)
    if target is None:
        problems.append(FieldProblem("service_id", "Välj en verksamhet i katalogen som tar emot remisser."))
    elif target == line_id:
        problems.append(FieldProblem("service_id", "Stödlinjen kan inte skicka en remiss till sig själv."))
    if problems:
        raise InvalidInputError(problems)
    assert target is not None  # noqa: S101 - problems would have been raised
    contact = await contact_in_line(session, line_id, contact_id)
    # One referral at a time per contact and service: the contact's row is locked while checking,
    # so two clicks (or a page sent again) make one referral, and the second gets a message.
    await session.execute(select(Contact.id).where(Contact.id == contact.id).with_for_update())
    if await _referred_already(session, line_id, contact.id, request.service_id):
        raise InvalidInputError([FieldProblem("service_id", DUPLICATE_REFERRAL)])
    referral = Referral(
        tenant_id=line_id,
        contact_id=contact.id,
        target_tenant_id=target,
        service_id=request.service_id,
        consent_given=True,
        shared_information=request.shared_information.strip(),
        safe_contact=request.safe_contact.strip(),
        sent_by=operator_id,
    )
    session.add(referral)
    contact.outcomes = sorted({*contact.outcomes, Outcome.REFERRED.value})
    await session.flush()
    await enqueue(session, notify_referral_received, referral_id=str(referral.id))
    return referral.id


DUPLICATE_REFERRAL = (
    "Kontakten har redan en remiss till den här verksamheten som inte är avböjd, så den skickas inte igen. "
    "Den syns under ”Remisser från den här kontakten”. Det du har skrivit finns kvar."
)
"""The message for a second referral from one contact to one service while the first still stands."""


async def _referred_already(session: AsyncSession, line_id: UUID, contact_id: UUID, service_id: UUID | None) -> bool:
    """Whether the contact has a referral to the service that is not declined."""
    count = await session.scalar(
        select(func.count())
        .select_from(Referral)
        .where(
            Referral.tenant_id == line_id,
            Referral.contact_id == contact_id,
            Referral.service_id == service_id,
            Referral.status != ReferralStatus.DECLINED.value,
        )
    )
    return bool(count)


async def _receiver_of(session: AsyncSession, service_id: UUID) -> UUID | None:
    """The tenant that runs an active published service, if it takes referrals."""
    owner = await active_service_owner(session, service_id)
    if owner is None:
        return None
    kinds = await tenant_kinds(session, [owner])
    return owner if kinds.get(owner) in RECEIVING_KINDS else None


@dataclass(frozen=True, slots=True)
class ReferralView:
    """A referral with the service's name, for the line's status view and the receiver's inbox."""

    referral: Referral
    service_name: str


async def _views(session: AsyncSession, *conditions: object) -> list[ReferralView]:
    referrals = list(
        await session.scalars(select(Referral).where(*conditions).order_by(Referral.sent_at.desc()))  # type: ignore[arg-type]
    )
    names = await service_names(session, {referral.service_id for referral in referrals})
    return [
        ReferralView(referral, names[referral.service_id]) for referral in referrals if referral.service_id in names
    ]


async def referrals_of_line(session: AsyncSession, line_id: UUID, contact_id: UUID | None = None) -> list[ReferralView]:
    """The line's referrals (of one contact, or all), newest first."""
    conditions: list[object] = [Referral.tenant_id == line_id]
    if contact_id is not None:
        conditions.append(Referral.contact_id == contact_id)
    return await _views(session, *conditions)


async def inbox_of_tenant(session: AsyncSession, tenant_id: UUID) -> list[ReferralView]:
    """Referrals sent to the tenant, newest first."""
    return await _views(session, Referral.target_tenant_id == tenant_id)


async def open_referral(session: AsyncSession, tenant_id: UUID, referral_id: UUID) -> ReferralView:
    """A referral sent to the tenant; the first look marks it opened (the line sees that)."""
    views = await _views(session, Referral.id == referral_id, Referral.target_tenant_id == tenant_id)
    if not views:
        raise NotFoundError
    referral = views[0].referral
    if referral.status == ReferralStatus.SENT:
        referral.status = ReferralStatus.OPENED.value
        referral.opened_at = datetime.now(UTC)
        await session.flush()
    return views[0]


@dataclass(frozen=True, slots=True)
class Decision:
    """The receiver's answer to a referral."""

    accept: bool
    reason: str


async def decide_referral(
    session: AsyncSession, tenant_id: UUID, user_id: UUID, referral_id: UUID, decision: Decision
) -> Referral:
    """Accept or decline a referral sent to the tenant; declining needs a reason.

    The answer erases what the caller shared and how to reach them (the database's trigger
    `erase_texts` does it in the same update). The referral returned still carries them as they
    were read before the answer, so that an accepting receiver's new case takes them over.

    Raises:
        NotFoundError: not a referral to this tenant.
        InvalidInputError: a decline without a reason, a reason with a personal identity number.

    """
    reason = _checked_text("decision_reason", decision.reason)
    if not decision.accept and not reason:
        raise InvalidInputError([FieldProblem("decision_reason", "Skriv varför ni inte kan ta emot personen.")])
    referral = (await open_referral(session, tenant_id, referral_id)).referral
    if referral.status not in {ReferralStatus.SENT, ReferralStatus.OPENED}:
        raise InvalidInputError([FieldProblem("decision", "Remissen är redan besvarad.")])
    referral.status = (ReferralStatus.ACCEPTED if decision.accept else ReferralStatus.DECLINED).value
    referral.decision_reason = reason
    referral.decided_at = datetime.now(UTC)
    referral.decided_by = user_id
    await session.flush()
    return referral


@cache
def _swedish_holidays(year: int) -> HolidayBase:
    # Here, not at the top: the package loads every country's calendar, which few requests need.
    import holidays  # noqa: PLC0415

    # Public holidays and the de facto ones (Midsummer, Christmas and New Year's Eve). Sweden's
    # calendar also counts every Sunday unless told not to; weekends are handled apart.
    sweden: HolidayBase = holidays.country_holidays(
        "SE", years=year, include_sundays=False, categories=("public", "de_facto")
    )
    return sweden


def working_day_after(moment: datetime) -> datetime:
    """The same time one working day later (Monday to Friday, not Swedish public holidays)."""
    day = moment.date()
    while True:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in _swedish_holidays(day.year):  # noqa: PLR2004 - Saturday is 5
            return datetime.combine(day, moment.timetz() if moment.tzinfo else time(), tzinfo=moment.tzinfo)


async def escalate_unopened(session: AsyncSession, line_id: UUID, now: datetime) -> int:
    """Mark the line's referrals nobody opened within one working day and tell its supervisors; returns how many."""
    candidates = await session.execute(
        select(Referral.id, Referral.sent_at).where(
            Referral.tenant_id == line_id,
            Referral.status == ReferralStatus.SENT.value,
            Referral.escalated_at.is_(None),
        )
    )
    due = [referral_id for referral_id, sent_at in candidates if working_day_after(sent_at) <= now]
    if due:
        await session.execute(update(Referral).where(Referral.id.in_(due)).values(escalated_at=now))
        await notify_supervisors_of_escalation(session, line_id)
    return len(due)


def working_days_after(moment: datetime, days: int) -> datetime:
    """The same time `days` working days later."""
    for _ in range(days):
        moment = working_day_after(moment)
    return moment


UNANSWERED_WORKING_DAYS = 2
"""A referral the receiver has not answered in this many working days reaches the supervisors."""


async def escalate_unanswered(session: AsyncSession, line_id: UUID, now: datetime) -> int:
    """Mark the line's referrals left unanswered two working days and tell its supervisors; returns how many."""
    candidates = await session.execute(
        select(Referral.id, Referral.sent_at).where(
            Referral.tenant_id == line_id,
            Referral.status.in_([ReferralStatus.SENT.value, ReferralStatus.OPENED.value]),
            Referral.unanswered_escalated_at.is_(None),
        )
    )
    due = [
        referral_id
        for referral_id, sent_at in candidates
        if working_days_after(sent_at.astimezone(STOCKHOLM), UNANSWERED_WORKING_DAYS) <= now
    ]
    if due:
        await session.execute(update(Referral).where(Referral.id.in_(due)).values(unanswered_escalated_at=now))
        await notify_supervisors_of_escalation(session, line_id, REFERRALS_UNANSWERED)
    return len(due)


async def retention_days(session: AsyncSession, line_id: UUID) -> int:
    """How many days the line keeps guidance notes (its setting, or 30)."""
    days = await session.scalar(select(LineSettings.note_retention_days).where(LineSettings.tenant_id == line_id))
    return DEFAULT_RETENTION_DAYS if days is None else int(days)


async def set_retention_days(session: AsyncSession, line_id: UUID, days: int) -> None:
    """Change how long the line keeps guidance notes.

    Raises:
        InvalidInputError: outside 1 to 365 days.

    """
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise InvalidInputError([FieldProblem("note_retention_days", "Välj mellan 1 och 365 dagar.")])
    statement = insert(LineSettings).values(tenant_id=line_id, note_retention_days=days)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[LineSettings.tenant_id], set_={"note_retention_days": days})
    )


async def erase_expired_notes(session: AsyncSession, line_id: UUID, now: datetime) -> int:
    """Erase the line's free text older than its retention; the codes stay for the statistics.

    Guidance notes of contacts that ended (or, never ended, started) before the cutoff; what the
    caller shared in referrals nobody answered by then (the database's trigger empties it when
    `texts_erased_at` is set); the receivers' reasons for answers given before then. Returns how
    many rows had something erased.
    """
    cutoff = now - timedelta(days=await retention_days(session, line_id))
    erased = await session.scalars(
        update(Contact)
        .where(
            Contact.tenant_id == line_id,
            Contact.notes_erased_at.is_(None),
            func.coalesce(Contact.ended_at, Contact.started_at) < cutoff,
        )
        .values(guidance_notes="", notes_erased_at=now)
        .returning(Contact.id)
    )
    expired = await session.scalars(
        update(Referral)
        .where(Referral.tenant_id == line_id, Referral.texts_erased_at.is_(None), Referral.sent_at < cutoff)
        .values(texts_erased_at=now)
        .returning(Referral.id)
    )
    reasons = await session.scalars(
        update(Referral)
        .where(Referral.tenant_id == line_id, Referral.reason_erased_at.is_(None), Referral.decided_at < cutoff)
        .values(reason_erased_at=now)
        .returning(Referral.id)
    )
    return len(erased.all()) + len(expired.all()) + len(reasons.all())


async def escalate_contact(session: AsyncSession, line_id: UUID, contact_id: UUID) -> None:
    """An operator lifts a contact to the line's supervisors, who are told (a kind and a link, nothing more)."""
    contact = await contact_in_line(session, line_id, contact_id)
    if contact.escalated_at is None:
        contact.escalated_at = datetime.now(UTC)
        await session.flush()
        await notify_supervisors_of_escalation(session, line_id, LIFTED_BY_OPERATOR)


async def recent_contacts_in_line(session: AsyncSession, line_id: UUID, limit: int = 100) -> list[Contact]:
    """The line's latest contacts, newest first, for its supervisors' quality review."""
    return list(
        await session.scalars(
            select(Contact).where(Contact.tenant_id == line_id).order_by(Contact.started_at.desc()).limit(limit)
        )
    )


async def county_contact_counts(
    session: AsyncSession, county_code: str, now: datetime | None = None
) -> dict[str, dict[str, int]]:
    """Every line's contacts of the last twelve weeks that concerned the county: counts only, never rows.

    `contacts` (value ""), and per `need` and per `outcome` (overlapping: a contact may have several).
    Small counts are for the caller to hide through the platform's disclosure control.
    """
    lines = await tenant_ids_of_kind(session, TenantKind.GUIDANCE_LINE)
    return await county_counts(session, lines, county_code, now)
