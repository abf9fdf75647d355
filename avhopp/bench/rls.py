# The benchmark's output is its purpose: printing is allowed here.
# ruff: noqa: T201 - printing is the point
"""Benchmark of row-level security: what the policies cost on every table that has them.

Run: `uv run python -m avhopp.bench.rls` (see `--help` for sizes; `--database-url` for a server).

It migrates a throwaway database (an embedded PostgreSQL in a temporary folder, or a new database
on the server given, dropped after) and finds every table in `public` with row-level security.
Each gets generated rows for several tenants, filled by column type as the owner; the throwaway
copy drops its check and foreign-key constraints and disables its triggers for that, since the
rows only have to exist, not to make sense. Then, for one tenant, it times three queries per table:

- the count of the tenant's rows;
- a page of 50 ordered by the primary key;
- one row fetched by its primary key;

as the runtime role under the policies (tenant and user set by `set_config` in the transaction, as
the app does), and as the owner without policies in two ways: with `WHERE tenant_id = ...` written
out (the target's baseline), and with the policies' own predicate written out as the WHERE (the
query an application without row-level security would have to send for the same rows; the owner's
sub-selects on other tables then skip those tables' policies). It prints p50/p95 of the three
together each way and the ratios, flags a table above 1.2x against the tenant baseline, and
counts the tables above 1.2x against the same predicate (what row-level security itself costs).

The person is on `--cases` of the tenant's generated cases, and every table with a case_id names
the tenant's cases (one row per case and table), so the case team's policies find rows to show.
The audit trail's rows name their tenant's chain, numbered from 1, as its check constraint and
the writer have them, so its policy, which reads by chain, finds the tenant's rows. Each tenant
runs `--spaces` network spaces (20), and the rows of every network table lie in their tenant's.
Policies that ask more than the tenant (a case team, a grant) may see fewer rows than the owner's
WHERE; the row counts are printed too. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from avhopp.platform.audit.chain import PLATFORM_CHAIN
from avhopp.platform.database import app_url_for, create_owner_engine
from avhopp.platform.embedded import embedded_postgres
from avhopp.platform.geography.load import load_geography
from avhopp.platform.logs import configure_logging
from avhopp.platform.migrate import migrate
from avhopp.tenants.registry.provisioning import demo_tenants, geographic_tenants, provision_tenants

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

TARGET_RATIO = 1.2
_PAGE = 50

# A generated value per column type; the tenant and user columns are chosen apart (see `_value`).
_BY_TYPE = {
    "uuid": "gen_random_uuid()",
    "text": "md5(random()::text)",
    "character varying": "left(md5(random()::text), {length})",
    "boolean": "random() < 0.5",
    "smallint": "(random() * 100)::smallint",
    "integer": "(random() * 1000000)::integer",
    "bigint": "(random() * 1000000000)::bigint",
    "numeric": "round((random() * 9)::numeric, 2)",
    "date": "current_date - (random() * 3650)::integer",
    "timestamp with time zone": "now() - random() * interval '3650 days'",
    "jsonb": "'{}'::jsonb",
    "tsvector": "to_tsvector('simple', md5(random()::text))",
    "bytea": "decode(md5(random()::text), 'hex')",
}


@dataclass(frozen=True, slots=True)
class Column:
    """A column the filler must give a value (it has no default, or is a tenant or user)."""

    name: str
    type: str
    length: int | None


@dataclass(frozen=True, slots=True)
class Table:
    """A table with row-level security, its primary key and the column that names a row's tenant."""

    name: str
    key: tuple[str, ...]
    scope: str | None
    columns: tuple[Column, ...]


@dataclass(frozen=True, slots=True)
class Figures:
    """One table's timings (ms, the three queries together) and the rows each side counted."""

    policies: tuple[float, float]
    owner: tuple[float, float]
    same: tuple[float, float]
    rows_policies: int
    rows_owner: int

    @property
    def same_ratio(self) -> float:
        """Under the policies / the owner with the policies' predicate written out, at p50."""
        return self.policies[0] / self.same[0]

    @property
    def ratio(self) -> float:
        """Under the policies / without them, at p50."""
        return self.policies[0] / self.owner[0]


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def policed_tables(connection: psycopg.Connection[Any]) -> list[Table]:
    """Every table in `public` with row-level security, as the catalogue describes it."""
    names = connection.execute(
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
        " AND relrowsecurity ORDER BY relname"
    ).fetchall()
    tables = []
    for (name,) in names:
        key = connection.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
            " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary"
            " ORDER BY array_position(i.indkey::int2[], a.attnum)",
            (name,),
        ).fetchall()
        columns = connection.execute(
            "SELECT attname, format_type(atttypid, NULL), NULLIF(atttypmod, -1) - 4, atthasdef,"
            " attname LIKE '%%tenant_id' OR attname = 'user_id' FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped"
            " AND attgenerated = '' AND attidentity = '' ORDER BY attnum",
            (name,),
        ).fetchall()
        names_ = {column[0] for column in columns}
        scope = "tenant_id" if "tenant_id" in names_ else "user_id" if "user_id" in names_ else None
        tables.append(
            Table(
                name=name,
                key=tuple(column for (column,) in key),
                scope=scope,
                columns=tuple(
                    Column(column, type_, length)
                    for column, type_, length, has_default, chosen in columns
                    if chosen or not has_default
                ),
            )
        )
    return tables


def _value(column: Column) -> sql.Composable:
    """The SQL that generates one value of `column`; `g` is the row number, `%(tenants)s` the tenants."""
    if column.name.endswith("tenant_id"):
        return sql.SQL("(%(tenants)s::uuid[])[1 + g %% cardinality(%(tenants)s::uuid[])]")
    if column.name == "user_id":
        return sql.SQL("(%(users)s::uuid[])[1 + g %% cardinality(%(users)s::uuid[])]")
    if column.type.endswith("[]"):
        return sql.SQL("'{{}}'::{}").format(sql.SQL(column.type))  # an empty array
    template = _BY_TYPE.get(column.type)
    if template is None:
        msg = f"no generated value for {column.type} ({column.name})"
        raise ValueError(msg)
    return sql.SQL(template.replace("{length}", str(column.length or 1)))


def prepare_for_filling(connection: psycopg.Connection[Any], tables: list[Table]) -> None:
    """Drop the check and foreign-key constraints of the throwaway copy and disable its triggers."""
    constraints = connection.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint"
        " WHERE connamespace = 'public'::regnamespace AND contype IN ('c', 'f')"
        " ORDER BY contype DESC"  # foreign keys first
    ).fetchall()
    for table, name in constraints:
        connection.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}").format(sql.Identifier(table), sql.Identifier(name))
        )
    for table in tables:
        name = sql.Identifier(table.name)
        connection.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(name))
        # The owner is bound by forced row-level security; here it loads, and later it is the baseline.
        connection.execute(sql.SQL("ALTER TABLE {} NO FORCE ROW LEVEL SECURITY").format(name))


def fill(connection: psycopg.Connection[Any], table: Table, rows: int, tenants: list[str], users: list[str]) -> None:
    """`rows` generated rows, spread evenly over the tenants; rows that collide on a unique key are skipped."""
    statement = sql.SQL("INSERT INTO {} ({}) SELECT {} FROM generate_series(0, %(last)s) AS g ON CONFLICT DO NOTHING")
    connection.execute(
        statement.format(
            sql.Identifier(table.name),
            sql.SQL(", ").join(sql.Identifier(column.name) for column in table.columns),
            sql.SQL(", ").join(_value(column) for column in table.columns),
        ),
        {"last": rows - 1, "tenants": tenants, "users": users},
    )


def assign_cases(connection: psycopg.Connection[Any], tables: list[Table], tenant: str, user: str, cases: int) -> None:
    """Every case_id names one of its tenant's cases, and the person is on `cases` of the tenant's.

    Generated case ids match nothing, which made the case team's policies compare empty sets.
    Each tenant's rows take its case_file ids in order, one row per case and table, as a case's
    record would; of the probe tenant's team rows, the first `cases` are the person's.
    """
    for table in tables:
        if table.name == "case_file" or not any(column.name == "case_id" for column in table.columns):
            continue
        connection.execute(
            sql.SQL(
                "WITH f AS (SELECT id, tenant_id, row_number() OVER (PARTITION BY tenant_id ORDER BY id) AS n"
                " FROM case_file), r AS (SELECT ctid AS row, tenant_id, row_number() OVER"
                " (PARTITION BY tenant_id ORDER BY ctid) AS n FROM {table})"
                " UPDATE {table} SET case_id = f.id FROM r JOIN f USING (tenant_id, n) WHERE {table}.ctid = r.row"
            ).format(table=sql.Identifier(table.name))
        )
    connection.execute(
        "WITH r AS (SELECT ctid AS row, row_number() OVER (ORDER BY case_id) AS n FROM case_team"
        " WHERE tenant_id = %(tenant)s) UPDATE case_team SET user_id = CASE WHEN r.n <= %(cases)s"
        " THEN %(user)s::uuid ELSE gen_random_uuid() END FROM r WHERE case_team.ctid = r.row",
        {"tenant": tenant, "user": user, "cases": cases},
    )


def align_audit_chains(connection: psycopg.Connection[Any]) -> None:
    """Each audit row in its tenant's chain (the id as text), numbered from 1 in the chain."""
    connection.execute(
        "WITH r AS (SELECT ctid AS row, row_number() OVER (PARTITION BY tenant_id ORDER BY ctid) AS n"
        " FROM audit_event) UPDATE audit_event SET chain = coalesce(tenant_id::text, %(platform)s), seq = r.n"
        " FROM r WHERE audit_event.ctid = r.row",
        {"platform": PLATFORM_CHAIN},
    )


def gather_in_spaces(connection: psycopg.Connection[Any], tables: list[Table], spaces: int) -> None:
    """Each tenant runs `spaces` network spaces, and every row of a network table is in one of its tenant's.

    Generated space ids match nothing, and a county board runs a handful of networks, not thousands:
    policies that read a space's rows by its key would otherwise compare against every row's own.
    """
    connection.execute(
        "WITH r AS (SELECT ctid AS row, row_number() OVER (PARTITION BY tenant_id ORDER BY id) AS n"
        " FROM network_space) DELETE FROM network_space USING r WHERE network_space.ctid = r.row AND r.n > %s",
        (spaces,),
    )
    for table in tables:
        # A key with the space in it (a follow: one person, one space) keeps its generated spaces.
        if "space_id" in table.key or not any(column.name == "space_id" for column in table.columns):
            continue
        connection.execute(
            sql.SQL(
                "WITH s AS (SELECT id, tenant_id, row_number() OVER (PARTITION BY tenant_id ORDER BY id) AS n"
                " FROM network_space), r AS (SELECT ctid AS row, tenant_id, 1 + row_number() OVER"
                " (PARTITION BY tenant_id ORDER BY ctid) %% %(spaces)s AS n FROM {table})"
                " UPDATE {table} SET space_id = s.id FROM r JOIN s USING (tenant_id, n) WHERE {table}.ctid = r.row"
            ).format(table=sql.Identifier(table.name)),
            {"spaces": spaces},
        )


def access_predicate(connection: psycopg.Connection[Any], table: str, role: str) -> sql.Composable:
    """The runtime role's read policies on `table` as one predicate: permissive ones ORed, restrictive ANDed."""
    rows = connection.execute(
        "SELECT permissive = 'PERMISSIVE', qual FROM pg_policies WHERE schemaname = 'public' AND tablename = %s"
        " AND cmd IN ('SELECT', 'ALL') AND roles && ARRAY['public', %s]::name[] AND qual IS NOT NULL",
        (table, role),
    ).fetchall()
    either = [sql.SQL("({})").format(sql.SQL(qual)) for permissive, qual in rows if permissive]
    every = [sql.SQL("({})").format(sql.SQL(qual)) for permissive, qual in rows if not permissive]
    permitted = sql.SQL("({})").format(sql.SQL(" OR ").join(either)) if either else sql.SQL("false")
    return sql.SQL(" AND ").join([permitted, *every])


@dataclass(frozen=True, slots=True)
class _Queries:
    count: sql.Composed
    page: sql.Composed
    one: sql.Composed


def _queries(table: Table, where: sql.Composable) -> _Queries:
    name = sql.Identifier(table.name)
    key = sql.SQL(", ").join(sql.Identifier(column) for column in table.key)
    by_key = sql.SQL(" AND ").join(sql.SQL("{} = %({})s").format(sql.Identifier(c), sql.SQL(c)) for c in table.key)
    return _Queries(
        count=sql.SQL("SELECT count(*) FROM {} WHERE {}").format(name, where),
        page=sql.SQL("SELECT * FROM {} WHERE {} ORDER BY {} LIMIT {}").format(name, where, key, sql.Literal(_PAGE)),
        one=sql.SQL("SELECT * FROM {} WHERE {} AND {}").format(name, where, by_key),
    )


@dataclass(frozen=True, slots=True)
class _Probe:
    tenant: str
    user: str


def _round(
    connection: psycopg.Connection[Any], queries: _Queries, probe: _Probe, values: dict[str, Any], *, context: bool
) -> tuple[float, int]:
    """The three queries in one transaction; milliseconds and the count."""
    with connection.transaction():
        if context:
            connection.execute(
                "SELECT set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true)",
                (probe.tenant, probe.user),
            )
        started = time.perf_counter()
        row = connection.execute(queries.count, values).fetchone()
        connection.execute(queries.page, values).fetchall()
        connection.execute(queries.one, values).fetchall()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, int(row[0]) if row else 0


def _percentiles(timings: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(timings, n=20, method="inclusive")
    return statistics.median(timings), cuts[18]


def measure(  # noqa: PLR0913 - the two connections, the table, the person, the predicate and the rounds
    owner: psycopg.Connection[Any],
    runtime: psycopg.Connection[Any],
    table: Table,
    probe: _Probe,
    *,
    predicate: sql.Composable,
    repeats: int,
) -> Figures:
    """The three ways in turns, so that none gets the quieter machine; a few rounds first to warm the plans."""
    scope = probe.user if table.scope == "user_id" else probe.tenant
    sample = owner.execute(
        sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY random() LIMIT 1").format(
            sql.SQL(", ").join(sql.Identifier(column) for column in table.key),
            sql.Identifier(table.name),
            sql.SQL("{} = %s").format(sql.Identifier(table.scope)) if table.scope else sql.SQL("true"),
        ),
        (scope,) if table.scope else (),
    ).fetchone()
    values: dict[str, Any] = {"scope": scope, **dict(zip(table.key, sample or (None,) * len(table.key), strict=True))}
    tenant = sql.SQL("{} = %(scope)s").format(sql.Identifier(table.scope)) if table.scope else sql.SQL("true")
    ways = {  # connection, queries, whether the request context is set
        "policies": (runtime, _queries(table, sql.SQL("true")), True),
        "owner": (owner, _queries(table, tenant), False),
        "same": (owner, _queries(table, predicate), True),
    }
    timings: dict[str, list[float]] = {way: [] for way in ways}
    counts = dict.fromkeys(ways, 0)
    order = list(ways)
    for number in range(repeats + 3):
        for way in order[number % 3 :] + order[: number % 3]:
            connection, queries, context = ways[way]
            elapsed, counts[way] = _round(connection, queries, probe, values, context=context)
            if number >= 3:  # noqa: PLR2004 - the warm-up rounds
                timings[way].append(elapsed)
    return Figures(
        _percentiles(timings["policies"]),
        _percentiles(timings["owner"]),
        _percentiles(timings["same"]),
        counts["policies"],
        counts["owner"],
    )


def report(figures: dict[str, Figures]) -> None:
    """One line per table, the flagged ones marked, and how many are above the target."""
    print("ratio: against the owner's WHERE tenant_id; same: against the owner with the policies' predicate")
    print(
        f"{'table':<28}{'rows':>14}{'policies p50':>14}{'p95':>8}{'owner p50':>11}{'p95':>8}{'ratio':>8}"
        f"{'p95 ratio':>11}{'same p50':>10}{'same ratio':>12}"
    )
    for name, figure in figures.items():
        flag = f"  > {TARGET_RATIO}x" if figure.ratio > TARGET_RATIO else ""
        rows = f"{figure.rows_policies}/{figure.rows_owner}"
        print(
            f"{name:<28}{rows:>14}{figure.policies[0]:>14.3f}{figure.policies[1]:>8.3f}{figure.owner[0]:>11.3f}"
            f"{figure.owner[1]:>8.3f}{figure.ratio:>8.2f}{figure.policies[1] / figure.owner[1]:>11.2f}"
            f"{figure.same[0]:>10.3f}{figure.same_ratio:>12.2f}{flag}"
        )
    above = [name for name, figure in figures.items() if figure.ratio > TARGET_RATIO]
    print(f"\n{len(above)} of {len(figures)} tables above {TARGET_RATIO}x at p50: {', '.join(above) or 'none'}")
    # What row-level security itself costs: the same rows asked for by an application without it.
    costly = [name for name, figure in figures.items() if figure.same_ratio > TARGET_RATIO]
    named = ", ".join(costly) or "none"
    print(f"{len(costly)} of {len(figures)} above {TARGET_RATIO}x against the same predicate: {named}")


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run(owner_url: URL, args: argparse.Namespace) -> dict[str, Figures]:
    """Migrate, fill and measure; print as it goes."""
    app_url = app_url_for(owner_url, None)
    migrate(owner_url, app_url)
    engine = create_owner_engine(owner_url)
    with engine.begin() as connection:
        load_geography(connection)
        provision_tenants(connection, geographic_tenants() + demo_tenants())
        tenants = [
            str(row.id)
            for row in connection.execute(
                text("SELECT id FROM tenant WHERE kind = 'municipality' ORDER BY slug LIMIT :count"),
                {"count": args.tenants},
            )
        ]
    engine.dispose()
    users = [str(uuid.uuid4()) for _ in tenants]
    started = time.perf_counter()
    with psycopg.connect(_libpq(owner_url), autocommit=True) as owner:
        tables = policed_tables(owner)
        with owner.transaction():
            prepare_for_filling(owner, tables)
            for table in tables:
                fill(owner, table, args.rows * len(tenants), tenants, users)
            assign_cases(owner, tables, tenants[0], users[0], args.cases)
            align_audit_chains(owner)
            gather_in_spaces(owner, tables, args.spaces)
        for table in tables:
            owner.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table.name)))
        print(f"{len(tables)} tables with row-level security, {args.rows:,} rows per tenant and table, ")
        print(f"the person on {args.cases} of the tenant's cases,")
        print(
            f"{len(tenants)} tenants, filled in {time.perf_counter() - started:.1f} s; {args.repeats} rounds each way"
        )
        print(f"load average before: {_load_average()}\n")
        probe = _Probe(tenant=tenants[0], user=users[0])
        with psycopg.connect(_libpq(app_url), autocommit=True) as runtime:
            role = str(app_url.username)
            figures = {
                table.name: measure(
                    owner,
                    runtime,
                    table,
                    probe,
                    predicate=access_predicate(owner, table.name, role),
                    repeats=args.repeats,
                )
                for table in tables
            }
    report(figures)
    print(f"load average after: {_load_average()}")
    return figures


@contextmanager
def _server_database(admin_url: URL) -> Iterator[URL]:
    """A new database on the server, dropped after (with whatever still uses it)."""
    name = f"avhopp_rls_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(admin_url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name))
        )
    try:
        yield admin_url.set(database=name)
    finally:
        with psycopg.connect(_libpq(admin_url), autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tenants", type=int, default=8, help="tenants whose rows fill each table")
    parser.add_argument("--rows", type=int, default=5_000, help="rows per tenant and table")
    parser.add_argument("--cases", type=int, default=50, help="the tenant's cases the person is on")
    parser.add_argument("--spaces", type=int, default=20, help="network spaces each tenant runs")
    parser.add_argument("--repeats", type=int, default=30, help="timed rounds per table each way")
    parser.add_argument(
        "--database-url", help="a role on a server that may create databases (default: an embedded PostgreSQL)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> dict[str, Figures]:
    """Run the benchmark, print the figures and return them."""
    args = _parser().parse_args(argv)
    configure_logging("WARNING")
    print("Avhopp row-level security benchmark, throwaway database")
    if args.database_url:
        with _server_database(make_url(args.database_url).set(drivername="postgresql+psycopg")) as owner_url:
            return run(owner_url, args)
    folder = Path(tempfile.mkdtemp(prefix="avhopp-rls-benchmark-"))
    try:
        with embedded_postgres(folder) as owner_url:
            return run(owner_url, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
