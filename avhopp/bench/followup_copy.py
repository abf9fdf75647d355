# The benchmark's output is its purpose: printing is allowed here.
# ruff: noqa: T201, S311 - printing is the point; generated data needs no cryptographic randomness
"""Benchmark of the follow-up statistics copy: a full copy, then copying a day's changes.

Run: `uv run python -m avhopp.bench.followup_copy` (see `--help` for sizes and seed).

It starts a throwaway embedded PostgreSQL in a temporary folder (never your data) and loads the
cases benchmark's generated cases (100,000 nationally by default, with their follow-ups over
eight years; avhopp.bench.cases). Then, as the copy's daily job runs (a session acting for each
case tenant in turn, nobody signed in, under the policies):

- the first copy, which copies every started case (also what a change of secret key costs);
- a day's changes: a share of the started cases get a new entry and their next open follow-up
  closed, written as the owner;
- the copy of that day, timed, with the number of cases it copied;
- a baseline measured in the same run: the same sessions, acting for the same tenants, only
  reading the day's changed cases and their follow-ups (what the copy cannot do without), and
  the ratio of the copy to it.

It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import psycopg
from sqlalchemy import select, text

from avhopp.bench.cases import _TARGET, _Generator, _load, _Tenant
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
from avhopp.platform.geography.load import load_geography
from avhopp.platform.migrate import migrate
from avhopp.tenants.cases.jobs import for_every_case_tenant
from avhopp.tenants.cases.models import CaseFile, FollowUp
from avhopp.tenants.cases.service import CURRENT_SCHEMA, FOLLOW_UP_QUESTIONS
from avhopp.tenants.cases.statistics import OVERLAP, copy_changes
from avhopp.tenants.registry.provisioning import demo_tenants, geographic_tenants, provision_tenants

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

_ANSWERS = json.dumps(dict.fromkeys(FOLLOW_UP_QUESTIONS, "unknown"))


async def _read_changes(session: AsyncSession, tenant_id: UUID, at: datetime) -> int:
    """The baseline's work for one tenant: read its cases changed in the last day and their follow-ups."""
    since = at - timedelta(days=1) - OVERLAP
    cases = list(
        await session.scalars(select(CaseFile).where(CaseFile.tenant_id == tenant_id, CaseFile.last_entry_at >= since))
    )
    ids = [case.id for case in cases]
    if ids:
        await session.execute(select(FollowUp).where(FollowUp.case_id.in_(ids)))
    return len(ids)


async def _baseline(sessions: async_sessionmaker[AsyncSession], at: datetime) -> tuple[int, float]:
    """The day's changed cases and follow-ups read for every case tenant; returns the cases and the seconds."""
    started = time.perf_counter()
    async with context_session(sessions, RequestContext()) as session:
        read = await for_every_case_tenant(session, at, _read_changes)
    return read, time.perf_counter() - started


async def _copy_all(sessions: async_sessionmaker[AsyncSession], at: datetime) -> tuple[int, float]:
    """The daily job's work for every case tenant; returns the cases copied and the seconds it took."""
    started = time.perf_counter()
    async with context_session(sessions, RequestContext()) as session:
        copied = await for_every_case_tenant(session, at, copy_changes)
    return copied, time.perf_counter() - started


def _a_days_changes(owner_url: URL, share: float, at: datetime, seed: int) -> int:
    """A share of the started cases get an entry at `at` and their next open follow-up closed; returns how many."""
    conninfo = owner_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as connection, connection.transaction():
        connection.execute("ALTER TABLE case_file NO FORCE ROW LEVEL SECURITY")
        connection.execute("ALTER TABLE case_follow_up NO FORCE ROW LEVEL SECURITY")
        started = [row[0] for row in connection.execute("SELECT id FROM case_file WHERE started_on IS NOT NULL")]
        changed = random.Random(seed).sample(started, round(len(started) * share))
        connection.execute("UPDATE case_file SET last_entry_at = %s WHERE id = ANY(%s)", (at, changed))
        connection.execute(
            "UPDATE case_follow_up f SET answers = %s::jsonb, schema_version = %s, held_on = %s::date, done_at = %s"
            " FROM (SELECT DISTINCT ON (case_id) id FROM case_follow_up WHERE case_id = ANY(%s) AND done_at IS NULL"
            " ORDER BY case_id, due_on) next WHERE f.id = next.id",
            (_ANSWERS, CURRENT_SCHEMA.version, at, at, changed),
        )
        connection.execute("ALTER TABLE case_file FORCE ROW LEVEL SECURITY")
        connection.execute("ALTER TABLE case_follow_up FORCE ROW LEVEL SECURITY")
    return len(changed)


async def _run(owner_url: URL, args: argparse.Namespace) -> None:
    app_url = app_url_for(owner_url, None)
    migrate(owner_url, app_url)
    secret_key = secrets.token_urlsafe(32)
    engine = create_owner_engine(owner_url)
    with engine.begin() as connection:
        load_geography(connection)
        provision_tenants(connection, geographic_tenants() + demo_tenants())
        tenants = [_Tenant(*row) for row in connection.execute(text("SELECT id, slug, kind FROM tenant"))]
    engine.dispose()

    started = time.perf_counter()
    tables = _Generator(random.Random(args.seed), tenants, secret_key, officers=4).cases(
        args.cases, min(args.cases, max(1, args.cases // 20))
    )
    _load(owner_url, tables)
    follow_ups = len(tables.rows["case_follow_up"])
    print(f"Loaded {args.cases:,} cases ({follow_ups:,} follow-ups) in {time.perf_counter() - started:.1f} s")
    print(f"(of them {min(args.cases, max(1, args.cases // 20)):,} in {_TARGET})")

    app_engine = create_app_engine(app_url, pool_size=2)
    sessions = session_factory(app_engine, audit_key=chain_key(secret_key))
    now = datetime.now(UTC)
    try:
        # Every loaded entry lies before the first copy's mark (and its hour of overlap).
        copied, seconds = await _copy_all(sessions, now + timedelta(hours=2))
        print(f"{'first copy (every started case)':<40}{copied:>10,} cases{seconds:>10.2f} s")
        changed = _a_days_changes(owner_url, args.changed, now + timedelta(hours=12), args.seed)
        copied, seconds = await _copy_all(sessions, now + timedelta(hours=26))
        print(f"{'a day of changes':<40}{changed:>10,} cases changed")
        print(f"{'copy of a day of changes':<40}{copied:>10,} cases{seconds:>10.2f} s")
        per_case = 1000 * seconds / copied if copied else 0.0
        print(f"{'per copied case':<40}{per_case:>20.2f} ms")
        read, base = await _baseline(sessions, now + timedelta(hours=26))
        print(f"{'baseline: read the changes only':<40}{read:>10,} cases{base:>10.2f} s")
        print(f"{'copy / baseline':<40}{seconds / base if base else 0.0:>20.2f}")
    finally:
        await app_engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=100_000, help="cases nationally")
    parser.add_argument("--changed", type=float, default=0.02, help="share of the started cases changed in the day")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    args = _parser().parse_args(argv)
    on_throwaway_database(
        "followup-copy",
        f"Avhopp follow-up statistics copy benchmark: {args.cases:,} cases",
        lambda owner_url, _folder: _run(owner_url, args),
    )


if __name__ == "__main__":
    main()
