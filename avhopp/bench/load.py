# The benchmark's output is its purpose: printing is allowed here.
# ruff: noqa: T201, S311 - printing is the point; think times need no cryptographic randomness
"""Load as users make it: line operators, case officers and the public, on one and on two web processes.

Run: `uv run python -m avhopp.bench.load` (see `--help` for the number of users and seconds).

It starts a throwaway embedded PostgreSQL in a temporary folder (never your data), publishes
generated services (2,000 by default), adds signed-in people (each with a real web session, as a
login leaves one) and starts `avhopp serve` as production runs it: first one web process, then
two. Each person is a user who repeats what their persona does, with a short pause between steps:

- an operator of the guidance line opens a contact on the console, searches who can help and
  records the call (`/linjen`, forms with their CSRF token);
- a case officer of a municipality lists their cases, opens one, and now and then opens a new
  case (the JSON API with the session cookie);
- a visitor opens the public page and searches on it, anonymously (`/hitta-stod`; that search
  is limited to 30 a minute per address, and every visitor here has the same one, so a visitor
  reads each answer for about 12 s, and a refusal would be counted apart as "limited").

Users are spread evenly over the processes. For each set-up it prints, per kind of request, how
many were served, the throughput, p50 and p95 and the errors; then the total, and the CPU the web
processes and PostgreSQL used per request. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import secrets
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import text

from avhopp.bench.directory_search import published_platform
from avhopp.bench.serving import cpu_seconds, web_process
from avhopp.bench.throwaway import on_throwaway_database
from avhopp.platform.audit.chain import chain_key
from avhopp.platform.auth.oidc import VerifiedIdentity
from avhopp.platform.auth.sessions import SESSION_COOKIE, start_session
from avhopp.platform.database import (
    RequestContext,
    context_session,
    create_app_engine,
    create_owner_engine,
    session_factory,
)

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable, Coroutine, Sequence

    from sqlalchemy.engine import URL

    from avhopp.bench.directory_search import Platform

_LINE = "stodlinjen"
_MUNICIPALITY = "kommun-1480"
_ISSUER = "urn:avhopp:load-benchmark"
_CSRF = re.compile(r'name="_csrf_token" value="([^"]*)"')
_HTTP_ERROR = 400
_LIMITED = 429
_NEW_CASE_EVERY = 5
_READING_S = 12.0


@dataclass(slots=True)
class _Tally:
    """What the users saw, by kind of request."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    limited: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass(slots=True)
class _User:
    """One person's browser: their cookies and the form token of their session."""

    client: httpx.AsyncClient
    tally: _Tally
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    async def send(self, kind: str, method: str, path: str, **options: Any) -> httpx.Response | None:  # noqa: ANN401 - httpx's options
        """One request, timed under `kind`; None when it failed (counted as an error or as limited)."""
        headers = {**options.pop("headers", {}), "cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, headers=headers, **options)
        except httpx.HTTPError:
            self.tally.errors[kind] += 1
            return None
        elapsed = (time.perf_counter() - started) * 1000
        self.cookies.update(response.cookies)
        if response.status_code == _LIMITED:
            self.tally.limited[kind] += 1
            return None
        if response.status_code >= _HTTP_ERROR:
            self.tally.errors[kind] += 1
            return None
        self.tally.timings[kind].append(elapsed)
        return response

    def take_csrf(self, page: httpx.Response) -> None:
        """Keep the form token the page carries."""
        found = _CSRF.search(page.text)
        if found:
            self.csrf = unescape(found.group(1))


async def _pause(think: float, stop: asyncio.Event) -> None:
    """A user's pause between steps, about `think` seconds; cut short when the run ends."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), random.uniform(0.5 * think, 1.5 * think))


async def _operator(user: _User, think: float, stop: asyncio.Event) -> None:
    start = await user.send("operator: console", "GET", "/linjen/")
    if start is None:
        return
    user.take_csrf(start)
    while not stop.is_set():
        token = {"_csrf_token": user.csrf}
        opened = await user.send(
            "operator: open a contact",
            "POST",
            "/linjen/kontakter",
            data=token | {"channel": "phone", "caller_type": "person"},
        )
        await _pause(think, stop)
        if opened is None or "location" not in opened.headers:
            continue
        console = opened.headers["location"]
        await user.send(
            "operator: search", "POST", f"{console}/sok", data=token | {"home_municipality_code": "1480", "age": "22"}
        )
        await _pause(think, stop)
        record = {"record_threat": "not_asked", "record_group": "unknown", "record_county": "14"}
        await user.send(
            "operator: record the call",
            "POST",
            console,
            data=token | record | {"record_needs": "guidance", "outcomes": "information_given", "end": "1"},
        )
        await _pause(think, stop)


async def _officer(user: _User, think: float, stop: asyncio.Event) -> None:
    page = await user.send("officer: account page", "GET", "/konto")
    if page is None:
        return
    user.take_csrf(page)
    new_case = {"contact_source": "person", "person": {"name": "Anna Lind"}}
    rounds = 0
    while not stop.is_set():
        if rounds % _NEW_CASE_EVERY == 0:
            await user.send(
                "officer: open a new case", "POST", "/api/v1/cases/", json=new_case, headers={"x-csrf-token": user.csrf}
            )
            await _pause(think, stop)
        rounds += 1
        mine = await user.send("officer: my cases", "GET", "/api/v1/cases/")
        await _pause(think, stop)
        cases = [] if mine is None else mine.json()
        if cases:
            await user.send("officer: one case", "GET", f"/api/v1/cases/{random.choice(cases)['id']}")
            await _pause(think, stop)


async def _visitor(user: _User, think: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await user.send("visitor: public page", "GET", "/hitta-stod/")
        await _pause(think, stop)
        await user.send(
            "visitor: public search", "POST", "/hitta-stod/", data={"home_municipality_code": "1280", "age": "19"}
        )
        # A visitor reads the answer. So that the searches stay under the page's limit per address
        # (which all visitors here share), they read long enough.
        await _pause(_READING_S, stop)


@dataclass(frozen=True, slots=True)
class _People:
    """The session tokens of the benchmark's signed-in people, by persona."""

    operators: tuple[str, ...]
    officers: tuple[str, ...]


def _members(owner_url: URL, slug: str, role: str, count: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """`count` new people with `role` in the tenant, as tenant administration would make them."""
    engine = create_owner_engine(owner_url)
    people = []
    try:
        with engine.begin() as connection:
            tenant_id = connection.execute(
                text("SELECT id FROM tenant WHERE slug = :slug"), {"slug": slug}
            ).scalar_one()
            connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)})
            for number in range(count):
                person = connection.execute(
                    text("INSERT INTO app_user (display_name, email) VALUES (:name, :email) RETURNING id"),
                    {
                        "name": f"Användare {role} {number}",
                        "email": f"{role}.{number}.{secrets.token_hex(4)}@bench.invalid",
                    },
                ).scalar_one()
                connection.execute(
                    text("INSERT INTO membership (tenant_id, user_id, roles) VALUES (:tenant, :user, :roles)"),
                    {"tenant": tenant_id, "user": person, "roles": [role]},
                )
                people.append(person)
    finally:
        engine.dispose()
    return tenant_id, people


async def _signed_in(owner_url: URL, platform: Platform, args: argparse.Namespace) -> _People:
    """Operators and officers, each with a web session as a login leaves it."""
    engine = create_app_engine(platform.app_url, pool_size=2)
    sessions = session_factory(engine, audit_key=chain_key(platform.settings.secret_key))
    tokens: dict[str, list[str]] = {}
    try:
        for persona, slug, role, count in (
            ("operators", _LINE, "line_operator", args.operators),
            ("officers", _MUNICIPALITY, "case_officer", args.officers),
        ):
            tenant_id, people = _members(owner_url, slug, role, count)
            tokens[persona] = []
            for person in people:
                token = secrets.token_urlsafe(32)
                identity = VerifiedIdentity(_ISSUER, str(person), "", None, "")
                async with context_session(sessions, RequestContext(user_id=person)) as session:
                    await start_session(session, token, identity, person, tenant_id, lifetime=timedelta(hours=2))
                tokens[persona].append(token)
    finally:
        await engine.dispose()
    return _People(tuple(tokens["operators"]), tuple(tokens["officers"]))


def _database_pids(folder: Path) -> list[int]:
    """The embedded PostgreSQL's postmaster and its backends."""
    postmaster = int((folder / "pgdata" / "postmaster.pid").read_text().split()[0])
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rpartition(")")[2].split()[1]) == postmaster:
                    children.append(int(entry.name))
    return [postmaster, *children]


@dataclass(frozen=True, slots=True)
class _Outcome:
    tally: _Tally
    seconds: float
    web_cpu: float
    database_cpu: float


async def _under_load(
    webs: Sequence[tuple[str, int]], people: _People, args: argparse.Namespace, folder: Path
) -> _Outcome:
    tally = _Tally()
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=args.operators + args.officers + args.visitors)
    clients = [httpx.AsyncClient(base_url=url, limits=limits, timeout=60) for url, _pid in webs]
    personas: list[tuple[Callable[[_User, float, asyncio.Event], Coroutine[Any, Any, None]], str | None]] = [
        *((_operator, token) for token in people.operators),
        *((_officer, token) for token in people.officers),
        *((_visitor, None) for _ in range(args.visitors)),
    ]
    users = []
    for number, (persona, token) in enumerate(personas):
        user = _User(clients[number % len(clients)], tally)
        if token is not None:
            user.cookies[SESSION_COOKIE] = token
        users.append(persona(user, args.think, stop))
    web_pids = [pid for _url, pid in webs]
    database_pids = _database_pids(folder)
    started = time.perf_counter()
    web_cpu, database_cpu = cpu_seconds(web_pids), cpu_seconds(database_pids)
    tasks = [asyncio.create_task(user) for user in users]
    await asyncio.sleep(args.seconds)
    stop.set()
    await asyncio.gather(*tasks)
    seconds = time.perf_counter() - started
    outcome = _Outcome(
        tally, seconds, cpu_seconds(web_pids) - web_cpu, cpu_seconds(_database_pids(folder)) - database_cpu
    )
    for client in clients:
        await client.aclose()
    return outcome


def _report(processes: int, outcome: _Outcome) -> None:
    tally = outcome.tally
    print(f"\n{processes} web process{'es' if processes > 1 else ''}, {outcome.seconds:.0f} s")
    print(f"{'request':<28}{'served':>8}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'limited':>9}")
    kinds = sorted(set(tally.timings) | set(tally.errors) | set(tally.limited))
    for kind in kinds:
        timings = tally.timings.get(kind, [])
        p50 = statistics.median(timings) if timings else float("nan")
        p95 = statistics.quantiles(timings, n=20, method="inclusive")[18] if len(timings) > 1 else float("nan")
        print(
            f"{kind:<28}{len(timings):>8}{len(timings) / outcome.seconds:>8.1f}{p50:>9.1f}{p95:>9.1f}"
            f"{tally.errors.get(kind, 0):>8}{tally.limited.get(kind, 0):>9}"
        )
    served = sum(len(timings) for timings in tally.timings.values())
    everything = [timing for timings in tally.timings.values() for timing in timings]
    p95_all = statistics.quantiles(everything, n=20, method="inclusive")[18] if len(everything) > 1 else float("nan")
    print(
        f"{'all':<28}{served:>8}{served / outcome.seconds:>8.1f}{statistics.median(everything):>9.1f}{p95_all:>9.1f}"
        f"{sum(tally.errors.values()):>8}{sum(tally.limited.values()):>9}"
    )
    print(
        f"per request: web processes {1000 * outcome.web_cpu / served:.1f} ms CPU,"
        f" PostgreSQL {1000 * outcome.database_cpu / served:.1f} ms CPU;"
        f" {served / outcome.seconds / processes:.1f} requests a second per process"
    )


async def _run(owner_url: URL, folder: Path, args: argparse.Namespace) -> None:
    platform = await published_platform(owner_url, folder, args.services, args.seed)
    people = await _signed_in(owner_url, platform, args)
    print(f"{args.operators} operators, {args.officers} officers, {args.visitors} visitors; pause {args.think} s")
    for processes in (1, 2):
        with contextlib.ExitStack() as stack:
            webs = [
                stack.enter_context(web_process(owner_url, platform.settings, folder / f"web-{processes}-{number}"))
                for number in range(processes)
            ]
            outcome = await _under_load(webs, people, args, folder)
        _report(processes, outcome)
    print(f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}, {os.cpu_count()} CPUs")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--operators", type=int, default=8, help="line operators")
    parser.add_argument("--officers", type=int, default=8, help="case officers")
    parser.add_argument("--visitors", type=int, default=4, help="anonymous visitors of the public page")
    parser.add_argument("--think", type=float, default=0.1, help="mean pause between a user's steps, in seconds")
    parser.add_argument("--seconds", type=float, default=30, help="how long each set-up runs")
    parser.add_argument("--services", type=int, default=2_000, help="how many services to publish")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    args = _parser().parse_args(argv)
    on_throwaway_database(
        "load",
        f"Avhopp load benchmark: {args.services} services",
        lambda owner_url, folder: _run(owner_url, folder, args),
    )


if __name__ == "__main__":
    main()
