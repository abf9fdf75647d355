"""Enqueueing a job: a row in the caller's transaction, and a nudge to the relay on commit.

The row is the promise. If the transaction rolls back, there is no row and no job; if it
commits, the row stays until a relay has handed it to the broker, whichever process that
relay runs in and however long after. The nudge only saves the relay's polling delay.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, ParamSpec
from uuid import UUID, uuid4

from sqlalchemy import event, insert

from avhopp.platform.database import ContextSession, acting_tenant_id
from avhopp.platform.jobs.models import JobOutbox

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import Session

    from avhopp.platform.jobs.actors import Job

P = ParamSpec("P")

_PENDING = "avhopp.jobs.pending"
# The transaction's tenant, which the outbox's insert policy checks against (built once).
_ACTING_TENANT = acting_tenant_id()
_wakers: set[Callable[[], None]] = set()
_wakers_lock = threading.Lock()


async def enqueue(session: AsyncSession, job: Job[P], /, *args: P.args, **kwargs: P.kwargs) -> UUID:
    """Schedule `job` to run once the transaction of `session` commits.

    Nothing runs if the transaction rolls back. The job runs for the tenant the transaction
    acts for at this moment: its RequestContext's, or the one a job switched to with
    `act_for_tenant` (or for no tenant).

    The keyword arguments must be JSON values, and only ids and codes: NEVER personal data
    (names, personal identity numbers, addresses, free text). They are kept in
    `job_outbox`, which the relay reads across tenants, for as long as the row is kept;
    the job reads what it needs by id, in its tenant's transaction.

    Returns:
        The message id, which is also the outbox row's id.

    """
    if args:
        raise TypeError("jobs take keyword arguments only")
    # Fail here, at the caller, rather than when the database serialises the row.
    json.dumps(kwargs, allow_nan=False)
    # The id is made here, not by the database: INSERT ... RETURNING would need the row to be
    # readable, and only the relay may read the outbox.
    message_id = uuid4()
    await session.execute(
        insert(JobOutbox).values(
            id=message_id,
            actor_name=job.name,
            queue_name=job.queue_name,
            args=kwargs,
            tenant_id=_ACTING_TENANT,
        )
    )
    session.info[_PENDING] = True
    return message_id


def add_waker(waker: Callable[[], None]) -> None:
    """Call `waker` (from any thread) after each commit that enqueued a job."""
    with _wakers_lock:
        _wakers.add(waker)


def remove_waker(waker: Callable[[], None]) -> None:
    """Stop calling `waker`."""
    with _wakers_lock:
        _wakers.discard(waker)


@event.listens_for(ContextSession, "after_commit")
def _nudge_relays(session: Session) -> None:
    # Releasing a savepoint also fires after_commit; only the outer commit makes rows visible.
    if session.in_nested_transaction() or not session.info.pop(_PENDING, False):
        return
    with _wakers_lock:
        wakers = list(_wakers)
    for wake in wakers:
        wake()


@event.listens_for(ContextSession, "after_rollback")
def _forget_pending(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)
