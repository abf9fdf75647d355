"""Machine clients: a bearer token (a short-lived JWT from the token endpoint) becomes a Principal."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from litestar.exceptions import NotAuthorizedException

from avhopp.platform.idp import KeyStore, TokenRejectedError, VerifiedAccessTokens, issuer_for
from avhopp.platform.scope.principal import Principal

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.settings import Settings

_log = structlog.get_logger("avhopp.auth")


class MachineTokens:
    """Verifies bearer tokens against the platform's published signing keys."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        # Tokens come from the platform's own token endpoint, whichever provider people log in with.
        self.tokens = VerifiedAccessTokens(KeyStore(sessions, issuer_for(settings)))

    async def principal(self, token: str) -> Principal:
        """The client the token was issued to, acting for the one tenant it is scoped to."""
        try:
            claims = await self.tokens.verify(token)
        except TokenRejectedError as error:
            _log.warning("auth.token_rejected", reason=error.reason)
            raise NotAuthorizedException(headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None
        return Principal(
            user_id=None,
            display_name=claims.client_id,
            tenant_id=claims.tenant_id,
            tenant_name="",
            roles=frozenset(claims.roles),
            client_id=claims.client_id,
        )
