"""Idempotent upserts for reference data: a row is written only when it is new or differs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import literal_column, or_
from sqlalchemy.dialects.postgresql import insert

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.sql.dml import ReturningInsert

    from avhopp.platform.models import Base


@dataclass(slots=True)
class UpsertCounts:
    """How many rows a load wrote; all but `unchanged` are zero when nothing differed."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert_rows(
    connection: Connection, model: type[Base], rows: list[dict[str, Any]], key: str, counts: UpsertCounts
) -> None:
    """Insert `rows`, or update the row with the same `key` where a value differs; count which.

    One statement for all rows: a start that loads reference data waits on it.
    """
    if not rows:
        return
    table = model.__table__
    statement = insert(model).values(rows)
    columns = [column for column in rows[0] if column != key]
    upsert: ReturningInsert[Any] = statement.on_conflict_do_update(
        index_elements=[key],
        set_={column: statement.excluded[column] for column in columns},
        where=or_(*(table.c[column].is_distinct_from(statement.excluded[column]) for column in columns)),
    ).returning(literal_column("xmax = 0").label("inserted"))  # xmax is 0 only for a fresh insert
    written = connection.execute(upsert).scalars().all()
    inserted = sum(1 for fresh in written if fresh)
    counts.inserted += inserted
    counts.updated += len(written) - inserted
    counts.unchanged += len(rows) - len(written)
