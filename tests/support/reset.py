"""Putting the database back as the session's fixtures left it, after a test that wrote to it.

A test that drives the app cannot be wrapped in one transaction to roll back: the app commits
on connections of its own. So, once per session, `Baseline.install` copies every table into
the schema `test_baseline` and gives each table a statement trigger that notes its name in
`test_reset.touched` whenever anything writes to it. `Baseline.restore` then puts back the
noted tables alone: rows changed since the copy get their old values, new rows go, removed
rows return. A test that reads pays a single query; one that signs in and writes touches a
few tables and pays a few milliseconds each.

Both schemas lie outside `public`, which the migration check and the row-level security check
look at. The restore runs as the owner in one transaction, with forced row-level security and
the tables' own triggers (the audit trail's append-only guard among them) switched off inside
it only, so no other connection ever sees them off.
"""

from __future__ import annotations

import graphlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from sqlalchemy import Connection, Engine

BASELINE, RESET = "test_baseline", "test_reset"
# When each periodic job last ran is the platform's bookkeeping, not a test's data. Put back, it
# would make every app a test starts run every periodic job again, and wait for them to stop.
NOT_RESET = ("alembic_version", "job_schedule")

_NOTE = f"""
CREATE FUNCTION {RESET}.note() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO {RESET}.touched VALUES (TG_TABLE_NAME) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$
"""


@dataclass(frozen=True, slots=True)
class Table:
    """What the restore needs to know of one table."""

    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    """The columns a row can be written with (not generated ones)."""
    forced_rls: bool

    def _quoted(self, names: Sequence[str]) -> str:
        return ", ".join(f'"{name}"' for name in names)

    def _same_key(self, left: str, right: str) -> str:
        return " AND ".join(f'{left}."{column}" = {right}."{column}"' for column in self.key)

    def put_back_changed(self) -> str | None:
        values = [column for column in self.columns if column not in self.key]
        if not values:
            return None
        assignments = ", ".join(f'"{column}" = b."{column}"' for column in values)
        return (
            f'UPDATE public."{self.name}" t SET {assignments} FROM {BASELINE}."{self.name}" b'
            f" WHERE {self._same_key('t', 'b')} AND ROW(t.*)::text IS DISTINCT FROM ROW(b.*)::text"
        )

    def remove_new(self) -> str:
        return (
            f'DELETE FROM public."{self.name}" t WHERE NOT EXISTS'
            f' (SELECT FROM {BASELINE}."{self.name}" b WHERE {self._same_key("t", "b")})'
        )

    def return_removed(self) -> str:
        columns = self._quoted(self.columns)
        return (
            f'INSERT INTO public."{self.name}" ({columns}) OVERRIDING SYSTEM VALUE'
            f' SELECT {columns} FROM {BASELINE}."{self.name}" b WHERE NOT EXISTS'
            f' (SELECT FROM public."{self.name}" t WHERE {self._same_key("t", "b")})'
        )


# The restore runs between tests, while the test's event loop stands still. A job that an app
# left running on that loop with a transaction open can then never finish, and its locks would
# make the restore wait for ever: the whole run would hang. Its connection is closed instead
# (the job fails, as it would have at any moment once the test was over).
_END_FROZEN_TRANSACTIONS = """
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'
"""


class Baseline:
    """The session's tables as the fixtures left them, and the means to return to that."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.tables: dict[str, Table] = {}
        self.order: tuple[str, ...] = ()
        """Referenced tables before the tables that refer to them."""

    def install(self) -> None:
        """Copy every table and start noting writes. Run once, after the session's fixtures."""
        with self.engine.begin() as connection:
            self.tables = {table.name: table for table in _tables(connection)}
            self.order = _referenced_first(connection, set(self.tables))
            connection.execute(text(f"CREATE SCHEMA {BASELINE}"))
            connection.execute(text(f"CREATE SCHEMA {RESET}"))
            connection.execute(text(f"CREATE TABLE {RESET}.touched (name text PRIMARY KEY)"))
            connection.execute(text(_NOTE))
            with _unguarded(connection, list(self.tables.values()), triggers=False):
                for name in self.tables:
                    connection.execute(text(f'CREATE TABLE {BASELINE}."{name}" AS TABLE public."{name}"'))
                    connection.execute(
                        text(
                            f'CREATE TRIGGER test_reset_note AFTER INSERT OR UPDATE OR DELETE ON public."{name}"'
                            f" FOR EACH STATEMENT EXECUTE FUNCTION {RESET}.note()"
                        )
                    )

    def restore(self) -> list[str]:
        """Put the tables written since the last restore back as they were; return their names."""
        with self.engine.begin() as connection:
            noted = set(connection.execute(text(f"SELECT name FROM {RESET}.touched")).scalars())
            touched = [self.tables[name] for name in self.order if name in noted]
            if not touched:
                return []
            connection.execute(text(_END_FROZEN_TRANSACTIONS))
            # Anything else holding a lock fails the test instead of hanging the run.
            connection.execute(text("SET LOCAL lock_timeout = '60s'"))
            with _unguarded(connection, touched, triggers=True):
                for table in touched:
                    statement = table.put_back_changed()
                    if statement is not None:
                        connection.execute(text(statement))
                for table in reversed(touched):
                    connection.execute(text(table.remove_new()))
                for table in touched:
                    connection.execute(text(table.return_removed()))
            connection.execute(text(f"DELETE FROM {RESET}.touched"))
        return [table.name for table in touched]


def _tables(connection: Connection) -> Iterator[Table]:
    rows = connection.execute(
        text(
            "SELECT c.relname AS name, c.relforcerowsecurity AS forced,"
            " ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0"
            "  AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum) AS columns,"
            " ARRAY(SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
            "  AND a.attnum = ANY(i.indkey) WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY a.attnum) AS key"
            " FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
            " AND c.relname <> ALL(:not_reset)"
        ),
        {"not_reset": list(NOT_RESET)},
    )
    for row in rows:
        if not row.key:
            msg = f"{row.name} has no primary key, so the test reset cannot tell its rows apart"
            raise LookupError(msg)
        yield Table(row.name, tuple(row.key), tuple(row.columns), row.forced)


def _referenced_first(connection: Connection, names: set[str]) -> tuple[str, ...]:
    graph: dict[str, set[str]] = {name: set() for name in names}
    for child, parent in connection.execute(
        text(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        )
    ):
        if child in graph and parent in names and child != parent:
            graph[child].add(parent)
    return tuple(graphlib.TopologicalSorter(graph).static_order())


@contextmanager
def _unguarded(connection: Connection, tables: list[Table], *, triggers: bool) -> Iterator[None]:
    """Inside the caller's transaction: the owner sees every row, and (if asked) no trigger fires.

    On an error the transaction rolls back, and the switches with it.
    """
    _switch(connection, tables, triggers=triggers, on=False)
    yield
    _switch(connection, tables, triggers=triggers, on=True)


def _switch(connection: Connection, tables: list[Table], *, triggers: bool, on: bool) -> None:
    for table in tables:
        if table.forced_rls:
            force = "FORCE" if on else "NO FORCE"
            connection.execute(text(f'ALTER TABLE public."{table.name}" {force} ROW LEVEL SECURITY'))
        if triggers:
            enable = "ENABLE" if on else "DISABLE"
            connection.execute(text(f'ALTER TABLE public."{table.name}" {enable} TRIGGER USER'))
