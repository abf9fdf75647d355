"""Periodic jobs: once per period across processes, again in the next period."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from avhopp.platform.jobs.schedule import Periodic, enqueue_due, periodic
from tests.platform.jobs.sample_jobs import periodic_tick

if TYPE_CHECKING:
    from tests.platform.jobs.support import JobsHarness

HOURLY = Periodic(periodic_tick, timedelta(hours=1))
TICK = "periodic-tick"


def test_periods_are_counted_from_a_fixed_epoch() -> None:
    daily = Periodic(periodic_tick, timedelta(days=1))
    assert daily.period_start(datetime(2026, 11, 21, 15, 30, tzinfo=UTC)) == datetime(2026, 11, 21, tzinfo=UTC)
    assert HOURLY.period_start(datetime(2026, 11, 21, 15, 59, tzinfo=UTC)) == datetime(2026, 11, 21, 15, tzinfo=UTC)


def test_a_period_shorter_than_a_minute_is_refused() -> None:
    with pytest.raises(ValueError, match="minute"):
        periodic(timedelta(seconds=5))


async def test_two_processes_enqueue_a_period_once_and_the_next_period_again(jobs: JobsHarness) -> None:
    now = datetime(2030, 1, 1, 10, 5, tzinfo=UTC)
    before = len(await jobs.effects(TICK))
    first, second = await asyncio.gather(
        enqueue_due(jobs.sessions, now, [HOURLY]), enqueue_due(jobs.sessions, now, [HOURLY])
    )
    assert sorted([*first, *second]) == [periodic_tick.name]
    assert await enqueue_due(jobs.sessions, now + timedelta(minutes=30), [HOURLY]) == []
    assert await enqueue_due(jobs.sessions, now + timedelta(hours=1), [HOURLY]) == [periodic_tick.name]

    await jobs.start(None)
    for _ in range(150):
        if len(await jobs.effects(TICK)) - before == 2:
            break
        await asyncio.sleep(0.1)
    assert len(await jobs.effects(TICK)) - before == 2
