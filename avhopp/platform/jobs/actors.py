"""Declaring jobs, and running one delivered message exactly once.

A job is an `async def body(session, **kwargs)` decorated with `@job(...)`. The decorator
only registers it; each JobRuntime declares the registered jobs as Dramatiq actors on its
own broker, so that importing a module never touches a broker.

Delivery is idempotent: the message id is the outbox row's id, and the job's transaction
first inserts that id into `job_run`. If the row is already there, the job ran before and
this delivery does nothing; otherwise the body runs in the same transaction, so the body's
effect and the mark commit together or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, ParamSpec

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs.models import JobOutbox, JobRun

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from typing import Concatenate
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

P = ParamSpec("P")

DEFAULT_QUEUE = "default"
# Dramatiq's own rule for queue names; `.DQ` and `.XQ` are its delay and dead-letter suffixes.
_QUEUE_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9._-]*")
_RESERVED_SUFFIXES = (".DQ", ".XQ")


class UnknownJobMessageError(Exception):
    """A message names no outbox row of this database, or another job than its row.

    Such a message was not sent by our relay (or its row is gone); it is dead-lettered,
    never retried.
    """


class JobAttemptError(Exception):
    """A job attempt failed; carries only the original exception's type.

    Dramatiq stores the traceback of a failed attempt in the retried message, that is in the
    broker; the original exception's message may quote data (database errors quote the
    values they refused), so what reaches Dramatiq is this instead.
    """

    def __init__(self, error_type: str) -> None:
        super().__init__(error_type)
        self.error_type = error_type


@dataclass(frozen=True, slots=True)
class Job(Generic[P]):
    """A registered job; pass it to `enqueue`."""

    name: str
    """The Dramatiq actor name, stored in outbox rows: renaming a job strands its queued rows."""
    queue_name: str
    body: Callable[Concatenate[AsyncSession, P], Awaitable[None]]
    max_retries: int
    min_backoff_ms: int


_registry: dict[str, Job[Any]] = {}


def job(
    *,
    queue_name: str = DEFAULT_QUEUE,
    name: str | None = None,
    max_retries: int = 20,
    min_backoff_ms: int = 15_000,
) -> Callable[[Callable[Concatenate[AsyncSession, P], Awaitable[None]]], Job[P]]:
    """Register `async def body(session, *, ...)` as a job.

    The body runs in a transaction for the enqueuing tenant. Its database writes take
    effect once per enqueue: they commit together with the record of the run, and a later
    delivery of the same message finds that record and does nothing. An effect outside
    this database (a mail, a call to another system) is not covered and must be made
    idempotent by the body itself. A failure rolls the transaction back, and the job is
    retried up to `max_retries` times with exponential backoff from `min_backoff_ms`.

    Args:
        queue_name: The broker queue; workers may be limited to some queues.
        name: The actor name (default: the function's name); unique in the process.
        max_retries: Attempts after the first before the message is dead-lettered.
        min_backoff_ms: The first retry's delay; each further retry doubles it.

    """
    if not _QUEUE_NAME.fullmatch(queue_name) or queue_name.endswith(_RESERVED_SUFFIXES):
        raise ValueError(f"invalid job queue name: {queue_name!r}")

    def register(body: Callable[Concatenate[AsyncSession, P], Awaitable[None]]) -> Job[P]:
        actor_name = name or body.__name__
        if actor_name in _registry:
            raise ValueError(f"a job named {actor_name!r} is already registered")
        registered = Job(actor_name, queue_name, body, max_retries, min_backoff_ms)
        _registry[actor_name] = registered
        return registered

    return register


def registered_jobs() -> list[Job[Any]]:
    """Every job registered so far in this process."""
    return list(_registry.values())


async def run_once(sessions: async_sessionmaker[AsyncSession], job: Job[Any], message_id: UUID) -> bool:
    """Run `job` for the outbox row `message_id` unless that message already ran.

    Returns:
        True if the job ran now, False if an earlier delivery had already run it.

    Raises:
        UnknownJobMessageError: No outbox row for this job has that id.

    """
    # The row, not the message, says for which tenant and with which arguments the job runs:
    # whoever can write to the broker can at most repeat a job that was really enqueued.
    async with context_session(sessions, RequestContext(job_relay=True)) as session:
        row = (
            await session.execute(
                select(JobOutbox.actor_name, JobOutbox.tenant_id, JobOutbox.args).where(JobOutbox.id == message_id)
            )
        ).one_or_none()
    if row is None or row.actor_name != job.name:
        raise UnknownJobMessageError
    async with context_session(sessions, RequestContext(tenant_id=row.tenant_id)) as session:
        # A concurrent delivery of the same message waits here on the primary key until the
        # first one commits (then finds the row) or rolls back (then runs the job itself).
        claimed = await session.scalar(
            insert(JobRun)
            .values(message_id=message_id, actor_name=job.name)
            .on_conflict_do_nothing(index_elements=[JobRun.message_id])
            .returning(JobRun.message_id)
        )
        if claimed is None:
            return False
        await job.body(session, **row.args)
    return True
