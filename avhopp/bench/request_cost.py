# The benchmark's output is its purpose: printing is allowed here.
# ruff: noqa: T201 - printing is the point
"""Per-request cost: an authenticated JSON read through the whole stack against the same query run directly.

Run: `uv run python -m avhopp.bench.request_cost` (see `--help` for the number of requests).

It starts a throwaway embedded PostgreSQL in a temporary folder (never your data), registers a few
housing units for a municipality, and times the register's read (`GET /api/v1/housing/units`,
one query) through the whole stack in-process: with a machine client's bearer token and with a
person's session cookie (principal, authorization, request scope, row-level security, JSON).
The baseline is the same query sent directly on one held connection of the runtime role; for
scale, also an empty request (`/health/live`). It prints p50/p95 and their ratios to the baseline,
then the round trips to PostgreSQL and the transactions per request, counted by a small proxy
between the web application and the database (a round trip: the application sends, after the
database last answered; pipelined messages count once), as a mean that includes the checks each
process makes at most once a second (the policy's version, the signing keys). It measures; it
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import secrets
import statistics
import struct
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
import psycopg
import uvicorn
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert

from avhopp.app import build_app
from avhopp.bench.serving import in_process
from avhopp.bench.startup import free_port
from avhopp.bench.throwaway import hold_periodic_jobs, on_throwaway_database
from avhopp.platform.auth.sessions import SESSION_COOKIE
from avhopp.platform.auth.sign_in_for_tests import TEST_SIGN_IN_PATH
from avhopp.platform.database import app_url_for, create_owner_engine
from avhopp.platform.geography.load import load_geography
from avhopp.platform.idp import ensure_identity_provider
from avhopp.platform.idp.admin import create_machine_client
from avhopp.platform.migrate import migrate
from avhopp.platform.settings import load_settings
from avhopp.tenants.registry.people import AppUser, Membership
from avhopp.tenants.registry.provisioning import demo_tenants, geographic_tenants, provision_tenants
from avhopp.tenants.registry.roles import Role

if TYPE_CHECKING:
    import uuid
    from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
    from pathlib import Path

    from sqlalchemy.engine import URL

    from avhopp.platform.settings import Settings

# The test sign-in, which starts a real session for the cookie path, opens only on the reserved .test domain.
_PUBLIC_URL = "https://benchmark.test"
_TENANT = "kommun-1480"
_READ = "/api/v1/housing/units"
_UNITS = 5
# The query the read runs (avhopp.housing.placement.units.units_of), without decoding, scope or HTTP.
_DIRECT_SQL = (
    "SELECT u.*, l.*,"
    " EXISTS (SELECT 1 FROM housing_offer o WHERE o.unit_id = u.id AND o.status = 'pending') AS reserved,"
    " EXISTS (SELECT 1 FROM housing_placement p WHERE p.unit_id = u.id AND p.moved_out_on IS NULL) AS occupied"
    " FROM housing_unit u JOIN housing_locality l ON l.code = u.locality_code"
    " WHERE u.tenant_id = %s ORDER BY u.created_at DESC, u.id"
)
_UNIT = {
    "unit_type": "jourlagenhet",
    "max_household": 3,
    "available_from": "2026-01-01",
    "monthly_cost_sek": 6500,
    "municipality_code": "1480",
    "locality_name": "Göteborg",
    "latitude": 57.71,
    "longitude": 11.97,
    "address": "Storgatan 12, lgh 1001",
}
_Machine = tuple[str, str, "uuid.UUID", "uuid.UUID"]
"""The machine client's id and secret, the tenant, and the person."""
_SSL_OR_GSS_REQUEST = 8
"""The length of an SSLRequest or GSSENCRequest, the only untyped messages besides the startup message."""


@dataclass(slots=True)
class Counts:
    """What the web application sent to PostgreSQL."""

    round_trips: int = 0
    transactions: int = 0


@dataclass(slots=True)
class _Stream:
    """The client's side of one connection: untyped messages until the startup message, then typed ones."""

    counts: Counts
    started: bool = False
    answered: bool = True
    """Whether the server sent something since the client last did: the client's next message starts a round trip."""
    buffer: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> None:
        if self.answered:
            self.counts.round_trips += 1
            self.answered = False
        self.buffer += data
        while True:
            header = 4 if not self.started else 5
            if len(self.buffer) < header:
                return
            if not self.started:
                (length,) = struct.unpack_from("!i", self.buffer, 0)
                if len(self.buffer) < length:
                    return
                self.started = length != _SSL_OR_GSS_REQUEST
                del self.buffer[:length]
                continue
            kind = chr(self.buffer[0])
            (length,) = struct.unpack_from("!i", self.buffer, 1)
            if len(self.buffer) < length + 1:
                return
            body = bytes(self.buffer[5 : length + 1])
            del self.buffer[: length + 1]
            self._count(kind, body)

    def _count(self, kind: str, body: bytes) -> None:
        # A simple query's text, or a Parse message's (after the statement's name).
        query = body if kind == "Q" else body.split(b"\0", 1)[1] if kind == "P" else b""
        self.counts.transactions += query.lstrip().upper().count(b"BEGIN")


class RoundTripProxy:
    """A TCP proxy in front of PostgreSQL that counts what its clients send, on the caller's event loop."""

    def __init__(self, upstream: URL) -> None:
        self.counts = Counts()
        self._upstream = upstream
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0

    @asynccontextmanager
    async def listening(self) -> AsyncIterator[RoundTripProxy]:
        """Listen on a free port of 127.0.0.1; on leaving, end the connections still open."""
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        try:
            yield self
        finally:
            server.close()
            for connection in self._connections:
                connection.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            await server.wait_closed()

    def url(self) -> URL:
        """The upstream's URL, through the proxy."""
        query = {key: value for key, value in self._upstream.query.items() if key != "host"}
        return self._upstream.set(host="127.0.0.1", port=self.port, query=query)

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        host = self._upstream.query.get("host") or self._upstream.host or "127.0.0.1"
        port = self._upstream.port or 5432
        if isinstance(host, str) and host.startswith("/"):
            return await asyncio.open_unix_connection(f"{host}/.s.PGSQL.{port}")
        return await asyncio.open_connection(str(host), port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = asyncio.current_task()
        if connection is not None:
            self._connections.add(connection)
        up_reader, up_writer = await self._open_upstream()
        stream = _Stream(self.counts)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, count: bool) -> None:
            try:
                while data := await source.read(65536):
                    if count:
                        stream.feed(data)
                    else:
                        stream.answered = True
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                sink.close()

        try:
            await asyncio.gather(pipe(reader, up_writer, count=True), pipe(up_reader, writer, count=False))
        except asyncio.CancelledError:
            # The proxy is closing. The connection's task ends normally: asyncio logs one that ends cancelled.
            pass
        finally:
            self._connections.discard(connection)


@dataclass(frozen=True, slots=True)
class Caller:
    """How a request authenticates: the headers it sends."""

    name: str
    headers: dict[str, str]


async def _callers(client: httpx.AsyncClient, client_id: str, secret: str, user_id: uuid.UUID) -> list[Caller]:
    token = (
        await client.post("/idp/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    ).json()["access_token"]
    signed = await client.post(TEST_SIGN_IN_PATH, data={"user_id": str(user_id)})
    signed.raise_for_status()
    cookie = client.cookies[SESSION_COOKIE]
    # Each request names its credentials itself; the client's jar would add the cookie to both.
    client.cookies.clear()
    accept = {"accept": "application/json"}
    return [
        Caller("API, bearer token", {**accept, "authorization": f"Bearer {token}"}),
        Caller("API, session cookie", {**accept, "cookie": f"{SESSION_COOKIE}={cookie}"}),
    ]


def _read(client: httpx.AsyncClient, caller: Caller) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        response = await client.get(_READ, headers=caller.headers)
        response.raise_for_status()
        client.cookies.clear()

    return run


async def _timed(paths: Sequence[tuple[str, Callable[[], Awaitable[None]]]], rounds: int) -> dict[str, list[float]]:
    """Each path in turn, round after round, so a change in the machine's load falls on all alike."""
    timings: dict[str, list[float]] = {name: [] for name, _run in paths}
    for _ in range(rounds):
        for name, run in paths:
            started = time.perf_counter()
            await run()
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def _percentiles(timings: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(timings, n=20, method="inclusive")
    return statistics.median(timings), cuts[18]


@asynccontextmanager
async def _served(settings: Settings, app_url: URL, http: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app behind a real uvicorn server on a free port, with the HTTP parser `http`, and a client to it."""
    config = uvicorn.Config(
        build_app(settings, app_url), host="127.0.0.1", port=0, http=http, access_log=False, log_config=None
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, no event
        await asyncio.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client
    finally:
        server.should_exit = True
        await serving


@asynccontextmanager
async def _served_by_granian(settings: Settings, app_url: URL) -> AsyncIterator[httpx.AsyncClient]:
    """The app behind granian's server embedded in this loop, as uvicorn's is, and a client to it.

    granian is no dependency: to compare, `uv pip install granian` first.
    """
    from granian.constants import Interfaces  # noqa: PLC0415 - optional, for this comparison only
    from granian.server.embed import Server  # noqa: PLC0415

    port = free_port()
    server = Server(
        build_app(settings, app_url), port=port, interface=Interfaces.ASGI, websockets=False, log_enabled=False
    )
    serving = asyncio.create_task(server.serve())
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        try:
            # Asked on this loop, which the server answers on (`startup.ready` would block it).
            for _attempt in range(200):
                with contextlib.suppress(httpx.TransportError):
                    (await client.get("/health/live")).raise_for_status()
                    break
                await asyncio.sleep(0.05)
            else:
                msg = "granian's embedded server did not answer within 10 s"
                raise RuntimeError(msg)
            yield client
        finally:
            server.stop()
            await serving


async def _time_paths(  # noqa: PLR0913 - the settings, the database, the client, the rounds and the servers
    settings: Settings,
    app_url: URL,
    machine: _Machine,
    rounds: int,
    servers: Sequence[str],
    *,
    granian: bool,
) -> None:
    client_id, secret, tenant_id, user_id = machine
    conninfo = app_url.set(drivername="postgresql").render_as_string(hide_password=False)
    direct = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
    try:
        # Set once for the connection: the baseline is the query alone, prepared on the server.
        await direct.execute("SELECT set_config('app.tenant_id', %s, false)", (str(tenant_id),))

        async def direct_query() -> None:
            rows = await (await direct.execute(_DIRECT_SQL, (tenant_id,), prepare=True)).fetchall()
            if len(rows) != _UNITS:
                raise RuntimeError(len(rows))

        async with in_process(build_app(settings, app_url), _PUBLIC_URL) as client:
            callers = await _callers(client, client_id, secret, user_id)

            async def empty() -> None:
                (await client.get("/health/live")).raise_for_status()

            paths = [
                ("SQL, direct", direct_query),
                *((caller.name, _read(client, caller)) for caller in callers),
                ("HTTP only (/health/live)", empty),
            ]
            async with contextlib.AsyncExitStack() as stack:
                for http in servers:
                    served = await stack.enter_async_context(_served(settings, app_url, http))
                    paths += [(f"{caller.name[5:]}, uvicorn {http}", _read(served, caller)) for caller in callers]
                if granian:
                    served = await stack.enter_async_context(_served_by_granian(settings, app_url))
                    paths += [(f"{caller.name[5:]}, granian", _read(served, caller)) for caller in callers]
                await _timed(paths, 5)  # warm up caches and the connection pool
                figures = {name: _percentiles(timings) for name, timings in (await _timed(paths, rounds)).items()}
    finally:
        await direct.close()
    base_p50, base_p95 = figures["SQL, direct"]
    print(f"{rounds} requests per path, {os.cpu_count()} CPUs, load average {_load()}")
    print(f"{'path':<34}{'p50 ms':>9}{'p95 ms':>9}{'p50 ratio':>11}{'p95 ratio':>11}")
    for name, (p50, p95) in figures.items():
        print(f"{name:<34}{p50:>9.2f}{p95:>9.2f}{p50 / base_p50:>11.1f}{p95 / base_p95:>11.1f}")


async def _count_paths(settings: Settings, app_url: URL, machine: _Machine, rounds: int) -> None:
    client_id, secret, _tenant_id, user_id = machine
    async with (
        RoundTripProxy(app_url).listening() as proxy,
        in_process(build_app(settings, proxy.url()), _PUBLIC_URL) as client,
    ):
        callers = await _callers(client, client_id, secret, user_id)
        print(f"\nper request, mean of {rounds} (to PostgreSQL)   round trips   transactions")
        for caller in callers:
            run = _read(client, caller)
            await run()  # warm up: prepared statements, the policy, the signing keys
            before = dataclasses.replace(proxy.counts)
            for _ in range(rounds):
                await run()
            trips = (proxy.counts.round_trips - before.round_trips) / rounds
            transactions = (proxy.counts.transactions - before.transactions) / rounds
            print(f"{caller.name:<42}{trips:>14.1f}{transactions:>15.1f}")


def _load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def _prepare(owner_url: URL, settings: Settings) -> _Machine:
    """The tenant, a machine client and a person, both placement coordinators there."""
    engine = create_owner_engine(owner_url)
    try:
        with engine.begin() as connection:
            load_geography(connection)
            provision_tenants(connection, geographic_tenants() + demo_tenants())
            ensure_identity_provider(connection, settings, [])
            role = Role.PLACEMENT_COORDINATOR.value
            client_id, secret = create_machine_client(connection, "Benchmark", _TENANT, [role])
            tenant_id = connection.execute(text("SELECT id FROM tenant WHERE slug = :slug"), {"slug": _TENANT})
            tenant_id = tenant_id.scalar_one()
            user_id = connection.execute(
                insert(AppUser).values(display_name="Benchmark").returning(AppUser.id)
            ).scalar_one()
            # The owner is bound by the tenant's row-level security like everyone else.
            connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)})
            connection.execute(insert(Membership).values(tenant_id=tenant_id, user_id=user_id, roles=[role]))
            hold_periodic_jobs(connection)
    finally:
        engine.dispose()
    return client_id, secret, tenant_id, user_id


async def _register_units(settings: Settings, app_url: URL, client_id: str, secret: str) -> None:
    async with in_process(build_app(settings, app_url), _PUBLIC_URL) as client:
        token = (
            await client.post("/idp/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
        ).json()["access_token"]
        for _ in range(_UNITS):
            response = await client.post(_READ, json=_UNIT, headers={"authorization": f"Bearer {token}"})
            response.raise_for_status()


async def _run(owner_url: URL, folder: Path, args: argparse.Namespace) -> None:
    app_url = app_url_for(owner_url, None)
    migrate(owner_url, app_url)
    settings = load_settings(
        {
            "DATABASE_URL": owner_url.render_as_string(hide_password=False),
            "AVHOPP_SECRET_KEY": secrets.token_urlsafe(32),
            "AVHOPP_DATA_DIR": str(folder),
            "AVHOPP_PUBLIC_URL": _PUBLIC_URL,
        }
    )
    # No job relay polling the outbox in the background: only the requests reach the database.
    settings = dataclasses.replace(settings, test_sign_in=True, job_poll_interval=3600.0)
    machine = _prepare(owner_url, settings)
    await _register_units(settings, app_url, machine[0], machine[1])
    await _time_paths(settings, app_url, machine, args.requests, args.uvicorn, granian=args.granian)
    await _count_paths(settings, app_url, machine, args.counted)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=1000, help="requests timed per path")
    parser.add_argument(
        "--uvicorn",
        action="append",
        default=[],
        choices=["h11", "httptools"],
        help="also time the read over HTTP through a real uvicorn server with this parser (repeatable)",
    )
    parser.add_argument(
        "--granian",
        action="store_true",
        help="also time the read over HTTP through granian's embedded server (`uv pip install granian` first)",
    )
    parser.add_argument("--counted", type=int, default=50, help="requests whose round trips are counted per path")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    args = _parser().parse_args(argv)
    on_throwaway_database(
        "request", "Avhopp per-request cost benchmark", lambda owner_url, folder: _run(owner_url, folder, args)
    )


if __name__ == "__main__":
    main()
