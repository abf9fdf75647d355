"""Minutes of a meeting (drafted, approved, published), their decisions and action items, and the calendar file.

The coordinator drafts and may redraft until approving; publishing shows the minutes to the members'
representatives and tells them. An action item names the member organisation responsible and a due
date; that organisation or the coordinator marks it done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from icalendar import Calendar, Event
from sqlalchemy import delete, func, select

from avhopp.platform.jobs import enqueue
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.text_input import text_problem
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.networks.audit import NetworkAction, record_network_event
from avhopp.tenants.networks.meetings import meeting_view
from avhopp.tenants.networks.models import MAX_MINUTES, NetworkMember, NetworkMinutes, NetworkOutcome
from avhopp.tenants.networks.notices import notify_minutes_published
from avhopp.tenants.networks.texts import one_line
from avhopp.tenants.networks.vocabulary import MinutesStatus, OutcomeKind
from avhopp.tenants.registry.service import tenant_names

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.access import Actor

MAX_OUTCOMES = 50
_CALENDAR_PRODUCT = "-//Avhopp//Länsnätverk//SV"


@dataclass(frozen=True, slots=True)
class OutcomeInput:
    """A decision, or an action item with the member organisation responsible and a due date."""

    kind: OutcomeKind
    text: str
    responsible: UUID | None = None
    due_on: date | None = None


@dataclass(frozen=True, slots=True)
class OutcomeLine:
    """A decision or action item as the minutes show it."""

    outcome_id: UUID
    kind: OutcomeKind
    text: str
    responsible: str
    """The organisation responsible, for an action item."""
    mine: bool
    """Your organisation is responsible for it (and may mark it done)."""
    due_on: date | None
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class MinutesView:
    """The minutes as the actor may see them."""

    status: MinutesStatus
    body: str
    outcomes: tuple[OutcomeLine, ...]
    published_at: datetime | None


async def _owned_meeting(session: AsyncSession, actor: Actor, meeting_id: UUID) -> None:
    if not (await meeting_view(session, actor, meeting_id)).owner:
        raise NotFoundError


async def _minutes(session: AsyncSession, meeting_id: UUID) -> NetworkMinutes | None:
    return await session.scalar(select(NetworkMinutes).where(NetworkMinutes.meeting_id == meeting_id))


def _checked_outcomes(
    outcomes: tuple[OutcomeInput, ...], members: set[UUID], problems: list[FieldProblem]
) -> list[tuple[OutcomeKind, str, UUID | None, date | None]]:
    rows = []
    for number, outcome in enumerate(outcomes[:MAX_OUTCOMES], start=1):
        where = f"outcomes.{number}"
        text = one_line(f"{where}.text", outcome.text, minimum=2, maximum=400, problems=problems)
        action = outcome.kind == OutcomeKind.ACTION
        if action and outcome.responsible not in members:
            problems.append(FieldProblem(f"{where}.responsible", "Välj vilken medlemsorganisation som ansvarar."))
        if action and outcome.due_on is None:
            problems.append(FieldProblem(f"{where}.due_on", "Ange när åtgärden ska vara klar."))
        rows.append((outcome.kind, text, outcome.responsible if action else None, outcome.due_on if action else None))
    return rows


async def draft_minutes(
    session: AsyncSession, actor: Actor, meeting_id: UUID, body: str, outcomes: tuple[OutcomeInput, ...]
) -> None:
    """Write (or rewrite) the draft: text, decisions and action items. Approved minutes are not redrafted."""
    view = await meeting_view(session, actor, meeting_id)
    if not view.owner:
        raise NotFoundError
    meeting = view.meeting
    problems: list[FieldProblem] = []
    body = body.strip()
    problem = text_problem("body", body, max_length=MAX_MINUTES, line_breaks=True)
    if problem is not None:
        problems.append(problem)
    if len(outcomes) > MAX_OUTCOMES:
        problems.append(FieldProblem("outcomes", f"Högst {MAX_OUTCOMES} beslut och åtgärder."))
    members = set(
        await session.scalars(
            select(NetworkMember.id).where(NetworkMember.space_id == meeting.space_id, NetworkMember.left_at.is_(None))
        )
    )
    rows = _checked_outcomes(outcomes, members, problems)
    existing = await _minutes(session, meeting_id)
    if existing is not None and existing.status != MinutesStatus.DRAFT:
        problems.append(FieldProblem("body", "Protokollet är redan justerat och kan inte ändras."))
    if problems:
        raise InvalidInputError(problems)
    if existing is None:
        session.add(
            NetworkMinutes(
                meeting_id=meeting_id,
                space_id=meeting.space_id,
                tenant_id=actor.tenant_id,
                body=body,
                drafted_by=actor.user_id,
            )
        )
    else:
        existing.body = body
    await session.execute(delete(NetworkOutcome).where(NetworkOutcome.meeting_id == meeting_id))
    for kind, text, responsible, due_on in rows:
        session.add(
            NetworkOutcome(
                meeting_id=meeting_id,
                space_id=meeting.space_id,
                tenant_id=actor.tenant_id,
                kind=kind,
                text=text,
                responsible=responsible,
                due_on=due_on,
            )
        )
    await session.flush()


async def advance_minutes(session: AsyncSession, actor: Actor, meeting_id: UUID, to: MinutesStatus) -> None:
    """Approve a draft, or publish approved minutes (the members' representatives are told)."""
    await _owned_meeting(session, actor, meeting_id)
    minutes = await _minutes(session, meeting_id)
    wanted_from = {MinutesStatus.APPROVED: MinutesStatus.DRAFT, MinutesStatus.PUBLISHED: MinutesStatus.APPROVED}
    if minutes is None or to not in wanted_from or minutes.status != wanted_from[to]:
        raise InvalidInputError.one(
            "status",
            "Protokollet justeras först när det finns ett utkast, och publiceras först när det är justerat.",
        )
    now = datetime.now(UTC)
    minutes.status = to
    if to == MinutesStatus.APPROVED:
        minutes.approved_at, minutes.approved_by = now, actor.user_id
    else:
        minutes.published_at, minutes.published_by = now, actor.user_id
    await session.flush()
    if to == MinutesStatus.PUBLISHED:
        await record_network_event(session, NetworkAction.MINUTES_PUBLISHED, "network_meeting", meeting_id, actor)
        await enqueue(session, notify_minutes_published, meeting_id=str(meeting_id))


async def minutes_of(session: AsyncSession, actor: Actor, meeting_id: UUID) -> MinutesView | None:
    """The minutes: the coordinator's at every stage, the representatives' once published; None otherwise."""
    await meeting_view(session, actor, meeting_id)
    minutes = await _minutes(session, meeting_id)
    if minutes is None:
        return None
    outcomes = list(
        await session.scalars(
            select(NetworkOutcome).where(NetworkOutcome.meeting_id == meeting_id).order_by(NetworkOutcome.kind.desc())
        )
    )
    responsible = {
        member.id: member.member_tenant_id
        for member in await session.scalars(
            select(NetworkMember).where(NetworkMember.id.in_({o.responsible for o in outcomes if o.responsible}))
        )
    }
    names = await tenant_names(session, set(responsible.values()))
    return MinutesView(
        MinutesStatus(minutes.status),
        minutes.body,
        tuple(
            OutcomeLine(
                outcome.id,
                OutcomeKind(outcome.kind),
                outcome.text,
                names.get(responsible[outcome.responsible], "") if outcome.responsible in responsible else "",
                outcome.responsible in responsible and responsible[outcome.responsible] == actor.tenant_id,
                outcome.due_on,
                outcome.done_at,
            )
            for outcome in outcomes
        ),
        minutes.published_at,
    )


async def mark_done(session: AsyncSession, actor: Actor, outcome_id: UUID) -> None:
    """Mark an action item done: the coordinator, or a representative of the organisation responsible."""
    outcome = await session.scalar(select(NetworkOutcome).where(NetworkOutcome.id == outcome_id))
    if outcome is None:
        raise NotFoundError
    minutes = await _minutes(session, outcome.meeting_id)
    owner = outcome.tenant_id == actor.tenant_id
    responsible = await session.scalar(
        select(NetworkMember.member_tenant_id).where(NetworkMember.id == outcome.responsible)
    )
    if not owner and responsible != actor.tenant_id:
        raise NotFoundError
    if outcome.kind != OutcomeKind.ACTION or minutes is None or minutes.status != MinutesStatus.PUBLISHED:
        raise InvalidInputError.one("outcome_id", "Bara åtgärder i ett publicerat protokoll kan markeras som klara.")
    if outcome.done_at is None:
        outcome.done_at = func.now()
        await session.flush()


async def meeting_calendar(session: AsyncSession, actor: Actor, meeting_id: UUID) -> bytes:
    """The meeting as an .ics file: its title, time, place or link; never an agenda, a name or a case."""
    meeting = (await meeting_view(session, actor, meeting_id)).meeting
    calendar = Calendar()
    calendar.add("prodid", _CALENDAR_PRODUCT)
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{meeting.id}@avhopp")
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.starts_at.astimezone(STOCKHOLM))
    event.add("dtend", meeting.ends_at.astimezone(STOCKHOLM))
    event.add("dtstamp", datetime.now(UTC))
    location = ", ".join(part for part in (meeting.place, meeting.video_link) if part)
    event.add("location", location)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical
