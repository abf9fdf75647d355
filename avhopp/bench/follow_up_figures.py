# The benchmark's output is its purpose: printing is allowed here.
# ruff: noqa: T201, S311 - printing is the point; generated data needs no cryptographic randomness
"""Benchmark of the national follow-up overview: counts from the statistics, then disclosure control.

Run: `uv run python -m avhopp.bench.follow_up_figures` (see `--help` for sizes and seed).

It starts a throwaway embedded PostgreSQL in a temporary folder (never your data) and loads a
generated national data set straight into the statistics tables (`followup_stat_*`, as the
daily copy leaves them): 100,000 cases by default over eight years in every municipality and
operation, with their follow-ups answered in realistic proportions. Then, as a national analyst
under the policies, it times the overview the page and the API show:

- the counts (`followup_statistics`, one statement summing the tally the copy keeps; counting
  every organisation's tally afresh, which only a full copy does, is timed once after the load);
- disclosure control of every table (primary and secondary suppression, too detailed);
- both together, which is what a request costs;

against a baseline measured in the same run: one plain scan counting the follow-ups' rows.
It prints p50/p95 and the ratios. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import psycopg
from psycopg import sql
from sqlalchemy import text

from avhopp.bench.throwaway import on_throwaway_database
from avhopp.platform.audit.chain import chain_key
from avhopp.platform.database import (
    RequestContext,
    app_url_for,
    context_session,
    create_app_engine,
    create_owner_engine,
    session_factory,
)
from avhopp.platform.disclosure import Rule
from avhopp.platform.geography.load import load_geography
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.migrate import migrate
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.cases.cases import LATE_AFTER, months_after
from avhopp.tenants.cases.figures import gather, overview_of
from avhopp.tenants.cases.follow_up_schema import CURRENT_SCHEMA, UNKNOWN
from avhopp.tenants.cases.settings import DEFAULT_FOLLOW_UP_MONTHS
from avhopp.tenants.cases.tally import count_again
from avhopp.tenants.cases.vocabulary import ContactSource, Intervention, Phase
from avhopp.tenants.registry.provisioning import demo_tenants, geographic_tenants, provision_tenants

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

FIRST_YEAR_BACK = 8
_DONE_SHARE = 0.85
_ON_TIME_SHARE = 0.8
_UNKNOWN_SHARE = 0.08
_KIND_WEIGHTS = {"municipality": 0.7, "operation": 0.3}
"""Shares of the cases by kind of organisation."""
_CRIME_SHARE = 0.06
"""The chance, at each follow-up, that a case without a known new crime reports its first."""
CASE_COLUMNS = (
    "pseudonym", "tenant_id", "key_id", "tenant_kind", "county_code", "municipality_code", "year_started",
    "contact_source", "needs", "intake_version", "intake_answers", "interventions_received", "phase",
)  # fmt: skip
POINT_COLUMNS = ("pseudonym", "months_after", "tenant_id", "due_month", "done", "on_time", "schema_version", "answers")


@dataclass(frozen=True, slots=True)
class Place:
    """A case-keeping tenant as the statistics name it."""

    tenant_id: uuid.UUID
    kind: str
    municipality_code: str | None
    county_code: str | None


def national_statistics(
    rng: random.Random, places: Sequence[Place], cases: int, today: date
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Rows of `followup_stat_case` and `followup_stat_point` for `cases` cases started over eight years."""
    case_rows: list[tuple[object, ...]] = []
    point_rows: list[tuple[object, ...]] = []
    questions = {question.code: question.answers for question in CURRENT_SCHEMA.follow_up}
    interventions = [intervention.value for intervention in Intervention]
    by_kind: dict[str, list[Place]] = {}
    for place in places:
        by_kind.setdefault(place.kind, []).append(place)
    kinds = sorted(by_kind)
    for number in range(cases):
        # Operations are few and each has many cases: a kind is chosen first, then a place of it.
        place = rng.choice(by_kind[rng.choices(kinds, [_KIND_WEIGHTS.get(kind, 1.0) for kind in kinds])[0]])
        pseudonym = hashlib.sha256(f"{rng.random()}-{number}".encode()).hexdigest()
        started = today - timedelta(days=rng.randint(30, FIRST_YEAR_BACK * 365))
        case_rows.append(
            (
                pseudonym, place.tenant_id, "bench", place.kind, place.county_code, place.municipality_code,
                started.year, rng.choice(list(ContactSource)).value, rng.sample(interventions, rng.randint(1, 4)),
                None, None, rng.sample(interventions, rng.randint(0, 3)),
                rng.choice([Phase.ACUTE, Phase.STABILISING, Phase.COMPLETED]).value,
            )
        )  # fmt: skip
        crime = False
        for months in DEFAULT_FOLLOW_UP_MONTHS:
            due = months_after(started, months)
            done = due + LATE_AFTER < today and rng.random() < _DONE_SHARE
            answers = None
            if done:
                answers = {
                    code: UNKNOWN if rng.random() < _UNKNOWN_SHARE else rng.choice(values[:-1])
                    for code, values in questions.items()
                }
                crime = crime or rng.random() < _CRIME_SHARE
                if answers["new_crime"] != UNKNOWN:
                    answers["new_crime"] = rng.choice(("suspected", "convicted")) if crime else "none_known"
            point_rows.append(
                (
                    pseudonym, months, place.tenant_id, due.replace(day=1), done,
                    done and rng.random() < _ON_TIME_SHARE, CURRENT_SCHEMA.version if done else None,
                    json.dumps(answers) if answers else None,
                )
            )  # fmt: skip
    return case_rows, point_rows


def _places(connection: psycopg.Connection) -> list[Place]:
    counties = {m.code: m.county_code for m in shipped_geography().municipalities}
    rows = connection.execute(
        "SELECT id, kind, municipality_code FROM tenant WHERE kind IN ('municipality', 'operation') ORDER BY slug"
    )
    return [Place(tenant_id, kind, code, counties.get(code) if code else None) for tenant_id, kind, code in rows]


def _load(conninfo: str, cases: int, seed: int, today: date) -> tuple[int, uuid.UUID, uuid.UUID]:
    """The generated statistics, and a national analyst; returns the follow-ups and the analyst's tenant and id."""
    with psycopg.connect(conninfo) as connection, connection.transaction():
        places = _places(connection)
        case_rows, point_rows = national_statistics(random.Random(seed), places, cases, today)
        for table, columns, rows in (
            ("followup_stat_case", CASE_COLUMNS, case_rows),
            ("followup_stat_point", POINT_COLUMNS, point_rows),
        ):
            name = sql.Identifier(table)
            connection.execute(sql.SQL("ALTER TABLE {} NO FORCE ROW LEVEL SECURITY").format(name))
            names = sql.SQL(", ").join(sql.Identifier(column) for column in columns)
            with connection.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(name, names)) as copy:
                for row in rows:
                    copy.write_row(row)
            connection.execute(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(name))
        national = connection.execute("SELECT id FROM tenant WHERE kind = 'national_coordinator'").fetchone()
        assert national is not None  # noqa: S101 - provisioned above
        analyst = uuid.uuid4()
        for table in ("app_user", "membership"):
            connection.execute(sql.SQL("ALTER TABLE {} NO FORCE ROW LEVEL SECURITY").format(sql.Identifier(table)))
        connection.execute("INSERT INTO app_user (id, display_name) VALUES (%s, 'Analytiker (benchmark)')", (analyst,))
        connection.execute(
            "INSERT INTO membership (tenant_id, user_id, roles) VALUES (%s, %s, ARRAY['national_analyst'])",
            (national[0], analyst),
        )
        for table in ("app_user", "membership"):
            connection.execute(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(sql.Identifier(table)))
    with psycopg.connect(conninfo, autocommit=True) as connection:
        for table in ("followup_stat_case", "followup_stat_point"):
            connection.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
    return len(point_rows), national[0], analyst


async def _tally(sessions: async_sessionmaker[AsyncSession]) -> float:
    """Each organisation's tally counted afresh, acting for it as its copy does; returns seconds."""
    started = time.perf_counter()
    async with context_session(sessions, RequestContext()) as session:
        tenants = list(await session.scalars(text("SELECT id FROM tenant ORDER BY slug")))
    for tenant_id in tenants:
        async with context_session(sessions, RequestContext(tenant_id=tenant_id)) as session:
            await count_again(session, tenant_id)
    return time.perf_counter() - started


async def _timed(runs: int, work: Callable[[], Awaitable[object]]) -> list[float]:
    await work()  # warm
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        timings.append(1000 * (time.perf_counter() - started))
    return timings


def _percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def _measure(
    sessions: async_sessionmaker[AsyncSession], national: uuid.UUID, analyst: uuid.UUID, runs: int
) -> dict[str, list[float]]:
    today = datetime.now(STOCKHOLM).date()
    rule = Rule()
    async with context_session(sessions, RequestContext(national, analyst)) as session:

        async def baseline() -> object:
            return await session.scalar(text("SELECT count(*) FROM followup_stat_point"))

        async def counts() -> object:
            return await gather(session, today)

        counted = await gather(session, today)

        async def protected() -> object:
            return overview_of(counted, rule)

        async def overview() -> object:
            return overview_of(await gather(session, today), rule)

        return {
            "baseline: count the follow-ups": await _timed(runs, baseline),
            "counts (followup_statistics)": await _timed(runs, counts),
            "disclosure control": await _timed(runs, protected),
            "national overview (both)": await _timed(runs, overview),
        }


async def _run(owner_url: URL, args: argparse.Namespace) -> None:
    app_url = app_url_for(owner_url, None)
    migrate(owner_url, app_url)
    engine = create_owner_engine(owner_url)
    with engine.begin() as connection:
        load_geography(connection)
        provision_tenants(connection, geographic_tenants() + demo_tenants())
    engine.dispose()
    conninfo = owner_url.set(drivername="postgresql").render_as_string(hide_password=False)
    started = time.perf_counter()
    today = datetime.now(UTC).astimezone(STOCKHOLM).date()
    follow_ups, national, analyst = _load(conninfo, args.cases, args.seed, today)
    print(f"Loaded {args.cases:,} cases ({follow_ups:,} follow-ups) in {time.perf_counter() - started:.1f} s")
    app_engine = create_app_engine(app_url, pool_size=2)
    sessions = session_factory(app_engine, audit_key=chain_key("benchmark-" + uuid.uuid4().hex))
    try:
        print(f"Counted every organisation's tally afresh in {await _tally(sessions):.1f} s (the copy keeps it)")
        figures = await _measure(sessions, national, analyst, args.runs)
    finally:
        await app_engine.dispose()
    print(f"{args.runs} runs per path, {os.cpu_count()} CPUs")
    base_p50, base_p95 = _percentiles(next(iter(figures.values())))
    print(f"{'path':<34}{'p50 ms':>10}{'p95 ms':>10}{'p50 ratio':>12}{'p95 ratio':>12}")
    for name, timings in figures.items():
        p50, p95 = _percentiles(timings)
        print(f"{name:<34}{p50:>10.1f}{p95:>10.1f}{p50 / base_p50:>12.2f}{p95 / base_p95:>12.2f}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=100_000, help="cases nationally")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per path")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    args = _parser().parse_args(argv)
    on_throwaway_database(
        "follow-up-figures",
        f"Avhopp national follow-up overview benchmark: {args.cases:,} cases",
        lambda owner_url, _folder: _run(owner_url, args),
    )


if __name__ == "__main__":
    main()
