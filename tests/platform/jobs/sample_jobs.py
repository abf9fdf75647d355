"""Jobs the tests run; their effect is a row in EFFECT_TABLE (made by the fixtures).

The queue name is unique per test run, so that messages left in a shared broker by another
run are never consumed here; it is passed on to subprocesses through the environment.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.platform.jobs import job

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

QUEUE = os.environ.setdefault("AVHOPP_TEST_JOB_QUEUE", f"avhopp_test_{uuid.uuid4().hex[:12]}")
EFFECT_SCHEMA = "avhopp_test_jobs"
EFFECT_TABLE = f"{EFFECT_SCHEMA}.effect"
PERSONAL_DATA = "19121212-1212 Tolvan Tolvansson"

_RECORD = text(
    f"INSERT INTO {EFFECT_TABLE} (mark, tenant_id)"
    " VALUES (:mark, NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
)
attempts: Counter[str] = Counter()


@job(queue_name=QUEUE, name="avhopp_test_record_effect", max_retries=0)
async def record_effect(session: AsyncSession, *, mark: str) -> None:
    """Record `mark` under the tenant the job runs for."""
    await session.execute(_RECORD, {"mark": mark})


@job(queue_name=QUEUE, name="avhopp_test_slow_effect", max_retries=0)
async def slow_effect(session: AsyncSession, *, mark: str, seconds: float) -> None:
    """Record `mark`, then hold the transaction open for a while."""
    await session.execute(_RECORD, {"mark": mark})
    await asyncio.sleep(seconds)


@job(queue_name=QUEUE, name="avhopp_test_fails_once", max_retries=3, min_backoff_ms=20)
async def fails_once(session: AsyncSession, *, mark: str) -> None:
    """Record `mark`, and fail the first attempt after having written it."""
    attempts[mark] += 1
    await session.execute(_RECORD, {"mark": mark})
    if attempts[mark] == 1:
        raise RuntimeError(PERSONAL_DATA)


@job(queue_name=QUEUE, name="avhopp_test_always_fails", max_retries=0)
async def always_fails(session: AsyncSession, *, mark: str) -> None:
    """Record `mark`, then fail with personal data in the exception's message."""
    await session.execute(_RECORD, {"mark": mark})
    raise ValueError(PERSONAL_DATA)


@job(queue_name=QUEUE, name="avhopp_test_periodic_tick", max_retries=0)
async def periodic_tick(session: AsyncSession) -> None:
    """Record one tick (a periodic job takes no arguments)."""
    await session.execute(_RECORD, {"mark": "periodic-tick"})
