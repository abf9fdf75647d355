"""Checking every chain of the audit trail, as the database owner, and exporting the heads.

A chain walk catches a link that was altered, removed or inserted, and, since the links are
keyed with a key the database does not hold, one re-hashed forward by someone with owner rights
but without the key. It cannot see a chain cut short at its end: the heads exported for
safekeeping outside the database catch that, as each must still be present with the same hash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.platform.audit.chain import GENESIS, link_hash

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy import Connection, Row

# Row-level security binds the owner too; this flag opens every chain to the owner alone (see migration 0005).
_READ_ALL = text("SELECT set_config('app.audit_verify', 'on', true)")
_LINKS = text(
    "SELECT id, chain, seq, tenant_id, occurred_at, actor_user_id, actor_client_id, action,"
    " object_type, object_id, reason, request_id, prev_hash, hash, keyed FROM audit_event ORDER BY chain, seq"
)


@dataclass(frozen=True, slots=True)
class Head:
    """The last link of a chain: what is exported for safekeeping."""

    chain: str
    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """The first link of a chain that does not hold."""

    seq: int
    id: int | None
    """None when the link is missing altogether (an exported head no longer present)."""
    problem: str
    """Swedish, for the operator."""


@dataclass(slots=True)
class ChainReport:
    """One chain's verdict."""

    chain: str
    length: int = 0
    head_hash: str = GENESIS
    broken: BrokenLink | None = None
    keyed: bool = False
    """A keyed link has been seen: every later one must be keyed too."""

    @property
    def intact(self) -> bool:
        """True when every link and every exported head of the chain holds."""
        return self.broken is None


def verify_chains(connection: Connection, key: bytes, heads: Iterable[Head] = ()) -> list[ChainReport]:
    """Walk every chain with the chains' `key`, then check the exported `heads`.

    The connection must be the owner's, in a transaction.
    """
    connection.execute(_READ_ALL)
    reports: dict[str, ChainReport] = {}
    seen: dict[tuple[str, int], str] = {}
    for row in connection.execute(_LINKS):
        report = reports.setdefault(row.chain, ChainReport(row.chain))
        seen[(row.chain, row.seq)] = row.hash
        if report.broken is None:
            report.broken = _check_link(row, report, key)
        report.length += 1
        report.head_hash = row.hash
    for head in heads:
        report = reports.setdefault(head.chain, ChainReport(head.chain))
        if report.broken is None and seen.get((head.chain, head.seq)) != head.hash:
            problem = "den exporterade kedjetoppen saknas eller har ändrats"
            report.broken = BrokenLink(seq=head.seq, id=None, problem=problem)
    return sorted(reports.values(), key=lambda report: report.chain)


def _check_link(row: Row[tuple[object, ...]], report: ChainReport, key: bytes) -> BrokenLink | None:
    expected_seq = report.length + 1
    if row.seq != expected_seq:
        return BrokenLink(seq=row.seq, id=row.id, problem=f"länk {expected_seq} saknas")
    if row.prev_hash != report.head_hash:
        return BrokenLink(seq=row.seq, id=row.id, problem="pekar inte på föregående länk")
    fields = {
        name: getattr(row, name)
        for name in (
            "chain",
            "seq",
            "tenant_id",
            "occurred_at",
            "actor_user_id",
            "actor_client_id",
            "action",
            "object_type",
            "object_id",
            "reason",
            "request_id",
            "prev_hash",
        )
    }
    if report.keyed and not row.keyed:
        return BrokenLink(seq=row.seq, id=row.id, problem="saknar nyckel efter nyckelförsedda länkar")
    report.keyed = bool(row.keyed)
    if link_hash(key if row.keyed else None, **fields) != row.hash:
        return BrokenLink(seq=row.seq, id=row.id, problem="innehållet stämmer inte med dess hash")
    return None


def chain_heads(connection: Connection) -> list[Head]:
    """The last link of every chain; the connection must be the owner's, in a transaction."""
    connection.execute(_READ_ALL)
    rows = connection.execute(
        text("SELECT DISTINCT ON (chain) chain, seq, hash FROM audit_event ORDER BY chain, seq DESC")
    )
    return [Head(row.chain, row.seq, row.hash) for row in rows]


def head_line(head: Head, exported_at: str) -> str:
    """One JSON line of an export."""
    return json.dumps({"chain": head.chain, "seq": head.seq, "hash": head.hash, "exported_at": exported_at})


def parse_heads(lines: Iterable[str]) -> list[Head]:
    """Heads from an export's JSON lines (blank lines ignored); raises ValueError on anything else."""
    heads = []
    for line in lines:
        if not line.strip():
            continue
        item = json.loads(line)
        try:
            heads.append(Head(chain=str(item["chain"]), seq=int(item["seq"]), hash=str(item["hash"])))
        except (KeyError, TypeError) as error:
            raise ValueError(line) from error
    return heads
