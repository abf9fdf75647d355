"""Rate limits counted in PostgreSQL: atomic across connections, per client, and trusting only named proxies."""

from __future__ import annotations

import asyncio
import ipaddress
import math
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from avhopp.platform.settings import SettingsError, load_settings
from avhopp.platform.web.forwarding import server_proxy_options
from avhopp.platform.web.ratelimit import RateLimit, count_request, forwarded_client, within_limit

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

SECRET = "s" * 40
PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::1"))


async def _count(sessions: async_sessionmaker[AsyncSession], limit: RateLimit, key: str) -> bool:
    async with sessions() as session, session.begin():
        return await count_request(session, limit, key)


async def test_concurrent_requests_from_many_connections_never_pass_the_limit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    limit = RateLimit("test.concurrent", requests=5, seconds=3600)

    answers = await asyncio.gather(*(_count(sessions, limit, "client-a") for _ in range(12)))

    assert sorted(answers) == [False] * 7 + [True] * 5
    assert await _count(sessions, limit, "client-b")
    async with sessions() as session, session.begin():
        assert not await within_limit(session, limit, "client-a")
        assert await within_limit(session, limit, "client-b")
        hits = await session.execute(text("SELECT sum(hits) FROM rate_limit_window WHERE bucket = 'test.concurrent'"))
        assert hits.scalar_one() == 6


async def test_the_previous_window_still_weighs_on_the_current_one(sessions: async_sessionmaker[AsyncSession]) -> None:
    limit = RateLimit("test.sliding", requests=4, seconds=3600)
    async with sessions() as session, session.begin():
        # Two billion requests in the previous hour: the part of it still in the slide outweighs the
        # limit at any moment of this hour but its last microseconds.
        await session.execute(
            text(
                "INSERT INTO rate_limit_window (bucket, key, window_start, hits, expires_at)"
                " SELECT 'test.sliding', 'k', date_trunc('hour', clock_timestamp()) - interval '1 hour',"
                " 2000000000, now() + interval '1 hour'"
            )
        )
    assert not await _count(sessions, limit, "k")


async def test_a_part_request_of_the_previous_window_counts_as_a_whole_one(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # Rounding the previous window's share down would let one request more through than the
    # slide allows; rounded up, the weighted approximation never exceeds the limit.
    limit = RateLimit("test.rounding", requests=10, seconds=3600)
    share_now = text("SELECT 1 - mod(extract(epoch FROM clock_timestamp()), 3600) / 3600")
    async with sessions() as session, session.begin():
        await session.execute(
            text(
                "INSERT INTO rate_limit_window (bucket, key, window_start, hits, expires_at)"
                " SELECT 'test.rounding', 'k', date_trunc('hour', clock_timestamp()) - interval '1 hour', 10,"
                " now() + interval '1 hour'"
            )
        )
        share_before = float((await session.execute(share_now)).scalar_one())
    allowed = 0
    while await _count(sessions, limit, "k"):
        allowed += 1
    async with sessions() as session:
        share_after = float((await session.execute(share_now)).scalar_one())
    expected = {10 - math.ceil(10 * share) for share in (share_before, share_after)}
    if any(float(10 * share).is_integer() for share in (share_before, share_after)):
        pytest.skip("the share fell on a whole request, where rounding does not matter")
    assert allowed in expected


def test_forwarding_headers_count_only_from_a_trusted_proxy() -> None:
    # A client that is no proxy names whatever it likes: ignored.
    assert forwarded_client("192.0.2.7", ["10.1.1.1"], PROXIES) == "192.0.2.7"
    # Behind the proxy: the rightmost address the proxies did not write themselves.
    assert forwarded_client("10.0.0.2", ["192.0.2.7"], PROXIES) == "192.0.2.7"
    assert forwarded_client("10.0.0.2", ["203.0.113.9, 192.0.2.7, 10.0.0.3"], PROXIES) == "192.0.2.7"
    assert forwarded_client("2001:db8::1", ["198.51.100.4", "10.0.0.3"], PROXIES) == "198.51.100.4"
    # With no trusted proxy (the default) nobody's header counts.
    assert forwarded_client("127.0.0.1", ["192.0.2.7"], ()) == "127.0.0.1"
    assert forwarded_client("10.0.0.2", [], PROXIES) == "10.0.0.2"


def test_trusted_proxies_are_named_in_a_setting_and_none_by_default() -> None:
    base = {"AVHOPP_SECRET_KEY": SECRET, "DATABASE_URL": "postgresql://o@h/d"}

    default = load_settings(base)
    assert default.trusted_proxies == ()
    assert server_proxy_options(default) == {"proxy_headers": False, "forwarded_allow_ips": None}

    named = load_settings(base | {"AVHOPP_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1"})
    assert named.trusted_proxies == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("192.0.2.1/32"))
    assert server_proxy_options(named) == {"proxy_headers": True, "forwarded_allow_ips": ["10.0.0.0/8", "192.0.2.1/32"]}

    with pytest.raises(SettingsError, match="AVHOPP_TRUSTED_PROXIES"):
        load_settings(base | {"AVHOPP_TRUSTED_PROXIES": "*"})
