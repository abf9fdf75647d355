"""Callbacks keep the number sealed and erase it on closing; old notes are erased; statistics hide small figures."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, text, update

from avhopp.directory.catalogue.vocabulary import ThreatLevel
from avhopp.directory.line.callbacks import (
    CallbackRequest,
    callback_queue,
    close_callback,
    log_attempt,
    request_callback,
)
from avhopp.directory.line.jobs import for_every_line
from avhopp.directory.line.models import Callback, Contact
from avhopp.directory.line.service import (
    ContactRecord,
    Opening,
    erase_expired_notes,
    record_contact,
    set_retention_days,
    start_contact,
)
from avhopp.directory.line.statistics import gather, statistics_of
from avhopp.directory.line.vocabulary import AttemptOutcome, CallbackStatus, CallerType, Channel, Outcome, Unanswered
from avhopp.platform.disclosure import UNSUPPRESSED, Rule
from avhopp.platform.problems import InvalidInputError

if TYPE_CHECKING:
    import uuid

    from sqlalchemy import Engine

    from tests.directory.conftest import Tenants

LINE = "stodlinjen"
SECRET = "s" * 40
NUMBER = "070-123 45 67"


@pytest.fixture(scope="module")
def operator(owner_engine: Engine) -> uuid.UUID:
    with owner_engine.begin() as connection:
        user_id: uuid.UUID = connection.execute(
            text("INSERT INTO app_user (display_name) VALUES ('Operatör') RETURNING id")
        ).scalar_one()
    return user_id


def window(hours_from_now: float, length: float = 2) -> CallbackRequest:
    start = datetime.now(UTC) + timedelta(hours=hours_from_now)
    return CallbackRequest(NUMBER, start, start + timedelta(hours=length), "Svarar själv efter 18.")


def sealed_column(owner_engine: Engine, callback_id: uuid.UUID) -> bytes | None:
    with owner_engine.begin() as connection:
        connection.execute(
            text("SELECT set_config('app.tenant_id', (SELECT id::text FROM tenant WHERE slug = 'stodlinjen'), true)")
        )
        value = connection.execute(
            text("SELECT phone_sealed FROM line_callback WHERE id = :id"), {"id": callback_id}
        ).scalar_one()
    return None if value is None else bytes(value)


async def test_the_number_is_sealed_shown_to_operators_and_erased_only_when_closed_as_done(
    tenants: Tenants, operator: uuid.UUID, owner_engine: Engine
) -> None:
    async with tenants.acting(LINE) as session:
        callback_id = await request_callback(session, tenants.ids[LINE], SECRET, window(1))
    stored = sealed_column(owner_engine, callback_id)
    assert stored is not None
    assert b"701234567" not in stored
    async with tenants.acting(LINE) as session:
        queue = await callback_queue(session, tenants.ids[LINE], SECRET)
    (mine,) = [item for item in queue if item.callback.id == callback_id]
    assert mine.phone_number == NUMBER

    async with tenants.acting(LINE) as session:
        await log_attempt(session, tenants.ids[LINE], operator, callback_id, AttemptOutcome.NO_ANSWER)
    assert sealed_column(owner_engine, callback_id) is not None
    async with tenants.acting(LINE) as session:
        await log_attempt(session, tenants.ids[LINE], operator, callback_id, AttemptOutcome.REACHED)
    # Reaching the person is a try like any other: the number stays until the operator closes it.
    assert sealed_column(owner_engine, callback_id) is not None
    async with tenants.acting(LINE) as session:
        with pytest.raises(InvalidInputError):
            await close_callback(session, tenants.ids[LINE], callback_id, CallbackStatus.OPEN)
    assert sealed_column(owner_engine, callback_id) is not None
    async with tenants.acting(LINE) as session:
        await close_callback(session, tenants.ids[LINE], callback_id, CallbackStatus.DONE)
    assert sealed_column(owner_engine, callback_id) is None
    async with tenants.acting(LINE) as session:
        closed = await session.scalar(select(Callback).where(Callback.id == callback_id))
    assert closed is not None
    assert (closed.status, closed.first_reached_at is not None) == (CallbackStatus.DONE, True)


async def test_a_cancelled_callback_loses_its_number(tenants: Tenants, owner_engine: Engine) -> None:
    async with tenants.acting(LINE) as session:
        callback_id = await request_callback(session, tenants.ids[LINE], SECRET, window(3))
    async with tenants.acting(LINE) as session:
        await close_callback(session, tenants.ids[LINE], callback_id, CallbackStatus.CANCELLED)
    assert sealed_column(owner_engine, callback_id) is None


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (CallbackRequest("inte ett nummer", None, None), "phone_number"),
        (window(-5, 1), "window_end"),
        (
            CallbackRequest(NUMBER, datetime.now(UTC) + timedelta(hours=3), datetime.now(UTC) + timedelta(hours=2)),
            "window_end",
        ),
        (CallbackRequest(NUMBER, None, None), "window_start"),
        (dataclasses.replace(window(1), note="pnr 811218-9876"), "note"),
    ],
)
async def test_bad_callback_requests_are_refused_naming_the_field(
    tenants: Tenants, request_: CallbackRequest, field: str
) -> None:
    async with tenants.acting(LINE) as session:
        before = len(await callback_queue(session, tenants.ids[LINE], SECRET, open_only=False))
    async with tenants.acting(LINE) as session:
        with pytest.raises(InvalidInputError) as refused:
            await request_callback(session, tenants.ids[LINE], SECRET, request_)
    assert field in {problem.field for problem in refused.value.problems}
    async with tenants.acting(LINE) as session:
        assert len(await callback_queue(session, tenants.ids[LINE], SECRET, open_only=False)) == before


async def contact_with_notes(tenants: Tenants, operator: uuid.UUID, notes: str, *, end: bool) -> uuid.UUID:
    async with tenants.acting(LINE) as session:
        contact_id = await start_contact(session, tenants.ids[LINE], operator, Opening(Channel.CHAT, CallerType.PERSON))
        await record_contact(
            session,
            tenants.ids[LINE],
            contact_id,
            ContactRecord(
                "01",
                Unanswered.NOT_ASKED,
                ThreatLevel.NONE,
                frozenset({Unanswered.NOT_ASKED}),
                frozenset({Outcome.INFORMATION_GIVEN}),
                notes,
                end,
            ),
        )
    return contact_id


async def test_retention_erases_old_notes_of_ended_and_never_ended_contacts_and_nothing_else(
    tenants: Tenants, operator: uuid.UUID, owner_engine: Engine
) -> None:
    old = await contact_with_notes(tenants, operator, "Gav råd om socialtjänsten.", end=True)
    recent = await contact_with_notes(tenants, operator, "Ringer igen i morgon.", end=True)
    ongoing = await contact_with_notes(tenants, operator, "Pågår fortfarande.", end=False)
    async with tenants.acting(LINE) as session:
        await set_retention_days(session, tenants.ids[LINE], 10)
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenants.ids[LINE])})
        eleven_days = datetime.now(UTC) - timedelta(days=11)
        for contact_id in (old, ongoing):
            connection.execute(
                update(Contact).where(Contact.id == contact_id).values(started_at=eleven_days - timedelta(hours=1))
            )
        connection.execute(update(Contact).where(Contact.id == old).values(ended_at=eleven_days))

    async with tenants.acting(None) as session:
        await for_every_line(session, datetime.now(UTC), erase_expired_notes)

    async with tenants.acting(LINE) as session:
        rows = {
            row.id: (row.guidance_notes, row.notes_erased_at is not None, row.outcomes)
            for row in await session.execute(
                select(Contact.id, Contact.guidance_notes, Contact.notes_erased_at, Contact.outcomes).where(
                    Contact.id.in_([old, recent, ongoing])
                )
            )
        }
    assert rows[old] == ("", True, [Outcome.INFORMATION_GIVEN.value])
    assert rows[recent] == ("Ringer igen i morgon.", False, [Outcome.INFORMATION_GIVEN.value])
    # Never ended: its notes go after the same time, counted from its start.
    assert rows[ongoing] == ("", True, [Outcome.INFORMATION_GIVEN.value])


async def test_a_retention_outside_a_year_is_refused(tenants: Tenants) -> None:
    async with tenants.acting(LINE) as session:
        with pytest.raises(InvalidInputError):
            await set_retention_days(session, tenants.ids[LINE], 400)


RULE = Rule()


async def test_statistics_count_and_hide_small_figures_outside_the_line(tenants: Tenants, operator: uuid.UUID) -> None:
    for _ in range(6):
        await contact_with_notes(tenants, operator, "", end=True)
    async with tenants.acting(LINE) as session:
        totals = await gather(session, [tenants.ids[LINE]])
    own = statistics_of(totals, UNSUPPRESSED)
    own_people = {f.value: f.count for f in own.figures("caller_type")}["person"]
    assert own_people is not None
    assert own_people >= 6
    # A lone small count beside a total would be given away by it: a second count is hidden too.
    counted = {"week": {"2026-v49": 8}, "day": {"2026-12-01": 8}, "county": {"14": 8}, "threat": {"": 8}}
    counted |= {"target_group": {"unknown": 8}}
    national = statistics_of(counted | {"caller_type": {"person": 6, "relative": 2}}, RULE)
    assert {f.value: f.count for f in national.figures("caller_type")} == {"person": None, "relative": None}
    rates = statistics_of({"referral": {"accepted": 3, "declined": 1}}, RULE)
    assert rates.acceptance_rate is None
    assert statistics_of({"referral": {"accepted": 3, "declined": 1}}, UNSUPPRESSED).acceptance_rate == 75
