"""A sliding-window rate limit per client address, in memory, per process.

Each web process counts on its own, so with N processes an address may make up to N times
the limit (for sign-in, the account lockout is what protects a single account). The address is the one
the ASGI server reports: behind a load balancer, run uvicorn with `--forwarded-allow-ips`
so that it is the client's and not the balancer's. Addresses are kept only in memory and
only while their window lasts; they are never logged.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar.exceptions import TooManyRequestsException

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection

RETRY_AFTER_SECONDS = 60


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `requests` per `seconds` from one address."""

    requests: int
    seconds: float


class SlidingWindowLimiter:
    """Counts requests per key over the last `limit.seconds`; forgets the oldest keys beyond `max_keys`."""

    def __init__(self, limit: RateLimit, max_keys: int = 100_000) -> None:
        self.limit = limit
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._max_keys = max_keys

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count one request for `key`; False when it is over the limit (and then it is not counted)."""
        now = time.monotonic() if now is None else now
        hits = self._hits.pop(key, None) or deque()
        while hits and hits[0] <= now - self.limit.seconds:
            hits.popleft()
        allowed = len(hits) < self.limit.requests
        if allowed:
            hits.append(now)
        if hits:
            self._hits[key] = hits
        while len(self._hits) > self._max_keys:
            self._hits.popitem(last=False)
        return allowed


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The address rate limits count by (kept in memory only, never logged)."""
    return connection.client.host if connection.client else "unknown"


def check_rate(allowed: bool) -> None:  # noqa: FBT001 - reads as a guard: check_rate(limiter.allow(...))
    """Refuse with 429 (the app's "För många försök") when over the limit."""
    if not allowed:
        raise TooManyRequestsException(headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
