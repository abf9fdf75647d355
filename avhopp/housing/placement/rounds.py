"""National rounds: the national coordinator gathers open requests and the engine assigns them jointly.

A round is solved when it is gathered (the engine's batch mode, off the event loop), reviewed
with the engine's full explanation of every request (each view audited: it shows where others
live), and then its offers are sent, all or none, after the answer is checked again against the
country as it is at that moment. An offer from a round is the requester's own offer in every
other respect: the unit's owner answers it, and the officer who asked is told of the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from avhopp.housing.engine.service import assign_batch, explain_batch, violations
from avhopp.housing.placement.audit import PlacementAction, record_placement_event
from avhopp.housing.placement.feed import national_state
from avhopp.housing.placement.models import Round, RoundEntry
from avhopp.housing.placement.notices import notify_round_offer
from avhopp.housing.placement.offers import ANSWER_WITHIN
from avhopp.housing.placement.requests import engine_request, explanation_as_json
from avhopp.housing.placement.vocabulary import Need, RoundStatus
from avhopp.platform.heavy import off_loop
from avhopp.platform.jobs import enqueue
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.times import swedish_date
from avhopp.tenants.registry.service import tenant_names

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy import RowMapping
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.housing.placement.common import Actor

MIN_ROUND = 2
MAX_ROUND = 200
"""The size the engine is proven on (the benchmark's 200 dense requests within a minute on two cores)."""
CHANGED_SINCE = "Läget har ändrats sedan omgången beräknades. Avbryt den och samla en ny omgång."


@dataclass(frozen=True, slots=True)
class Candidate:
    """An open request as the national coordinator sees it: coded facts, no case and no person."""

    request_id: UUID
    requester: str
    household_size: int
    needs: tuple[Need, ...]
    earliest_move_in: date
    acute: bool
    waiting_since: datetime


@dataclass(frozen=True, slots=True)
class EntryView:
    """One request of a round: the unit chosen (by locality, never an address) and the explanation."""

    request_id: UUID
    requester: str
    placed: bool
    municipality_code: str | None
    locality_code: str | None
    summary: str
    explanation: dict[str, Any]
    offer_id: UUID | None


@dataclass(frozen=True, slots=True)
class RoundLine:
    """A round in the list: when, how it was solved, how many were placed, where it stands."""

    id: UUID
    status: RoundStatus
    method: str
    requested: int
    placed: int
    heuristic_placed: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RoundView:
    """A round with every entry (the full explanations: the view is audited)."""

    line: RoundLine
    entries: tuple[EntryView, ...]


async def _candidates(session: AsyncSession) -> list[RowMapping]:
    return list((await session.execute(text("SELECT * FROM housing_round_candidates()"))).mappings())


async def round_candidates(session: AsyncSession) -> list[Candidate]:
    """The requests open now (no pending offer, not placed, not withdrawn), acute first, then the oldest.

    Empty unless the transaction acts for the national coordinator (the database function checks).
    """
    return [
        Candidate(
            request_id=row["request_id"],
            requester=row["requester_name"],
            household_size=row["household_size"],
            needs=tuple(Need(need) for need in row["needs"]),
            earliest_move_in=row["earliest_move_in"],
            acute=row["acute"],
            waiting_since=row["created_at"],
        )
        for row in await _candidates(session)
    ]


def _chosen(request_ids: Sequence[UUID], open_rows: Mapping[UUID, RowMapping]) -> list[RowMapping]:
    if len(set(request_ids)) != len(request_ids):
        raise InvalidInputError.one("request_ids", "Samma begäran är vald två gånger.")
    if not MIN_ROUND <= len(request_ids) <= MAX_ROUND:
        raise InvalidInputError.one(
            "request_ids", f"Välj minst {MIN_ROUND} och högst {MAX_ROUND} begäranden till omgången."
        )
    if any(request_id not in open_rows for request_id in request_ids):
        raise InvalidInputError.one(
            "request_ids", "En eller flera av de valda begärandena är inte längre öppna. Ladda om sidan och välj igen."
        )
    return [open_rows[request_id] for request_id in sorted(request_ids, key=str)]


async def gather_round(session: AsyncSession, actor: Actor, request_ids: Sequence[UUID]) -> UUID:
    """Solve the chosen open requests jointly and keep the answer for review; nothing is sent yet."""
    rows = _chosen(request_ids, {row["request_id"]: row for row in await _candidates(session)})
    state = await national_state(session, swedish_date())
    requests = [engine_request(row) for row in rows]
    # The exact solver may take up to its wall-clock limit: never on the event loop.
    batch = await off_loop(assign_batch, state.prepared, requests)
    explanations = {item.request_id: item for item in await off_loop(explain_batch, state.prepared, batch)}
    assignment = batch.assignment()
    solved = Round(
        tenant_id=actor.tenant_id,
        method=batch.method.value,
        requested=len(rows),
        placed=batch.placed,
        heuristic_placed=batch.heuristic_placed,
        created_by=actor.user_id,
    )
    session.add(solved)
    await session.flush()
    for row in rows:
        request_id = str(row["request_id"])
        unit_id = assignment.get(request_id)
        explanation = explanations[request_id]
        session.add(
            RoundEntry(
                round_id=solved.id,
                request_id=row["request_id"],
                tenant_id=actor.tenant_id,
                requester_tenant_id=row["requester_tenant_id"],
                unit_id=None if unit_id is None else UUID(unit_id),
                owner_tenant_id=None if unit_id is None else state.unit_owners[unit_id],
                explanation={"summary": explanation.summary(), **explanation_as_json(explanation)},
            )
        )
    await session.flush()
    await record_placement_event(
        session,
        PlacementAction.ROUND_GATHERED,
        "housing_round",
        solved.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
    return solved.id


def _line(row: Round) -> RoundLine:
    return RoundLine(
        id=row.id,
        status=RoundStatus(row.status),
        method=row.method,
        requested=row.requested,
        placed=row.placed,
        heuristic_placed=row.heuristic_placed,
        created_at=row.created_at,
    )


async def rounds_in_tenant(session: AsyncSession, tenant_id: UUID) -> list[RoundLine]:
    """The tenant's rounds, newest first."""
    rows = await session.scalars(
        select(Round).where(Round.tenant_id == tenant_id).order_by(Round.created_at.desc(), Round.id).limit(100)
    )
    return [_line(row) for row in rows]


async def _round_in_tenant(session: AsyncSession, tenant_id: UUID, round_id: UUID, *, lock: bool = False) -> Round:
    query = select(Round).where(Round.id == round_id, Round.tenant_id == tenant_id)
    row = await session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFoundError
    return row


async def _entries(session: AsyncSession, round_id: UUID) -> list[RoundEntry]:
    return list(
        await session.scalars(select(RoundEntry).where(RoundEntry.round_id == round_id).order_by(RoundEntry.request_id))
    )


async def round_view(session: AsyncSession, actor: Actor, round_id: UUID) -> RoundView:
    """The round with the engine's full explanation of every request; the view is audited."""
    row = await _round_in_tenant(session, actor.tenant_id, round_id)
    entries = await _entries(session, round_id)
    names = await tenant_names(session, {entry.requester_tenant_id for entry in entries})
    await record_placement_event(
        session, PlacementAction.ROUND_VIEWED, "housing_round", row.id, tenant_id=actor.tenant_id, user_id=actor.user_id
    )
    return RoundView(
        line=_line(row),
        entries=tuple(
            EntryView(
                request_id=entry.request_id,
                requester=names.get(entry.requester_tenant_id, ""),
                placed=entry.unit_id is not None,
                municipality_code=_placed_in(entry.explanation, "municipality_code"),
                locality_code=_placed_in(entry.explanation, "locality_code"),
                summary=str(entry.explanation.get("summary", "")),
                explanation=entry.explanation,
                offer_id=entry.offer_id,
            )
            for entry in entries
        ),
    )


def _placed_in(explanation: Mapping[str, Any], key: str) -> str | None:
    proposals = explanation.get("proposals") or []
    return str(proposals[0][key]) if proposals else None


async def send_round(session: AsyncSession, actor: Actor, round_id: UUID) -> int:
    """Send every placed entry's offer, all or none, after checking the answer against the country now."""
    row = await _round_in_tenant(session, actor.tenant_id, round_id, lock=True)
    if row.status != RoundStatus.SOLVED.value:
        raise InvalidInputError.one("round", "Omgången är redan skickad eller avbruten.")
    entries = [entry for entry in await _entries(session, round_id) if entry.unit_id is not None]
    open_rows = {candidate["request_id"]: candidate for candidate in await _candidates(session)}
    now = datetime.now(UTC)
    state = await national_state(session, swedish_date(now))
    requests = [engine_request(open_rows[entry.request_id]) for entry in entries if entry.request_id in open_rows]
    assignment = {str(entry.request_id): str(entry.unit_id) for entry in entries}
    free = all(unit_id in state.unit_owners for unit_id in assignment.values())
    if len(requests) != len(entries) or not free:
        raise InvalidInputError.one("round", CHANGED_SINCE)
    if violations(state.prepared.context, state.prepared.settings, requests, assignment):
        raise InvalidInputError.one("round", CHANGED_SINCE)
    made: dict[UUID, UUID] = {}
    try:
        # One offer refused (a unit offered meanwhile, a request withdrawn) and none is sent.
        async with session.begin_nested():
            for entry in entries:
                offer_id = await session.scalar(
                    text("SELECT housing_round_offer(:round, :request, :deadline)"),
                    {"round": round_id, "request": entry.request_id, "deadline": now + ANSWER_WITHIN},
                )
                if offer_id is None:
                    raise InvalidInputError.one("round", CHANGED_SINCE)
                made[entry.request_id] = offer_id
    except IntegrityError:
        raise InvalidInputError.one("round", CHANGED_SINCE) from None
    row.status, row.decided_at, row.decided_by = RoundStatus.SENT.value, now, actor.user_id
    for entry in entries:
        offer_id = entry.offer_id = made[entry.request_id]
        await record_placement_event(
            session,
            PlacementAction.OFFER_MADE,
            "housing_offer",
            offer_id,
            tenant_id=actor.tenant_id,
            user_id=actor.user_id,
        )
        await enqueue(
            session, notify_round_offer, offer_id=str(offer_id), requester_tenant_id=str(entry.requester_tenant_id)
        )
    await record_placement_event(
        session, PlacementAction.ROUND_SENT, "housing_round", row.id, tenant_id=actor.tenant_id, user_id=actor.user_id
    )
    return len(entries)


async def cancel_round(session: AsyncSession, actor: Actor, round_id: UUID) -> None:
    """Set a solved round aside without sending anything; its requests stay open for their officers."""
    row = await _round_in_tenant(session, actor.tenant_id, round_id, lock=True)
    if row.status != RoundStatus.SOLVED.value:
        raise InvalidInputError.one("round", "Omgången är redan skickad eller avbruten.")
    row.status, row.decided_at, row.decided_by = RoundStatus.CANCELLED.value, datetime.now(UTC), actor.user_id
    await record_placement_event(
        session,
        PlacementAction.ROUND_CANCELLED,
        "housing_round",
        row.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
