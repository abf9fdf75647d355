"""The canonical form of a link and its hash, shared by the writer and the verifier.

A link's hash is an HMAC-SHA256 under a key derived from AVHOPP_SECRET_KEY, which the database
never holds: whoever can write to the database but does not have the key cannot forge a link,
nor re-hash a chain forward from a link they altered. Links written before migration 0018 carry
a plain SHA-256 (`keyed` false); none may follow a keyed link.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from avhopp.platform.sealing import derived_key

if TYPE_CHECKING:
    from uuid import UUID

PLATFORM_CHAIN = "platform"
"""The chain of events that belong to no tenant (failed logins, refusals before a tenant is chosen)."""
GENESIS = "0" * 64
"""The `prev_hash` of every chain's first link."""


def chain_of(tenant_id: UUID | None) -> str:
    """The chain key of a tenant's events."""
    return str(tenant_id) if tenant_id else PLATFORM_CHAIN


def timestamp(moment: datetime) -> str:
    """A fixed, microsecond UTC form: PostgreSQL keeps microseconds, so the text survives a round trip."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_key(secret_key: str) -> bytes:
    """The key of the chains' HMAC, derived from the platform's secret key."""
    return derived_key(secret_key, "audit-chain")


def link_hash(  # noqa: PLR0913 - every attested field is hashed, explicitly
    key: bytes | None,
    *,
    chain: str,
    seq: int,
    tenant_id: UUID | None,
    occurred_at: datetime,
    actor_user_id: UUID | None,
    actor_client_id: str | None,
    action: str,
    object_type: str | None,
    object_id: str | None,
    reason: str | None,
    request_id: str | None,
    prev_hash: str,
) -> str:
    """HMAC-SHA256 under `key` of the link's fields, the previous link's hash among them, as sorted compact JSON.

    `key` None: the plain SHA-256 of links written before the chains were keyed.
    """
    canonical = {
        "chain": chain,
        "seq": seq,
        "tenant_id": str(tenant_id) if tenant_id else None,
        "occurred_at": timestamp(occurred_at),
        "actor_user_id": str(actor_user_id) if actor_user_id else None,
        "actor_client_id": actor_client_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "reason": reason,
        "request_id": request_id,
        "prev_hash": prev_hash,
    }
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if key is None:
        return hashlib.sha256(encoded).hexdigest()
    return hmac.new(key, encoded, hashlib.sha256).hexdigest()
