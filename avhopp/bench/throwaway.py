# The benchmark's output is its purpose: printing is allowed here.
# ruff: noqa: T201
"""A benchmark's own PostgreSQL: embedded, in a temporary folder, removed afterwards (never your data)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects.postgresql import insert

from avhopp.platform.embedded import embedded_postgres
from avhopp.platform.jobs.models import JobSchedule
from avhopp.platform.jobs.schedule import periodic_jobs
from avhopp.platform.logs import configure_logging

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from sqlalchemy import Connection
    from sqlalchemy.engine import URL


def on_throwaway_database(name: str, title: str, run: Callable[[URL, Path], Coroutine[Any, Any, None]]) -> None:
    """Print `title`, then run `run(owner_url, folder)` on a new embedded PostgreSQL in a temporary folder."""
    configure_logging("WARNING")
    folder = Path(tempfile.mkdtemp(prefix=f"avhopp-{name}-benchmark-"))
    print(f"{title}, throwaway database in {folder}")
    try:
        with embedded_postgres(folder) as owner_url:
            asyncio.run(run(owner_url, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def hold_periodic_jobs(connection: Connection, hours: int = 6) -> None:
    """Mark every periodic job's periods of the next hours as taken, as if another process ran them.

    In production the jobs run in worker processes; in a benchmark they would run in the measured
    process, on its event loop and its interpreter, while requests are timed.
    """
    now = datetime.now(UTC)
    for schedule in periodic_jobs():
        starts = {schedule.period_start(now + step * schedule.every) for step in range(hours * 4 + 1)}
        connection.execute(
            insert(JobSchedule)
            .values([{"name": schedule.job.name, "period_start": start} for start in starts])
            .on_conflict_do_nothing()
        )
