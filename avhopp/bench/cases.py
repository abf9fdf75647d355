# The benchmark's output is its purpose: printing is allowed here.
# ruff: noqa: T201, S311 - printing is the point; generated data needs no cryptographic randomness
"""Benchmark of cases: opening a case and listing "my cases" through the API, and what row-level security costs.

Run: `uv run python -m avhopp.bench.cases` (see `--help` for sizes and seed).

It starts a throwaway embedded PostgreSQL in a temporary folder (never your data) and loads
100,000 cases nationally, 5,000 of them in Göteborg's social services, with their people (sealed),
teams, consents and grants (some revoked, some ended, some shared with Göteborg and joined) and
follow-ups, by COPY as the owner (forced row-level security is lifted on the loaded tables for the
load and forced again after). Then it times the two use cases, each as officers of Göteborg:

- through the JSON API, in-process, with a real session (the app's test sign-in, which needs a
  `.test` address: this app is the benchmark's own and serves nobody);
- through the service layer, as the runtime role under the policies, and as the owner with the
  policies lifted;
- as the bare statements of the service layer, under the policies and without them.

It prints p50/p95 and the ratios to the bare statements without policies, measured in the same
run. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import secrets
import statistics
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from sqlalchemy import text

from avhopp.app import build_app
from avhopp.bench.serving import in_process
from avhopp.bench.throwaway import hold_periodic_jobs, on_throwaway_database
from avhopp.platform.audit.chain import chain_key
from avhopp.platform.auth.sign_in_for_tests import TEST_SIGN_IN_PATH
from avhopp.platform.database import (
    RequestContext,
    app_url_for,
    context_session,
    create_app_engine,
    create_owner_engine,
    session_factory,
)
from avhopp.platform.geography.load import load_geography
from avhopp.platform.idp import ensure_identity_provider
from avhopp.platform.migrate import migrate
from avhopp.platform.settings import load_settings
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.cases.cases import months_after
from avhopp.tenants.cases.person import sealed_person
from avhopp.tenants.cases.service import (
    CURRENT_SCHEMA,
    FOLLOW_UP_QUESTIONS,
    Actor,
    Category,
    ContactSource,
    EndReason,
    Intake,
    Intervention,
    PersonDetails,
    Phase,
    TargetGroup,
    case_for_actor,
    my_cases,
)
from avhopp.tenants.cases.settings import DEFAULT_FOLLOW_UP_MONTHS
from avhopp.tenants.registry.provisioning import demo_tenants, geographic_tenants, provision_tenants

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence
    from pathlib import Path

    from litestar import Litestar
    from sqlalchemy import TextClause
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# The test sign-in opens only on the reserved .test domain.
_PUBLIC_URL = "https://benchmark.test"
_TARGET = "kommun-1480"
_CASE_OWNER_KINDS = ("municipality", "operation")
_GRANTEE_KINDS = ("operation", "other_authority")
_OFFICERS_ELSEWHERE = 3
_PHASES = (
    (Phase.DRAFT, 0.08),
    (Phase.ACUTE, 0.12),
    (Phase.STABILISING, 0.18),
    (Phase.LONG_TERM, 0.22),
    (Phase.COMPLETED, 0.28),
    (Phase.ENDED_EARLY, 0.12),
)
_CONSENT_SHARE = 0.3
_REVOKED_SHARE = 0.15
_JOINED_SHARE = 0.5
_SHARED_WITH_TARGET_SHARE = 0.02
_FOLLOW_UP_DONE_SHARE = 0.85
_FIRST_YEAR = 2018
_NAMES = ("Adam", "Bilal", "Cecilia", "Dana", "Emil", "Fatima", "Gustav", "Hanna", "Ismail", "Johanna")
_SURNAMES = ("Andersson", "Berg", "Carlsson", "Demir", "Ek", "Falk", "Gül", "Holm", "Ibrahim", "Jansson")
_ANSWERS = json.dumps(dict.fromkeys(FOLLOW_UP_QUESTIONS, "unknown"))

# The bare statements of the two use cases, as the service layer runs them (access.case_for_actor,
# cases.my_cases and its next follow-ups).
_OPEN_SQL = (
    text("SELECT * FROM case_file WHERE id = :case"),
    text("SELECT role FROM case_team WHERE case_id = :case AND user_id = :user AND tenant_id = :tenant"),
)
_MINE_SQL = text(
    "SELECT c.*, t.role, p.initials FROM case_file c JOIN case_team t ON t.case_id = c.id"
    " LEFT OUTER JOIN case_person p ON p.case_id = c.id"
    " WHERE t.user_id = :user AND t.tenant_id = :tenant ORDER BY c.opened_at DESC"
)
_DUE_SQL = text(
    "SELECT case_id, min(due_on) FROM case_follow_up WHERE case_id = ANY(:ids) AND done_at IS NULL GROUP BY case_id"
)
_LOADED = (
    "app_user",
    "membership",
    "case_file",
    "case_person",
    "case_team",
    "case_consent",
    "case_grant",
    "case_follow_up",
)


@dataclass
class Tables:
    """Generated rows per table, in the column order of `_COLUMNS`."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(list))
    officers: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=lambda: defaultdict(list))
    """Göteborg's officers and the cases of Göteborg whose team they are on."""


_COLUMNS = {
    "app_user": ("id", "display_name"),
    "membership": ("tenant_id", "user_id", "roles"),
    "case_file": (
        *("id", "tenant_id", "year", "seq", "phase", "contact_source", "affiliation", "needs", "end_reason"),
        *("opened_at", "opened_by", "started_on", "closed_at", "last_entry_at"),
    ),
    "case_person": ("case_id", "tenant_id", "initials", "identity_sealed", "intake_sealed"),
    "case_team": ("case_id", "user_id", "tenant_id", "role"),
    "case_consent": (
        *("id", "case_id", "tenant_id", "organisations", "contributors", "categories", "purpose"),
        *("valid_from", "valid_until", "witnessed_by", "recorded_by", "revoked_at", "revoked_by"),
    ),
    "case_grant": (
        *("id", "consent_id", "case_id", "owner_tenant_id", "tenant_id", "categories", "contributes"),
        *("valid_from", "valid_until", "revoked_at"),
    ),
    "case_follow_up": (
        *("case_id", "tenant_id", "months_after", "due_on", "answers", "schema_version", "held_on", "done_at"),
        "done_by",
    ),
}


@dataclass(frozen=True, slots=True)
class _Tenant:
    id: uuid.UUID
    slug: str
    kind: str


class _Generator:
    """Cases in realistic proportions: most closed or long-running, a third shared under consent."""

    def __init__(self, rng: random.Random, tenants: list[_Tenant], secret_key: str, officers: int) -> None:
        self.rng = rng
        self.secret_key = secret_key
        self.tables = Tables()
        self.now = datetime.now(UTC)
        self.today = self.now.astimezone(STOCKHOLM).date()
        self.target = next(tenant for tenant in tenants if tenant.slug == _TARGET)
        self.owners = [t for t in tenants if t.kind in _CASE_OWNER_KINDS and t != self.target]
        self.grantees = [t for t in tenants if t.kind in _GRANTEE_KINDS]
        self.staff: dict[uuid.UUID, list[uuid.UUID]] = {}
        for tenant in sorted({*self.owners, *self.grantees, self.target}, key=lambda tenant: tenant.slug):
            count = officers if tenant == self.target else _OFFICERS_ELSEWHERE
            role = "security_officer" if tenant.kind == "other_authority" else "case_officer"
            self.staff[tenant.id] = [self._person(tenant, role) for _ in range(count)]
        self.sequence: dict[tuple[uuid.UUID, int], int] = defaultdict(int)

    def _id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _person(self, tenant: _Tenant, role: str) -> uuid.UUID:
        user_id = self._id()
        self.tables.rows["app_user"].append((user_id, f"Handläggare {user_id.hex[:6]}"))
        self.tables.rows["membership"].append((tenant.id, user_id, [role]))
        return user_id

    def cases(self, total: int, in_target: int) -> Tables:
        for number in range(in_target):
            staff = self.staff[self.target.id]
            # Every officer carries an equal share: responsible for some, deputy for as many.
            responsible, deputy = staff[number % len(staff)], staff[(number + len(staff) // 2 + 1) % len(staff)]
            self._case(self.target, responsible, deputy)
        for _ in range(total - in_target):
            owner = self.rng.choice(self.owners)
            responsible, deputy = self.rng.sample(self.staff[owner.id], 2)
            self._case(owner, responsible, deputy)
        return self.tables

    def _case(self, tenant: _Tenant, responsible: uuid.UUID, deputy: uuid.UUID) -> None:
        rng, rows = self.rng, self.tables.rows
        case_id = self._id()
        phase = rng.choices([phase for phase, _ in _PHASES], [weight for _, weight in _PHASES])[0]
        age = rng.randint(1, 60) if phase == Phase.DRAFT else rng.randint(30, (self.today.year - _FIRST_YEAR) * 365)
        opened_at = self.now - timedelta(days=age, seconds=rng.randint(0, 86_400))
        year = opened_at.astimezone(STOCKHOLM).year
        self.sequence[tenant.id, year] += 1
        started_on = None if phase == Phase.DRAFT else opened_at.date() + timedelta(days=rng.randint(3, 25))
        closed_at = None
        if phase in {Phase.COMPLETED, Phase.ENDED_EARLY} and started_on is not None:
            closed_at = max(opened_at, self.now - timedelta(days=rng.randint(1, max(1, age - 30))))
        rows["case_file"].append(
            (
                *(case_id, tenant.id, year, self.sequence[tenant.id, year], phase.value),
                rng.choice(list(ContactSource)).value,
                rng.choice([None, *TargetGroup]),
                [need.value for need in rng.sample(list(Intervention), rng.randint(1, 4))],
                rng.choice([reason for reason in EndReason if reason != EndReason.RELAPSE])
                if phase == Phase.ENDED_EARLY
                else None,
                *(opened_at, responsible, started_on, closed_at, closed_at or opened_at),
            )
        )
        name = f"{rng.choice(_NAMES)} {rng.choice(_SURNAMES)}"
        person = sealed_person(self.secret_key, case_id, tenant.id, PersonDetails(name=name), Intake())
        rows["case_person"].append((case_id, tenant.id, person.initials, person.identity_sealed, person.intake_sealed))
        rows["case_team"] += [(case_id, responsible, tenant.id, "responsible"), (case_id, deputy, tenant.id, "deputy")]
        if tenant == self.target:
            self.tables.officers[responsible].append(case_id)
            self.tables.officers[deputy].append(case_id)
        if started_on is not None:
            self._follow_ups(case_id, tenant, started_on, responsible)
        if rng.random() < _CONSENT_SHARE:
            self._consent(case_id, tenant, opened_at.date(), responsible)

    def _follow_ups(self, case_id: uuid.UUID, tenant: _Tenant, started_on: date, officer: uuid.UUID) -> None:
        for months in DEFAULT_FOLLOW_UP_MONTHS:
            due_on = months_after(started_on, months)
            done = due_on < self.today and self.rng.random() < _FOLLOW_UP_DONE_SHARE
            done_at = datetime.combine(due_on, clock(10), tzinfo=UTC) + timedelta(days=self.rng.randint(0, 20))
            self.tables.rows["case_follow_up"].append(
                (case_id, tenant.id, months, due_on, _ANSWERS if done else None,
                 CURRENT_SCHEMA.version if done else None, done_at.date() if done else None,
                 done_at if done else None, officer if done else None)
            )  # fmt: skip

    def _consent(self, case_id: uuid.UUID, tenant: _Tenant, since: date, officer: uuid.UUID) -> None:
        rng = self.rng
        organisations = rng.sample([t for t in self.grantees if t != tenant], rng.randint(1, 2))
        if tenant != self.target and rng.random() < _SHARED_WITH_TARGET_SHARE / _CONSENT_SHARE:
            organisations.append(self.target)
        categories = sorted(c.value for c in rng.sample(list(Category), rng.randint(1, len(Category))))
        contributors = [t.id for t in organisations if rng.random() < _JOINED_SHARE]
        valid_from, valid_until = since, since + timedelta(days=rng.randint(365, 3 * 365))
        revoked_at = self.now - timedelta(days=rng.randint(1, 300)) if rng.random() < _REVOKED_SHARE else None
        consent_id = self._id()
        self.tables.rows["case_consent"].append(
            (
                *(consent_id, case_id, tenant.id, [t.id for t in organisations], contributors, categories),
                *("Samordning av stöd och skydd", valid_from, valid_until, "Handläggaren och personen"),
                *(officer, revoked_at, officer if revoked_at else None),
            )
        )
        for organisation in organisations:
            self.tables.rows["case_grant"].append(
                (
                    *(self._id(), consent_id, case_id, tenant.id, organisation.id, categories),
                    organisation.id in contributors,
                    *(_midnight(valid_from), _midnight(valid_until), revoked_at),
                )
            )
            running = revoked_at is None and valid_until > self.today
            if running and rng.random() < _JOINED_SHARE:
                member = rng.choice(self.staff[organisation.id])
                self.tables.rows["case_team"].append((case_id, member, organisation.id, "member"))
                if organisation == self.target:
                    self.tables.officers[member].append(case_id)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, clock(), tzinfo=STOCKHOLM).astimezone(UTC)


def _load(owner_url: URL, tables: Tables) -> None:
    """COPY every table as the owner; forced row-level security is lifted for the load only."""
    conninfo = owner_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as connection, connection.transaction():
        for table in _LOADED:
            name = sql.Identifier(table)
            connection.execute(sql.SQL("ALTER TABLE {} NO FORCE ROW LEVEL SECURITY").format(name))
            columns = sql.SQL(", ").join(sql.Identifier(column) for column in _COLUMNS[table])
            with connection.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(name, columns)) as copy:
                for row in tables.rows[table]:
                    copy.write_row(row)
            connection.execute(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(name))
    with psycopg.connect(conninfo, autocommit=True) as connection:
        for table in _LOADED:
            # Vacuumed now, so that no autovacuum of the load runs while one of the paths is timed.
            connection.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))


def _lift_policies(owner_url: URL, *, lifted: bool) -> None:
    """Make the owner bypass row-level security (as a table's owner does unless it is forced), or not."""
    conninfo = owner_url.set(drivername="postgresql").render_as_string(hide_password=False)
    change = sql.SQL("NO FORCE" if lifted else "FORCE")
    with psycopg.connect(conninfo) as connection, connection.transaction():
        forced_or_not = connection.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
            " AND relrowsecurity"
        ).fetchall()
        for (table,) in forced_or_not:
            connection.execute(sql.SQL("ALTER TABLE {} {} ROW LEVEL SECURITY").format(sql.Identifier(table), change))


@dataclass(frozen=True, slots=True)
class Probe:
    """One officer of Göteborg and one of the cases on their team."""

    actor: Actor
    case_id: uuid.UUID


def probes(tables: Tables, tenant_id: uuid.UUID, count: int, signed_in: int, seed: int) -> list[Probe]:
    """`count` probes spread over `signed_in` officers, grouped by officer (one sign-in each)."""
    rng = random.Random(seed + 1)
    officers = rng.sample(sorted(tables.officers), min(signed_in, len(tables.officers)))
    runs = []
    for number in range(count):
        officer = officers[number * len(officers) // count]
        runs.append(Probe(Actor(tenant_id, officer), rng.choice(tables.officers[officer])))
    return runs


async def _timed(run: Callable[[Probe], Awaitable[float | None]], runs: Sequence[Probe]) -> list[float]:
    timings = []
    for probe in runs:
        started = time.perf_counter()
        inner = await run(probe)
        timings.append(inner if inner is not None else (time.perf_counter() - started) * 1000)
    return timings


def _percentiles(timings: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(timings, n=20, method="inclusive")
    return statistics.median(timings), cuts[18]


async def explain(sessions: async_sessionmaker[AsyncSession], probe: Probe) -> None:
    """Print the plans of the two use cases' statements under the policies, for one probe."""
    context = RequestContext(tenant_id=probe.actor.tenant_id, user_id=probe.actor.user_id)
    values = {"case": probe.case_id, "user": probe.actor.user_id, "tenant": probe.actor.tenant_id}
    async with context_session(sessions, context) as session:
        ids = [row.id for row in (await session.execute(_MINE_SQL, values)).all()]
        statements: list[tuple[TextClause, dict[str, Any]]] = [(statement, values) for statement in _OPEN_SQL]
        statements += [(_MINE_SQL, values), (_DUE_SQL, {"ids": ids})]
        for statement, bound in statements:
            plan = await session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {statement.text}"), bound)
            print(f"\n{statement.text}")
            print("\n".join(row[0] for row in plan))


class _Paths:
    """The ways of running the two use cases, each returning its time in ms when it times itself."""

    def __init__(self, policed: async_sessionmaker[AsyncSession], unpoliced: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = {True: policed, False: unpoliced}

    def service(self, *, policies: bool, mine: bool) -> Callable[[Probe], Awaitable[float | None]]:
        async def run(probe: Probe) -> None:
            context = RequestContext(tenant_id=probe.actor.tenant_id, user_id=probe.actor.user_id)
            async with context_session(self.sessions[policies], context) as session:
                if mine:
                    await my_cases(session, probe.actor)
                else:
                    await case_for_actor(session, probe.actor, probe.case_id)

        return run

    def statements(self, *, policies: bool, mine: bool) -> Callable[[Probe], Awaitable[float | None]]:
        async def run(probe: Probe) -> float:
            context = RequestContext(tenant_id=probe.actor.tenant_id, user_id=probe.actor.user_id)
            values = {"case": probe.case_id, "user": probe.actor.user_id, "tenant": probe.actor.tenant_id}
            async with context_session(self.sessions[policies], context) as session:
                await session.execute(text("SELECT 1"))  # BEGIN and the context, outside the timing
                started = time.perf_counter()
                if mine:
                    ids = [row.id for row in (await session.execute(_MINE_SQL, values)).all()]
                    (await session.execute(_DUE_SQL, {"ids": ids})).all()
                else:
                    for statement in _OPEN_SQL:
                        (await session.execute(statement, values)).all()
                return (time.perf_counter() - started) * 1000

        return run


async def _through_api(app: Litestar, runs: list[Probe], *, mine: bool) -> list[float]:
    timings: list[float] = []
    async with in_process(app, _PUBLIC_URL) as client:
        for officer in dict.fromkeys(probe.actor.user_id for probe in runs):
            signed = await client.post(TEST_SIGN_IN_PATH, data={"user_id": str(officer)})
            signed.raise_for_status()
            own = [probe for probe in runs if probe.actor.user_id == officer]

            async def call(probe: Probe) -> None:
                path = "/api/v1/cases" if mine else f"/api/v1/cases/{probe.case_id}"
                response = await client.get(path, headers={"accept": "application/json"})
                response.raise_for_status()

            await _timed(call, own[:3])  # warm up the session's caches
            timings += await _timed(call, own)
    return timings


_ROUNDS = 50


async def _measure(
    app: Litestar,
    policed: async_sessionmaker[AsyncSession],
    unpoliced: async_sessionmaker[AsyncSession],
    runs: list[Probe],
    owner_url: URL,
) -> dict[str, dict[str, tuple[float, float]]]:
    """Each path's timings; with and without policies take turns in rounds, so that neither has the quieter machine."""
    paths = _Paths(policed, unpoliced)
    timings: dict[tuple[str, str], list[float]] = defaultdict(list)
    use_cases = (("open a case", False), ("my cases", True))
    for round_ in range(_ROUNDS):
        share = runs[round_::_ROUNDS]
        for policies in (True, False):
            _lift_policies(owner_url, lifted=not policies)
            try:
                for use_case, mine in use_cases:
                    for layer, path in (
                        ("SQL", paths.statements(policies=policies, mine=mine)),
                        ("service", paths.service(policies=policies, mine=mine)),
                    ):
                        name = f"{layer}, policies" if policies else f"{layer}, owner, no policies"
                        await _timed(path, share[:5])  # plans again after the policies changed
                        timings[use_case, name] += await _timed(path, share)
            finally:
                _lift_policies(owner_url, lifted=False)
    for use_case, mine in use_cases:
        timings[use_case, "API"] = await _through_api(app, runs, mine=mine)
    return {
        use_case: {name: _percentiles(values) for (case, name), values in timings.items() if case == use_case}
        for use_case, _mine in use_cases
    }


_ORDER = ("SQL, owner, no policies", "SQL, policies", "service, owner, no policies", "service, policies", "API")


def report(figures: dict[str, dict[str, tuple[float, float]]], runs: int) -> None:
    """Print each use case's p50/p95 per path and the ratios to the bare statements without policies."""
    print(f"{runs} probes per path, {os.cpu_count()} CPUs")
    for use_case, paths in figures.items():
        base_p50, base_p95 = paths[_ORDER[0]]
        print(f"\n{use_case}")
        print(f"{'path':<30}{'p50 ms':>10}{'p95 ms':>10}{'p50 ratio':>12}{'p95 ratio':>12}")
        for name in _ORDER:
            p50, p95 = paths[name]
            print(f"{name:<30}{p50:>10.2f}{p95:>10.2f}{p50 / base_p50:>12.2f}{p95 / base_p95:>12.2f}")
    print("\nrow-level security (policies / owner without policies, p50 and p95)")
    for use_case, paths in figures.items():
        for layer in ("SQL", "service"):
            with_p50, with_p95 = paths[f"{layer}, policies"]
            without_p50, without_p95 = paths[f"{layer}, owner, no policies"]
            print(f"{use_case + ', ' + layer:<30}{with_p50 / without_p50:>10.2f}{with_p95 / without_p95:>10.2f}")


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
    settings = dataclasses.replace(settings, test_sign_in=True)
    engine = create_owner_engine(owner_url)
    with engine.begin() as connection:
        load_geography(connection)
        provision_tenants(connection, geographic_tenants() + demo_tenants())
        ensure_identity_provider(connection, settings, [])
        hold_periodic_jobs(connection)
        tenants = [_Tenant(*row) for row in connection.execute(text("SELECT id, slug, kind FROM tenant"))]
    engine.dispose()

    started = time.perf_counter()
    generator = _Generator(random.Random(args.seed), tenants, settings.secret_key, args.officers)
    tables = generator.cases(args.cases, args.tenant_cases)
    _load(owner_url, tables)
    counts = ", ".join(f"{len(tables.rows[table]):,} {table}" for table in _LOADED[2:])
    print(f"Loaded {counts} in {time.perf_counter() - started:.1f} s")
    mine = statistics.mean(len(cases) for cases in tables.officers.values())
    print(f"{args.tenant_cases:,} cases in {_TARGET}, {len(tables.officers)} officers there, {mine:.0f} cases each")

    runs = probes(tables, generator.target.id, args.probes, args.signed_in, args.seed)
    app_engine = create_app_engine(app_url, pool_size=4)
    owner_engine = create_app_engine(owner_url, pool_size=4)
    try:
        if args.explain:
            await explain(session_factory(app_engine, audit_key=chain_key(settings.secret_key)), runs[0])
        figures = await _measure(
            build_app(settings, app_url),
            session_factory(app_engine, audit_key=chain_key(settings.secret_key)),
            session_factory(owner_engine, audit_key=chain_key(settings.secret_key)),
            runs=runs,
            owner_url=owner_url,
        )
    finally:
        await app_engine.dispose()
        await owner_engine.dispose()
    report(figures, len(runs))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=100_000, help="cases nationally")
    parser.add_argument("--tenant-cases", type=int, default=5_000, help="of them, cases of Göteborg's social services")
    parser.add_argument("--officers", type=int, default=100, help="case officers in Göteborg")
    parser.add_argument("--probes", type=int, default=1_500, help="calls timed per path and use case")
    parser.add_argument("--signed-in", type=int, default=10, help="officers the probes are spread over")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument("--explain", action="store_true", help="print the statements' plans under the policies first")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    args = _parser().parse_args(argv)
    on_throwaway_database(
        "cases",
        f"Avhopp cases benchmark: {args.cases:,} cases",
        lambda owner_url, folder: _run(owner_url, folder, args),
    )


if __name__ == "__main__":
    main()
