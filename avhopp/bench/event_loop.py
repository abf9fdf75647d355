# The benchmark's output is its purpose: printing is allowed here.
# ruff: noqa: T201
"""Benchmark of a cheap authenticated read while directory searches keep the web process busy.

Run: `uv run python -m avhopp.bench.event_loop` (see `--help` for sizes).

It starts a throwaway embedded PostgreSQL in a temporary folder (never your data), publishes
generated services (10,000 by default) and starts `avhopp serve` on it as one web process, as
production runs it. Over real HTTP it then times one cheap authenticated JSON read (a service by
its id, with a bearer token) in rounds: alone, and while eight clients search the directory
without pause. Rounds alternate, so a change in the machine's load falls on both alike. It prints
p50/p95 of the read alone and under the searches, the ratios, and the searches served a second.

Target (issue 19, point 2): the read's p95 under eight searches at most 2× its p95 alone.
It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from avhopp.bench.directory_search import generated_catalogue, probes, published_platform
from avhopp.bench.serving import cpu_seconds, web_process
from avhopp.bench.throwaway import on_throwaway_database

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from sqlalchemy.engine import URL

    from avhopp.bench.directory_search import Platform, Probe

_SEARCHERS = 8
_TARGET = 2.0


@dataclass(slots=True)
class _Figures:
    alone: list[float] = field(default_factory=list)
    loaded: list[float] = field(default_factory=list)
    searches: int = 0
    search_seconds: float = 0.0
    web_cpu_seconds: float = 0.0
    """CPU the web process spent while it served the searches (and the reads between them)."""


async def _reads(client: httpx.AsyncClient, path: str, count: int, into: list[float]) -> None:
    for _ in range(count):
        started = time.perf_counter()
        (await client.get(path)).raise_for_status()
        into.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.005)  # a person's pace, not a flood: the reads must not load the server themselves


async def _search_until(client: httpx.AsyncClient, searches: Sequence[Probe], stop: asyncio.Event) -> int:
    done = 0
    while not stop.is_set():
        probe = searches[done % len(searches)]
        (await client.post("/api/v1/directory/search", json=probe.body())).raise_for_status()
        done += 1
    return done


async def _measure(web: tuple[str, int], platform: Platform, args: argparse.Namespace, read_path: str) -> _Figures:
    base_url, pid = web
    client_id, secret, _tenant = platform.machine
    figures = _Figures()
    limits = httpx.Limits(max_connections=_SEARCHERS + 2)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        answer = await client.post("/idp/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
        client.headers["authorization"] = f"Bearer {answer.raise_for_status().json()['access_token']}"
        searches = probes(200, args.seed)
        await _reads(client, read_path, 20, [])  # warm the pool and the caches
        await asyncio.gather(*(_search_until_count(client, searches[i::_SEARCHERS], 3) for i in range(_SEARCHERS)))
        for _round in range(args.rounds):
            await _reads(client, read_path, args.reads, figures.alone)
            stop = asyncio.Event()
            searchers = [
                asyncio.create_task(_search_until(client, searches[i::_SEARCHERS], stop)) for i in range(_SEARCHERS)
            ]
            started, cpu = time.perf_counter(), cpu_seconds([pid])
            await asyncio.sleep(0.5)  # every searcher has a request in flight
            await _reads(client, read_path, args.reads, figures.loaded)
            stop.set()
            figures.searches += sum(await asyncio.gather(*searchers))
            figures.search_seconds += time.perf_counter() - started
            figures.web_cpu_seconds += cpu_seconds([pid]) - cpu
    return figures


async def _search_until_count(client: httpx.AsyncClient, searches: Sequence[Probe], count: int) -> None:
    for probe in searches[:count]:
        (await client.post("/api/v1/directory/search", json=probe.body())).raise_for_status()


def _p50_p95(timings: list[float]) -> tuple[float, float]:
    return statistics.median(timings), statistics.quantiles(timings, n=20, method="inclusive")[18]


def _report(figures: _Figures) -> None:
    alone_p50, alone_p95 = _p50_p95(figures.alone)
    loaded_p50, loaded_p95 = _p50_p95(figures.loaded)
    print(f"{len(figures.alone)} reads alone, {len(figures.loaded)} under {_SEARCHERS} searches, {os.cpu_count()} CPUs")
    print(f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    print(f"{'read':<22}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'alone':<22}{alone_p50:>10.1f}{alone_p95:>10.1f}")
    print(f"{'under searches':<22}{loaded_p50:>10.1f}{loaded_p95:>10.1f}")
    print(f"ratio p50 {loaded_p50 / alone_p50:.1f}, p95 {loaded_p95 / alone_p95:.1f} (target at most {_TARGET:.0f})")
    print(f"searches served {figures.searches / figures.search_seconds:.1f}/s", end=", ")
    print(f"web process CPU {1000 * figures.web_cpu_seconds / figures.searches:.1f} ms a search")


async def _run(owner_url: URL, folder: Path, args: argparse.Namespace) -> None:
    platform = await published_platform(owner_url, folder, args.services, args.seed)
    service_id = generated_catalogue(args.services, args.seed)[0].services[0].id
    with web_process(owner_url, platform.settings, folder / "web") as web:
        figures = await _measure(web, platform, args, f"/api/v1/directory/services/{service_id}")
    _report(figures)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--services", type=int, default=10_000, help="how many services to publish")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of reads alone and under searches")
    parser.add_argument("--reads", type=int, default=60, help="reads timed per round and condition")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    args = _parser().parse_args(argv)
    on_throwaway_database(
        "event-loop",
        f"Avhopp event-loop benchmark: {args.services} services",
        lambda owner_url, folder: _run(owner_url, folder, args),
    )


if __name__ == "__main__":
    main()
