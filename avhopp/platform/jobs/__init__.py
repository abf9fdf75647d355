"""Background jobs (Dramatiq) with a transactional outbox.

Declare a job, enqueue it inside a transaction, and it runs once that transaction
commits, exactly once as far as the database is concerned:

    @job(queue_name="default")
    async def notify_case_owner(session: AsyncSession, *, case_id: str) -> None: ...

    async with context_session(sessions, context) as session:
        ...
        await enqueue(session, notify_case_owner, case_id=str(case.id))

Arguments are ids and codes only, never personal data (see `enqueue`).
"""

from avhopp.platform.jobs.actors import Job, job
from avhopp.platform.jobs.outbox import enqueue
from avhopp.platform.jobs.runtime import JobRuntime, run_worker

__all__ = ["Job", "JobRuntime", "enqueue", "job", "run_worker"]
