"""OAuth2 clients: the platform's own web client and machine clients.

Every client is confidential and authenticates at the token endpoint with its secret
(client_secret_basic or client_secret_post). Secrets are random with 256 bits, so they are
stored as a SHA-256 digest and compared in constant time.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from avhopp.platform.idp.models import IdpClient
from avhopp.platform.sealing import digest

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

AUTHORIZATION_CODE = "authorization_code"
CLIENT_CREDENTIALS = "client_credentials"
MAX_CLIENT_ID_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Client:
    """A registered client."""

    client_id: str
    client_secret_hash: str
    name: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...]
    scope: str
    scope_tenant_id: UUID | None
    roles: tuple[str, ...]

    def secret_matches(self, secret: str) -> bool:
        """Constant-time comparison of a presented secret with the stored digest."""
        return hmac.compare_digest(digest(secret), self.client_secret_hash)


async def find_client(session: AsyncSession, client_id: str) -> Client | None:
    """The client with this id, or None (also for ids too long to exist)."""
    if not client_id or len(client_id) > MAX_CLIENT_ID_LENGTH:
        return None
    row = (
        await session.execute(
            select(
                IdpClient.client_id,
                IdpClient.client_secret_hash,
                IdpClient.name,
                IdpClient.redirect_uris,
                IdpClient.post_logout_redirect_uris,
                IdpClient.grant_types,
                IdpClient.scope,
                IdpClient.scope_tenant_id,
                IdpClient.roles,
            ).where(IdpClient.client_id == client_id)
        )
    ).one_or_none()
    if row is None:
        return None
    return Client(
        client_id=row.client_id,
        client_secret_hash=row.client_secret_hash,
        name=row.name,
        redirect_uris=tuple(row.redirect_uris),
        post_logout_redirect_uris=tuple(row.post_logout_redirect_uris),
        grant_types=tuple(row.grant_types),
        scope=row.scope,
        scope_tenant_id=row.scope_tenant_id,
        roles=tuple(row.roles),
    )
