"""What the job tables no longer need, deleted by the relay about once an hour.

The rules live in the database function `prune_job_records()` (migration 0021), which runs with
the owner's rights for a caller acting as the relay and reads the database's clock:

- an outbox row a week after it was sent, once its job has run; a month after it was sent in
  any case (its message was dead-lettered or lost, and the row would only be sent again);
- a job's record of having run, a month after, once its outbox row is gone: a message delivered
  again after that finds no row and is dead-lettered without running, so it still runs once;
- a periodic job's enqueued period a month after it began, unless it is the job's latest, which
  keeps the job from being enqueued twice in a period longer than that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class Pruned:
    """Rows deleted from each table."""

    outbox: int
    runs: int
    periods: int


async def prune_job_records(session: AsyncSession) -> Pruned:
    """Delete what the job tables no longer need; the session must act as the relay."""
    row = (await session.execute(text("SELECT outbox, runs, periods FROM prune_job_records()"))).one()
    return Pruned(outbox=int(row.outbox), runs=int(row.runs), periods=int(row.periods))
