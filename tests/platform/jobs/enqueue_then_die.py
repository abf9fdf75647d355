"""Run as a subprocess: enqueue `record_effect`, commit, and die before anything is sent.

Environment: AVHOPP_TEST_APP_URL (the runtime role), AVHOPP_TEST_TENANT_ID, AVHOPP_TEST_MARK.
"""

from __future__ import annotations

import asyncio
import os
from uuid import UUID

from sqlalchemy.engine import make_url

from avhopp.platform.audit.chain import chain_key
from avhopp.platform.database import RequestContext, context_session, create_app_engine, session_factory
from avhopp.platform.jobs import enqueue
from tests.platform.jobs.sample_jobs import record_effect
from tests.platform.web.conftest import SECRET_KEY

DIED_AFTER_COMMIT = 3


async def _enqueue_and_die() -> None:
    engine = create_app_engine(make_url(os.environ["AVHOPP_TEST_APP_URL"]), pool_size=1)
    sessions = session_factory(engine, audit_key=chain_key(SECRET_KEY))
    context = RequestContext(tenant_id=UUID(os.environ["AVHOPP_TEST_TENANT_ID"]))
    async with context_session(sessions, context) as session:
        await enqueue(session, record_effect, mark=os.environ["AVHOPP_TEST_MARK"])
    # Committed. No relay runs in this process, and nothing gets to clean up.
    os._exit(DIED_AFTER_COMMIT)


if __name__ == "__main__":
    asyncio.run(_enqueue_and_die())
