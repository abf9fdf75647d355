"""Follow-ups: the national record at each point of the schedule, what is missing, and the unit's completeness.

A follow-up is saved as a draft as often as needed and closed once; closing needs every required
answer ("unknown" is an answer) and the date it was done, which cannot be before the case started
nor in the future. A closed follow-up is never saved again: the same point is not recorded twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.access import Actor, case_for_actor
from avhopp.tenants.cases.audit import CaseAction, record_case_event
from avhopp.tenants.cases.cases import LATE_AFTER
from avhopp.tenants.cases.follow_up_schema import CURRENT_SCHEMA, SCHEMAS, checked_answers, missing_answers
from avhopp.tenants.cases.models import CaseFile, FollowUp
from avhopp.tenants.cases.vocabulary import Category

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

FOLLOW_UP_QUESTIONS: dict[str, tuple[str, ...]] = {q.code: q.answers for q in CURRENT_SCHEMA.follow_up}
"""The questions of a follow-up recorded now, with the codes each allows (the current schema's)."""
INTAKE_QUESTIONS: dict[str, tuple[str, ...]] = {q.code: q.answers for q in CURRENT_SCHEMA.intake}
"""The coded situation at intake, with the codes each allows (the current schema's)."""

REQUIRED = "Svara på frågan. ”Vet inte” går bra."


@dataclass(frozen=True, slots=True)
class FollowUpEntry:
    """What the officer saves of one follow-up: the answers so far, when it was done, and whether to close it."""

    answers: dict[str, str] = field(default_factory=dict)
    held_on: date | None = None
    close: bool = False


def gaps_of(follow_up: FollowUp) -> list[str]:
    """The required questions still unanswered; none once the follow-up is closed."""
    if follow_up.done_at is not None:
        return []
    return missing_answers(follow_up.answers, SCHEMAS[follow_up.schema_version or CURRENT_SCHEMA.version])


async def follow_ups(session: AsyncSession, actor: Actor, case_id: UUID) -> list[FollowUp]:
    """The case's follow-ups by due date, for those the consent lets see them."""
    access = await case_for_actor(session, actor, case_id)
    if not access.may_see(Category.FOLLOW_UP):
        raise NotFoundError
    return list(await session.scalars(select(FollowUp).where(FollowUp.case_id == case_id).order_by(FollowUp.due_on)))


async def save_follow_up(session: AsyncSession, actor: Actor, follow_up_id: UUID, entry: FollowUpEntry) -> None:
    """Save a follow-up's answers (replacing the draft), and close it if asked (the owner's team).

    Nothing is saved when anything is refused.
    """
    follow_up = await session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise NotFoundError
    access = await case_for_actor(session, actor, follow_up.case_id)
    if not access.may_see(Category.FOLLOW_UP) or not access.owner or access.role is None:
        raise NotFoundError
    if follow_up.done_at is not None:
        raise InvalidInputError(
            [FieldProblem("follow_up", "Uppföljningen vid den här tidpunkten är redan registrerad och stängd.")]
        )
    answers, problems = checked_answers(entry.answers, CURRENT_SCHEMA, prefix="answers.")
    problems += _date_problems(entry.held_on, access.case.started_on)
    if entry.close:
        refused = {problem.field for problem in problems}
        problems += [
            FieldProblem(f"answers.{code}", REQUIRED)
            for code in missing_answers(answers, CURRENT_SCHEMA)
            if f"answers.{code}" not in refused
        ]
        if entry.held_on is None:
            problems.append(FieldProblem("held_on", "Ange vilket datum uppföljningen gjordes."))
    if problems:
        raise InvalidInputError(problems)
    follow_up.answers = answers
    follow_up.schema_version = CURRENT_SCHEMA.version
    follow_up.held_on = entry.held_on
    if entry.close:
        follow_up.done_at = datetime.now(UTC)
        follow_up.done_by = actor.user_id
    access.case.last_entry_at = datetime.now(UTC)
    await session.flush()
    if entry.close:
        await record_case_event(
            session, CaseAction.FOLLOW_UP_RECORDED, follow_up.case_id, tenant_id=actor.tenant_id, actor=actor
        )


def _date_problems(held_on: date | None, started_on: date | None) -> list[FieldProblem]:
    if held_on is None:
        return []
    if started_on is not None and held_on < started_on:
        return [
            FieldProblem(
                "held_on",
                f"Datumet kan inte vara före ärendets start ({started_on.isoformat()}). Ange ett senare datum.",
            )
        ]
    if held_on > swedish_date():
        return [FieldProblem("held_on", "Datumet kan inte vara i framtiden.")]
    return []


@dataclass(frozen=True, slots=True)
class Completeness:
    """How the unit keeps up: of the follow-ups whose time has run out, how many were done on time.

    A follow-up is on time when closed at most two weeks after its due date (after that the unit
    head is told it is late); it counts once those two weeks have passed, or once it is done.
    """

    counted: int
    on_time: int
    late: int
    missing: int

    @property
    def share_on_time(self) -> float | None:
        """The share done on time, or None before any follow-up counts."""
        return self.on_time / self.counted if self.counted else None


async def unit_completeness(session: AsyncSession, tenant_id: UUID, today: date) -> Completeness:
    """The tenant's completeness of follow-ups (for its unit head; no case is named)."""
    done = FollowUp.done_at.is_not(None)
    # The day it was closed, as the unit lives it, at most two weeks after the due date.
    on_time = done & (
        func.date(func.timezone("Europe/Stockholm", FollowUp.done_at)) - FollowUp.due_on <= LATE_AFTER.days
    )
    overdue = FollowUp.done_at.is_(None) & (FollowUp.due_on < today - LATE_AFTER)
    counted = done | overdue
    row = (
        await session.execute(
            select(
                func.count().filter(counted),
                func.count().filter(counted & on_time),
                func.count().filter(done & ~on_time),
                func.count().filter(overdue),
            )
            .select_from(FollowUp)
            .join(CaseFile, CaseFile.id == FollowUp.case_id)
            # A case closed before the follow-up fell due owes it no longer.
            .where(
                FollowUp.tenant_id == tenant_id,
                CaseFile.closed_at.is_(None) | done | (func.date(CaseFile.closed_at) > FollowUp.due_on),
            )
        )
    ).one()
    return Completeness(counted=row[0], on_time=row[1], late=row[2], missing=row[3])
