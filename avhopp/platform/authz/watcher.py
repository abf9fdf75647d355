"""LISTEN for policy changes, so that other processes apply them at once rather than at their next check.

Migration 0006's triggers `pg_notify('avhopp_authz', <version>)` in the transaction that
changes a membership, a role's permissions, a tenant's or user's activity or a machine
client; PostgreSQL delivers it on commit. The watcher keeps one connection of its own
(LISTEN cannot share a pooled one) and reconnects with a backoff. It is an accelerator only:
the enforcer's version check keeps decisions fresh while the watcher is down.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import psycopg
import structlog

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from avhopp.platform.authz.enforcer import AuthzEnforcer

_log = structlog.get_logger("avhopp.authz")

CHANNEL = "avhopp_authz"
_MAX_BACKOFF = 30.0


class PolicyWatcher:
    """Invalidates and reloads an AuthzEnforcer on every NOTIFY on CHANNEL."""

    def __init__(self, url: URL, enforcer: AuthzEnforcer) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._enforcer = enforcer
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    @property
    def listening(self) -> bool:
        """Whether the watcher is connected and listening."""
        return self._listening.is_set()

    async def start(self) -> None:
        """Start listening in the background on the running event loop."""
        self._task = asyncio.create_task(self._run(), name="avhopp-authz-watcher")

    async def wait_listening(self) -> None:
        """Wait until LISTEN is in place (for start-up and tests; bound it with asyncio.timeout)."""
        await self._listening.wait()

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        backoff = 1.0
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    backoff = 1.0
                    # Changes committed while no one listened were never announced to us.
                    await self._reload()
                    async for _ in connection.notifies():
                        await self._reload()
            except (psycopg.Error, OSError) as error:
                _log.warning("authz.watcher_disconnected", error=type(error).__name__, retry_in=backoff)
            finally:
                self._listening.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, _MAX_BACKOFF)

    async def _reload(self) -> None:
        self._enforcer.invalidate()
        # A failed reload leaves the enforcer denying; its next check retries, so only log here.
        try:
            await self._enforcer.refresh()
        except Exception as error:  # noqa: BLE001 - the watcher must outlive any one reload
            _log.warning("authz.watcher_reload_failed", error=type(error).__name__)
