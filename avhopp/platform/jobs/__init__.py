"""Background jobs (being written)."""

from __future__ import annotations

from typing import Any


class JobRuntime:
    def __init__(self, broker_url: str | None, sessions: Any, telemetry: Any) -> None:
        self.broker_url = broker_url

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def ready(self) -> bool:
        return True
