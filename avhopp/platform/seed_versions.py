"""Reference data written at start only when it has changed since the last start.

`avhopp serve` with the owner's connection loads the geography and the tenants (and, on the
embedded database, the demo's accounts and directory entries). Each of these steps has a
digest of the content it would write; `seed_version` keeps the digest of each step's last
complete run, and a start whose digest matches skips the step. A skipped step writes nothing;
a step that runs is the same idempotent load as its command, which keeps a deactivated tenant
deactivated and an owner's edit of a directory entry as the owner left it.

The commands themselves (`avhopp geography load`, `tenants provision`, `directory seed`)
always run.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec
from sqlalchemy import DateTime, Text, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, mapped_column

from avhopp.platform.models import Base

if TYPE_CHECKING:
    from sqlalchemy import Connection


class SeedVersion(Base):
    """A seed step and the digest of the content it last wrote completely; the owner's alone."""

    __tablename__ = "seed_version"

    step: Mapped[str] = mapped_column(Text, primary_key=True)
    digest: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def content_digest(content: object) -> str:
    """SHA-256 of `content` (dataclasses, structs, lists, dicts, sets) encoded the same way in every process."""
    return hashlib.sha256(msgspec.json.encode(content, order="deterministic")).hexdigest()


def seed_digests(connection: Connection) -> dict[str, str]:
    """Each step's digest as of its last complete run."""
    return {row.step: row.digest for row in connection.execute(select(SeedVersion.step, SeedVersion.digest))}


def record_seed(connection: Connection, step: str, digest: str) -> None:
    """Note that `step` has written the content with `digest`."""
    statement = insert(SeedVersion).values(step=step, digest=digest)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[SeedVersion.step], set_={"digest": statement.excluded.digest, "applied_at": func.now()}
        )
    )
