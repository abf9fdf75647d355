"""Heavy work of a request, kept from stalling the others.

A web process serves all its requests on one event loop: while one coroutine computes, no other
request moves, and a cheap request waits behind every step that is ready before each of its own.
Measured with `avhopp.bench.event_loop`: while eight clients searched without pause, a cheap read
waited about 8 times as long as alone. Two tools keep cheap requests moving:

- `heavy_lane()`: only a few heavy requests per process work at a time. The others wait for a
  place without using the loop, so a cheap request finds only a few steps ahead of it.
- `off_loop(function, ...)`: long pure computing (converting a page of HSDS, solving placements,
  writing an export) runs in a worker thread, so it gives the loop its turn every few
  milliseconds (the interpreter's switch interval) instead of holding it to the end. Work of a
  millisecond or two stays on the loop: the thread and the loop taking turns costs more.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from functools import partial
from typing import TYPE_CHECKING, TypeVar

import anyio

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

_T = TypeVar("_T")

HEAVY_AT_ONCE = 1
"""Heavy requests one process works on at a time. Measured on two cores while eight clients
searched without pause (`avhopp.bench.event_loop`): with one, a cheap read's p95 stayed within
1.4x of its p95 alone, and the process served about a fifth fewer searches than with no limit;
with two, 2.3x and as many searches as with no limit. The target is the cheap read's (issue 19:
at most 2x), and a flood of searches, the public's included, must not starve everyone else's
pages: more searches a second come from more processes, not from more places in one."""

_lane = anyio.CapacityLimiter(HEAVY_AT_ONCE)
_threads = anyio.CapacityLimiter(4)
"""Worker threads for `off_loop`: more than cores, so that a long export does not hold up a search."""


@asynccontextmanager
async def heavy_lane() -> AsyncIterator[None]:
    """Hold one of the process's places for heavy work while the block runs."""
    async with _lane:
        yield


async def off_loop(function: Callable[..., _T], *args: object) -> _T:
    """`function(*args)` in a worker thread; the loop serves other requests meanwhile."""
    return await anyio.to_thread.run_sync(partial(function, *args), limiter=_threads)
