"""A separate process with its own AuthzEnforcer, for the two-process tests.

Reads "<subject> <tenant> <obj> <act>" lines on stdin and answers "allow" or "deny"; prints
"ready" once its policy is loaded (and, with --watch, once it listens).
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid

import structlog
from sqlalchemy.engine import make_url

from avhopp.authorization import complete_registry
from avhopp.platform.authz import AuthzEnforcer, PolicyWatcher
from avhopp.platform.database import create_app_engine


def _answer(word: str) -> None:
    sys.stdout.write(f"{word}\n")
    sys.stdout.flush()


async def main(check_interval: float, *, watch: bool) -> None:
    # stdout is the protocol; logs go to stderr.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    # This process is a composition root of its own: the roles come from every module.
    complete_registry()
    url = make_url(os.environ["AUTHZ_PROBE_URL"])
    engine = create_app_engine(url, pool_size=1)
    enforcer = AuthzEnforcer(engine, check_interval=check_interval)
    watcher = PolicyWatcher(url, enforcer)
    await enforcer.refresh()
    if watch:
        await watcher.start()
        async with asyncio.timeout(10):
            await watcher.wait_listening()
    _answer("ready")
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        subject, tenant, obj, act = line.split()
        allowed = await enforcer.enforce(subject, uuid.UUID(tenant), obj, act)
        _answer("allow" if allowed else "deny")
    await watcher.stop()
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]), watch=sys.argv[2] == "watch"))
