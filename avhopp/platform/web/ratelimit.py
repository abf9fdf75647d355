"""Rate limits per client address, counted in PostgreSQL so that every web process shares them.

A limit holds over a sliding window, approximated by two fixed windows: the previous window's
count, weighted by how much of it the sliding window still covers, plus the current one's. One
atomic upsert decides and counts, so two processes cannot both take the last request; a request
over the limit is not counted. The table is UNLOGGED (a crash forgets the counts, nothing else)
and holds an address only as an HMAC under a key derived from the secret key, for two windows.

The address is the client's as `client_address` finds it: the connection's peer, unless that
peer is a proxy named in AVHOPP_TRUSTED_PROXIES, whose `X-Forwarded-For` then names the client.
Addresses are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar.exceptions import TooManyRequestsException
from sqlalchemy import text

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.sealing import derived_key

if TYPE_CHECKING:
    from collections.abc import Sequence

    from litestar.connection import ASGIConnection
    from sqlalchemy import TextClause
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.settings import ProxyNetwork

RETRY_AFTER_SECONDS = 60
_KEY_PURPOSE = "avhopp.platform.ratelimit"
_PRUNE_EVERY_SECONDS = 60.0

# One clock for every process: the database's. `prior` is the previous window's share, rounded
# up so that the approximation never lets more through than the limit.
_WINDOW = """
WITH clock AS (SELECT extract(epoch FROM clock_timestamp()) AS now),
window_ AS (
    SELECT to_timestamp(floor(now / :seconds) * :seconds) AS start,
           1 - (now - floor(now / :seconds) * :seconds) / :seconds AS previous_share
    FROM clock
),
prior AS (
    SELECT ceil(COALESCE((
        SELECT hits FROM rate_limit_window r
        WHERE r.bucket = :bucket AND r.key = :key AND r.window_start = window_.start - make_interval(secs => :seconds)
    ), 0) * window_.previous_share) AS hits
    FROM window_
)
"""


def _after_window(statement: str) -> TextClause:
    return text(_WINDOW + statement)


_COUNT = _after_window(
    """
INSERT INTO rate_limit_window (bucket, key, window_start, hits, expires_at)
SELECT :bucket, :key, window_.start, 1, window_.start + make_interval(secs => 2 * :seconds)
FROM window_, prior WHERE prior.hits + 1 <= :requests
ON CONFLICT (bucket, key, window_start) DO UPDATE SET hits = rate_limit_window.hits + 1
WHERE rate_limit_window.hits + 1 + (SELECT hits FROM prior) <= :requests
RETURNING hits
"""
)
_USED = _after_window(
    """
SELECT prior.hits + COALESCE((
    SELECT hits FROM rate_limit_window r
    WHERE r.bucket = :bucket AND r.key = :key AND r.window_start = window_.start
), 0)
FROM window_, prior
"""
)
_PRUNE = text("DELETE FROM rate_limit_window WHERE expires_at < clock_timestamp()")


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `requests` per `seconds` from one address, counted under `name`."""

    name: str
    requests: int
    seconds: int


class _Pruner:
    """Deletes expired windows at most once a minute per process, so the table stays small."""

    def __init__(self) -> None:
        self._last = 0.0

    async def maybe_prune(self, session: AsyncSession) -> None:
        now = time.monotonic()
        if now - self._last >= _PRUNE_EVERY_SECONDS:
            self._last = now
            await session.execute(_PRUNE)


_pruner = _Pruner()


def _parameters(limit: RateLimit, key: str) -> dict[str, Any]:
    return {"bucket": limit.name, "key": key, "seconds": limit.seconds, "requests": limit.requests}


async def count_request(session: AsyncSession, limit: RateLimit, key: str) -> bool:
    """Count one request for `key` in the caller's transaction; False (and not counted) when over the limit."""
    await _pruner.maybe_prune(session)
    return (await session.execute(_COUNT, _parameters(limit, key))).first() is not None


async def within_limit(session: AsyncSession, limit: RateLimit, key: str) -> bool:
    """Whether one more request for `key` would be allowed; counts nothing."""
    used = (await session.execute(_USED, _parameters(limit, key))).scalar_one()
    return int(used) < limit.requests


def trusted(host: str, proxies: Sequence[ProxyNetwork]) -> bool:
    """Whether `host` is an address inside one of the trusted proxies' networks."""
    try:
        address = ipaddress.ip_address(host.strip())
    except ValueError:
        return False
    return any(address in network for network in proxies)


def forwarded_client(peer: str, forwarded_for: Sequence[str], proxies: Sequence[ProxyNetwork]) -> str:
    """The client behind trusted proxies: the rightmost `X-Forwarded-For` hop that is not one of them.

    Hops to the left of an untrusted one were written by the client itself and prove nothing.
    """
    if not trusted(peer, proxies):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The address rate limits count by (never logged)."""
    peer = connection.client.host if connection.client else "unknown"
    settings = connection.app.state.get("settings")
    proxies = settings.trusted_proxies if settings is not None else ()
    return forwarded_client(peer, connection.headers.getall("x-forwarded-for", []), proxies)


def address_key(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address as stored: an HMAC, so that the table holds no address."""
    key = derived_key(connection.app.state.settings.secret_key, _KEY_PURPOSE)
    return hmac.new(key, client_address(connection).encode(), hashlib.sha256).hexdigest()


def too_many() -> TooManyRequestsException:
    """The app's "För många försök" (429) with when to try again."""
    return TooManyRequestsException(headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


async def check_rate(connection: ASGIConnection[Any, Any, Any, Any], limit: RateLimit) -> None:
    """Count this request against `limit` in a transaction of its own; refuse with 429 when over it."""
    async with context_session(connection.app.state.sessions, RequestContext()) as session:
        allowed = await count_request(session, limit, address_key(connection))
    if not allowed:
        raise too_many()


async def refuse_when_spent(connection: ASGIConnection[Any, Any, Any, Any], limit: RateLimit) -> None:
    """Refuse with 429 when `limit` is used up, without counting this request (it counts once accepted)."""
    async with context_session(connection.app.state.sessions, RequestContext()) as session:
        allowed = await within_limit(session, limit, address_key(connection))
    if not allowed:
        raise too_many()
