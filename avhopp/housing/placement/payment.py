"""Payment responsibility: who pays for a placement between two municipalities, month by month.

The home municipality (the case's, the placement's) pays from the move-in until a transfer
decision that both municipalities agreed, from its date; the receiving municipality (where the
placement is) pays from that day. Registration at the new address is never the trigger: with
kvarskrivning the person stays registered in the old municipality. One side proposes a date,
the other agrees or disputes with a coded reason; the county board of either county sees the
disputes. Nothing here names or locates the person: a placement is its id, its unit's type and
its dates. The placement coordinators are the municipality's staff for this (the `pay` permission).
"""

from __future__ import annotations

import calendar
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from avhopp.housing.placement.audit import PlacementAction, record_placement_event
from avhopp.housing.placement.common import DESIGNATED_ROLES, checked_text
from avhopp.housing.placement.models import MAX_DISPUTE_TEXT, Transfer
from avhopp.housing.placement.notices import notify_transfer
from avhopp.housing.placement.vocabulary import DisputeReason, Payer, TransferStatus, UnitType
from avhopp.platform.exports import write_csv
from avhopp.platform.jobs import enqueue
from avhopp.platform.labels import labels_of
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.times import swedish_date
from avhopp.tenants.registry.service import TenantKind, members_with_roles, tenant_kinds, tenant_names

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.housing.placement.common import Actor

REGISTRATION_NOTE = (
    "Folkbokföringen avgör inte betalningsansvaret: med kvarskrivning står personen kvar som folkbokförd"
    " i hemkommunen. Ansvaret flyttas bara genom ett beslut som båda kommunerna har godkänt, från dess datum."
)
ALREADY_PROPOSED = "Det finns redan ett förslag som väntar på svar från den andra kommunen."
NOTHING_TO_ANSWER = "Det finns inget förslag om överföring att svara på."
OWN_PROPOSAL = "Er kommun lade förslaget. Den andra kommunen ska godkänna eller bestrida det."


@dataclass(frozen=True, slots=True)
class _Placed:
    """A placement as payment sees it (from `housing_payment_placements()`): no address, no identity."""

    placement_id: UUID
    home_tenant_id: UUID
    receiving_tenant_id: UUID
    home_county: str
    receiving_county: str
    unit_type: str
    move_in_on: date
    moved_out_on: date | None
    transfer_on: date | None


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """One stretch of one placement in one month, paid by one side."""

    placement_id: UUID
    home_name: str
    receiving_name: str
    unit_type: UnitType
    month: str
    """ÅÅÅÅ-MM."""
    payer: Payer
    first_day: date
    last_day: date
    days: int
    ours: bool
    """The actor's municipality pays this stretch."""
    home: bool
    """The actor's municipality is the placement's home municipality."""


@dataclass(frozen=True, slots=True)
class TransferLine:
    """A proposed transfer and its answer."""

    id: UUID
    transfer_on: date
    status: TransferStatus
    proposed_by_us: bool
    proposed_at: datetime
    decided_at: datetime | None
    dispute_reason: DisputeReason | None
    dispute_text: str | None


@dataclass(frozen=True, slots=True)
class PaymentView:
    """One placement's payment responsibility: the two sides, who pays now, the transfers."""

    placement_id: UUID
    home_name: str
    receiving_name: str
    unit_type: UnitType
    move_in_on: date
    moved_out_on: date | None
    transfer_on: date | None
    """The agreed transfer's first day, if any."""
    home: bool
    transfers: tuple[TransferLine, ...]

    @property
    def open_proposal(self) -> TransferLine | None:
        """The proposal that waits for an answer."""
        return next((t for t in self.transfers if t.status is TransferStatus.PROPOSED), None)


@dataclass(frozen=True, slots=True)
class DisputeLine:
    """A disputed transfer as the county board sees it: which municipalities, which date, why."""

    placement_id: UUID
    home_name: str
    receiving_name: str
    transfer_on: date
    proposed_by_home: bool
    dispute_reason: DisputeReason
    dispute_text: str | None
    decided_at: datetime


_MONTH = re.compile(r"(20[0-9]{2}|2100)-(0[1-9]|1[0-2])")


def parse_month(value: str, field: str = "month") -> date:
    """The first day of the month written ÅÅÅÅ-MM; a Swedish message naming the field otherwise."""
    found = _MONTH.fullmatch(value.strip())
    if found is None:
        raise InvalidInputError.one(field, "Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-12.")
    return date(int(found[1]), int(found[2]), 1)


def this_month() -> date:
    """The first day of the current month in Sweden."""
    return swedish_date().replace(day=1)


async def _staff(session: AsyncSession, actor: Actor) -> None:
    """Only the municipality's placement coordinators; anyone else finds nothing."""
    if actor.user_id not in await members_with_roles(session, actor.tenant_id, DESIGNATED_ROLES):
        raise NotFoundError
    if (await tenant_kinds(session, [actor.tenant_id])).get(actor.tenant_id) is not TenantKind.MUNICIPALITY:
        raise NotFoundError


async def _placed(session: AsyncSession, placement_id: UUID | None = None) -> list[_Placed]:
    query = "SELECT * FROM housing_payment_placements()"
    if placement_id is not None:
        query += " WHERE placement_id = :placement"
    query += " ORDER BY move_in_on, placement_id"
    rows = await session.execute(text(query), {"placement": placement_id} if placement_id else {})
    return [_Placed(**row._mapping) for row in rows]  # noqa: SLF001 - the row's columns by name


async def _one(session: AsyncSession, actor: Actor, placement_id: UUID) -> _Placed:
    await _staff(session, actor)
    found = await _placed(session, placement_id)
    if not found:
        raise NotFoundError
    return found[0]


def _stretches(placed: _Placed, first: date, last: date) -> list[tuple[Payer, date, date]]:
    """Who pays which days of [first, last]: from the move-in to the day before the move-out."""
    start = max(placed.move_in_on, first)
    end = last if placed.moved_out_on is None else min(last, placed.moved_out_on - timedelta(days=1))
    if start > end:
        return []
    if placed.transfer_on is None or placed.transfer_on > end:
        return [(Payer.HOME, start, end)]
    if placed.transfer_on <= start:
        return [(Payer.RECEIVING, start, end)]
    return [(Payer.HOME, start, placed.transfer_on - timedelta(days=1)), (Payer.RECEIVING, placed.transfer_on, end)]


async def payment_month(session: AsyncSession, actor: Actor, month: date) -> list[PaymentLine]:
    """What the actor's municipality pays for and what it receives in one month, by placement and stretch."""
    await _staff(session, actor)
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    placed = await _placed(session)
    names = await tenant_names(session, {t for p in placed for t in (p.home_tenant_id, p.receiving_tenant_id)})
    lines = []
    for p in placed:
        home = p.home_tenant_id == actor.tenant_id
        for payer, start, end in _stretches(p, first, last):
            lines.append(
                PaymentLine(
                    placement_id=p.placement_id,
                    home_name=names.get(p.home_tenant_id, ""),
                    receiving_name=names.get(p.receiving_tenant_id, ""),
                    unit_type=UnitType(p.unit_type),
                    month=first.strftime("%Y-%m"),
                    payer=payer,
                    first_day=start,
                    last_day=end,
                    days=(end - start).days + 1,
                    ours=(payer is Payer.HOME) == home,
                    home=home,
                )
            )
    return lines


CSV_HEADER = (
    "placering",
    "hemkommun",
    "mottagande_kommun",
    "bostadstyp",
    "manad",
    "betalande_kommun",
    "fran",
    "till",
    "dagar",
)


async def payment_export(session: AsyncSession, actor: Actor, month: date) -> str:
    """The month as CSV for the finance office (no identity, no address); the export is audited."""
    lines = await payment_month(session, actor, month)
    unit_types = labels_of(UnitType)
    handle = io.StringIO()
    write_csv(
        handle,
        [
            CSV_HEADER,
            *(
                (
                    str(line.placement_id),
                    line.home_name,
                    line.receiving_name,
                    unit_types[line.unit_type.value],
                    line.month,
                    line.home_name if line.payer is Payer.HOME else line.receiving_name,
                    line.first_day.isoformat(),
                    line.last_day.isoformat(),
                    str(line.days),
                )
                for line in lines
            ),
        ],
    )
    await record_placement_event(
        session,
        PlacementAction.PAYMENT_EXPORTED,
        "housing_payment_month",
        actor.tenant_id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
        reason=month.strftime("%Y-%m"),
    )
    return handle.getvalue()


def _transfer_line(row: Transfer, tenant_id: UUID) -> TransferLine:
    return TransferLine(
        id=row.id,
        transfer_on=row.transfer_on,
        status=TransferStatus(row.status),
        proposed_by_us=row.proposed_by_tenant_id == tenant_id,
        proposed_at=row.proposed_at,
        decided_at=row.decided_at,
        dispute_reason=None if row.dispute_reason is None else DisputeReason(row.dispute_reason),
        dispute_text=row.dispute_text,
    )


async def payment_view(session: AsyncSession, actor: Actor, placement_id: UUID) -> PaymentView:
    """One placement's payment responsibility and its transfer decisions, newest first."""
    placed = await _one(session, actor, placement_id)
    names = await tenant_names(session, [placed.home_tenant_id, placed.receiving_tenant_id])
    rows = await session.scalars(
        select(Transfer).where(Transfer.placement_id == placement_id).order_by(Transfer.proposed_at.desc(), Transfer.id)
    )
    return PaymentView(
        placement_id=placed.placement_id,
        home_name=names.get(placed.home_tenant_id, ""),
        receiving_name=names.get(placed.receiving_tenant_id, ""),
        unit_type=UnitType(placed.unit_type),
        move_in_on=placed.move_in_on,
        moved_out_on=placed.moved_out_on,
        transfer_on=placed.transfer_on,
        home=placed.home_tenant_id == actor.tenant_id,
        transfers=tuple(_transfer_line(row, actor.tenant_id) for row in rows),
    )


def _check_date(placed: _Placed, transfer_on: date) -> None:
    if transfer_on < placed.move_in_on:
        raise InvalidInputError.one(
            "transfer_on",
            f"Överföringsdagen kan inte ligga före placeringens början ({placed.move_in_on.isoformat()}).",
        )
    if placed.moved_out_on is not None and transfer_on >= placed.moved_out_on:
        raise InvalidInputError.one(
            "transfer_on",
            f"Placeringen slutade {placed.moved_out_on.isoformat()}; överföringsdagen måste ligga före utflyttningen.",
        )


async def _lock(session: AsyncSession, placement_id: UUID) -> None:
    """Decisions on one placement's payment, one at a time (a transaction-level lock on its id)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended('housing_transfer:' || :placement, 0))"),
        {"placement": str(placement_id)},
    )


async def propose_transfer(session: AsyncSession, actor: Actor, placement_id: UUID, transfer_on: date) -> UUID:
    """Propose that the receiving municipality pays from `transfer_on`; the other side answers."""
    placed = await _one(session, actor, placement_id)
    await _lock(session, placement_id)
    placed = (await _placed(session, placement_id))[0]
    if placed.transfer_on is not None:
        raise InvalidInputError.one(
            "transfer_on", f"Betalningsansvaret är redan överfört från {placed.transfer_on.isoformat()}."
        )
    _check_date(placed, transfer_on)
    transfer = Transfer(
        placement_id=placement_id,
        tenant_id=placed.home_tenant_id,
        receiving_tenant_id=placed.receiving_tenant_id,
        home_county=placed.home_county,
        receiving_county=placed.receiving_county,
        proposed_by_tenant_id=actor.tenant_id,
        transfer_on=transfer_on,
        status=TransferStatus.PROPOSED.value,
        proposed_by=actor.user_id,
    )
    try:
        async with session.begin_nested():
            session.add(transfer)
            await session.flush()
    except IntegrityError:
        raise InvalidInputError.one("transfer_on", ALREADY_PROPOSED) from None
    await record_placement_event(
        session,
        PlacementAction.TRANSFER_PROPOSED,
        "housing_transfer",
        transfer.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
    await enqueue(session, notify_transfer, transfer_id=str(transfer.id), event=TransferStatus.PROPOSED.value)
    return transfer.id


async def _open_proposal(session: AsyncSession, actor: Actor, placement_id: UUID) -> tuple[_Placed, Transfer]:
    await _one(session, actor, placement_id)
    await _lock(session, placement_id)
    placed = (await _placed(session, placement_id))[0]
    transfer = await session.scalar(
        select(Transfer)
        .where(Transfer.placement_id == placement_id, Transfer.status == TransferStatus.PROPOSED.value)
        .with_for_update()
    )
    if transfer is None:
        raise InvalidInputError.one("transfer", NOTHING_TO_ANSWER)
    if transfer.proposed_by_tenant_id == actor.tenant_id:
        raise InvalidInputError.one("transfer", OWN_PROPOSAL)
    return placed, transfer


async def agree_transfer(session: AsyncSession, actor: Actor, placement_id: UUID) -> None:
    """Agree to the other municipality's proposal: from its date, the receiving municipality pays."""
    placed, transfer = await _open_proposal(session, actor, placement_id)
    # The placement may have ended since the proposal: its date must still fall within it.
    _check_date(placed, transfer.transfer_on)
    transfer.status = TransferStatus.AGREED.value
    transfer.decided_at = datetime.now(UTC)
    transfer.decided_by, transfer.decided_by_tenant_id = actor.user_id, actor.tenant_id
    await session.flush()
    await record_placement_event(
        session,
        PlacementAction.TRANSFER_AGREED,
        "housing_transfer",
        transfer.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
    await enqueue(session, notify_transfer, transfer_id=str(transfer.id), event=TransferStatus.AGREED.value)


async def dispute_transfer(
    session: AsyncSession, actor: Actor, placement_id: UUID, reason: str, explanation: str = ""
) -> None:
    """Dispute the other municipality's proposal with a coded reason and, for "other", a short text."""
    problems: list[FieldProblem] = []
    if reason not in {r.value for r in DisputeReason}:
        problems.append(FieldProblem("reason", "Välj ett skäl i listan."))
    missing = "Beskriv kort varför." if reason == DisputeReason.OTHER.value else None
    explained = checked_text("text", explanation, MAX_DISPUTE_TEXT, problems, missing=missing)
    _, transfer = await _open_proposal(session, actor, placement_id)
    if problems:
        raise InvalidInputError(problems)
    transfer.status = TransferStatus.DISPUTED.value
    transfer.decided_at = datetime.now(UTC)
    transfer.decided_by, transfer.decided_by_tenant_id = actor.user_id, actor.tenant_id
    transfer.dispute_reason, transfer.dispute_text = reason, explained or None
    await session.flush()
    await record_placement_event(
        session,
        PlacementAction.TRANSFER_DISPUTED,
        "housing_transfer",
        transfer.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
        reason=reason,
    )
    await enqueue(session, notify_transfer, transfer_id=str(transfer.id), event=TransferStatus.DISPUTED.value)


async def county_disputes(session: AsyncSession, actor: Actor) -> list[DisputeLine]:
    """Disputed transfers where the home or the receiving municipality is in the county board's county."""
    kinds = await tenant_kinds(session, [actor.tenant_id])
    if kinds.get(actor.tenant_id) is not TenantKind.COUNTY_BOARD:
        return []
    rows = list(
        await session.scalars(
            select(Transfer)
            .where(Transfer.status == TransferStatus.DISPUTED.value)
            .order_by(Transfer.decided_at.desc(), Transfer.id)
            .limit(500)
        )
    )
    names = await tenant_names(session, {t for row in rows for t in (row.tenant_id, row.receiving_tenant_id)})
    return [
        DisputeLine(  # a disputed row has its reason and its answer's time (the table's CHECKs)
            placement_id=row.placement_id,
            home_name=names.get(row.tenant_id, ""),
            receiving_name=names.get(row.receiving_tenant_id, ""),
            transfer_on=row.transfer_on,
            proposed_by_home=row.proposed_by_tenant_id == row.tenant_id,
            dispute_reason=DisputeReason(str(row.dispute_reason)),
            dispute_text=row.dispute_text,
            decided_at=row.decided_at or row.proposed_at,
        )
        for row in rows
    ]
