"""Re-keying: every stored sealed value opened under the old secret key and sealed again under the new.

The columns are those whose mapped column says so (`sealing.sealed_column`), found in the complete
metadata, so a new sealed column is re-keyed without changes here. Rows go in batches, each its
own transaction, in key order; a value that already opens under the new key is left as it is,
so an interrupted run continues where it stopped when started again, and a finished one changes
nothing. A value that opens under neither key is counted and left alone, never destroyed.

The owner runs it. Row-level security is forced even on the owner, so each batch switches it off
for its table inside its own transaction (DDL is transactional: no other connection sees it off),
which also holds the table's lock for the few milliseconds of the batch.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import bindparam, column, select, table, text, update

from avhopp.platform.sealing import SealError, seal, sealed_info, unseal_with

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from contextlib import AbstractContextManager

    from sqlalchemy import Connection, MetaData, RowMapping

    from avhopp.platform.sealing import SealedColumn

BATCH_SIZE = 200


@dataclass(frozen=True, slots=True)
class SealedTable:
    """A table's sealed columns and what it is keyed by (a single-column primary key)."""

    name: str
    key: str
    columns: tuple[tuple[str, SealedColumn], ...]


@dataclass(slots=True)
class RekeyReport:
    """What a run did: values sealed anew, already under the new key, and opening under neither."""

    rekeyed: int = 0
    already: int = 0
    unreadable: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        """Every value is under the new key."""
        return not self.unreadable


def sealed_tables(metadata: MetaData) -> list[SealedTable]:
    """Every table with a sealed column, by name."""
    found = []
    for name, mapped in sorted(metadata.tables.items()):
        columns = tuple((col.name, info) for col in mapped.columns if (info := sealed_info(col.info)) is not None)
        if columns:
            (key,) = (col.name for col in mapped.primary_key.columns)
            found.append(SealedTable(name, key, columns))
    return found


def _not_null(sealed: SealedTable) -> str:
    return "(" + " OR ".join(f'"{name}" IS NOT NULL' for name, _ in sealed.columns) + ")"


def count_values(connection: Connection, tables: Sequence[SealedTable]) -> int:
    """How many sealed values there are (for the progress bar); the owner's connection, in a transaction."""
    total = 0
    for sealed in tables:
        with _rls_off(connection, sealed.name):
            for name, _ in sealed.columns:
                total += connection.execute(
                    text(f'SELECT count(*) FROM "{sealed.name}" WHERE "{name}" IS NOT NULL')  # noqa: S608 - names from the metadata
                ).scalar_one()
    return total


def context_of(value: object) -> bytes:
    """The associated data a row's context column gives: a UUID's 16 bytes, text as UTF-8."""
    if value is None:
        return b""
    if isinstance(value, UUID):
        return value.bytes
    return str(value).encode()


class _Rekeyer:
    def __init__(self, old_key: str, new_key: str, report: RekeyReport) -> None:
        self.old_key, self.new_key, self.report = old_key, new_key, report

    def value(self, table_name: str, info: SealedColumn, sealed: bytes, context: bytes) -> bytes | None:
        """The value sealed under the new key, or None when it needs no change (or cannot be opened)."""
        try:
            unseal_with(self.new_key, info.purpose, sealed, context)
        except SealError:
            pass
        else:
            self.report.already += 1
            return None
        try:
            plain = unseal_with(self.old_key, info.purpose, sealed, context)
        except SealError:
            self.report.unreadable[table_name] = self.report.unreadable.get(table_name, 0) + 1
            return None
        self.report.rekeyed += 1
        return seal(self.new_key, info.purpose, plain, context)


def rekey(
    transaction: Callable[[], AbstractContextManager[Connection]],
    tables: Sequence[SealedTable],
    keys: tuple[str, str],
    *,
    advance: Callable[[int], None] = lambda _: None,
    batch_size: int = BATCH_SIZE,
) -> RekeyReport:
    """Seal every value again under `keys[1]` that is still under `keys[0]`, one batch per transaction."""
    report = RekeyReport()
    rekeyer = _Rekeyer(keys[0], keys[1], report)
    for sealed in tables:
        after: Any = None
        while True:
            with transaction() as connection, _rls_off(connection, sealed.name):
                rows = batch(connection, sealed, after, batch_size)
                for row in rows:
                    _rekey_row(connection, sealed, rekeyer, row)
            if not rows:
                break
            after = rows[-1][sealed.key]
            advance(sum(1 for row in rows for name, _ in sealed.columns if row[name] is not None))
    return report


def batch(connection: Connection, sealed: SealedTable, after: object, size: int) -> list[RowMapping]:
    """The next `size` rows with a sealed value after key `after`, locked, with their keys and contexts."""
    contexts = {info.context for _, info in sealed.columns if info.context}
    names = sorted({sealed.key, *contexts, *(name for name, _ in sealed.columns)})
    source = table(sealed.name, *(column(name) for name in names))
    query = select(*source.columns).where(text(_not_null(sealed))).order_by(source.c[sealed.key]).limit(size)
    if after is not None:
        query = query.where(source.c[sealed.key] > after)
    return [row._mapping for row in connection.execute(query.with_for_update())]  # noqa: SLF001 - SQLAlchemy's public row mapping


def _rekey_row(connection: Connection, sealed: SealedTable, rekeyer: _Rekeyer, row: RowMapping) -> None:
    changes = {}
    for name, info in sealed.columns:
        if row[name] is not None:
            context = context_of(row[info.context]) if info.context else b""
            new = rekeyer.value(sealed.name, info, bytes(row[name]), context)
            if new is not None:
                changes[name] = new
    if changes:
        target = table(sealed.name, column(sealed.key), *(column(name) for name in changes))
        connection.execute(
            update(target).where(target.c[sealed.key] == bindparam("row_key")).values(**changes),
            {"row_key": row[sealed.key]},
        )


@contextmanager
def _rls_off(connection: Connection, name: str) -> Iterator[None]:
    """Row-level security off for one table until the end of the block, inside the caller's transaction."""
    forced = connection.execute(
        text("SELECT relforcerowsecurity FROM pg_class WHERE oid = to_regclass(:name)"), {"name": name}
    ).scalar_one()
    if forced:
        connection.execute(text(f'ALTER TABLE "{name}" NO FORCE ROW LEVEL SECURITY'))
    yield
    if forced:
        connection.execute(text(f'ALTER TABLE "{name}" FORCE ROW LEVEL SECURITY'))
