"""Heavy work keeps off the event loop: a bounded lane for heavy requests, worker threads for computing."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from avhopp.platform.heavy import HEAVY_AT_ONCE, heavy_lane, off_loop


async def test_the_lane_lets_only_so_many_heavy_requests_work_at_once() -> None:
    working = 0
    most = 0

    async def heavy() -> None:
        nonlocal working, most
        async with heavy_lane():
            working += 1
            most = max(most, working)
            await asyncio.sleep(0.02)
            working -= 1

    await asyncio.gather(*(heavy() for _ in range(HEAVY_AT_ONCE + 4)))
    assert most == HEAVY_AT_ONCE


async def test_a_heavy_request_that_fails_gives_its_place_back() -> None:
    async def failing() -> None:
        async with heavy_lane():
            raise ValueError

    for _ in range(HEAVY_AT_ONCE + 1):
        with pytest.raises(ValueError):  # noqa: PT011 - the exception itself is the point
            await failing()
    async with asyncio.timeout(1), heavy_lane():
        pass


def _busy(seconds: float) -> str:
    """Computes without sleeping, as assessing or converting does."""
    ends = time.perf_counter() + seconds
    while time.perf_counter() < ends:
        sum(range(1000))
    return threading.current_thread().name


async def test_computing_off_the_loop_lets_other_requests_move_meanwhile() -> None:
    ticks = 0
    done = asyncio.Event()

    async def cheap_requests() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.005)
            ticks += 1

    ticker = asyncio.create_task(cheap_requests())
    await asyncio.sleep(0)
    thread = await off_loop(_busy, 0.4)
    done.set()
    await ticker
    assert thread != threading.current_thread().name
    # On the loop, the same computation would let no tick through until it ended.
    assert ticks >= 10


async def test_an_error_off_the_loop_reaches_the_caller() -> None:
    def refuses() -> None:
        raise LookupError

    with pytest.raises(LookupError):
        await off_loop(refuses)
