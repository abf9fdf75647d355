"""The platform's own OpenID Connect provider, built on Authlib's server components.

It serves the embedded default and the tests: local accounts with argon2id passwords and a
TOTP second factor, the platform's own web client, and OAuth2 client-credentials tokens for
machine clients scoped to one tenant. The platform logs in through it with the same OIDC
client code as for an external issuer. The issuer is `{public_url}/idp`; the claims are
documented in `avhopp.platform.idp.claims`.
"""

from pathlib import Path

from avhopp.platform.idp.admin import AdminError, reset_authenticator
from avhopp.platform.idp.cli import OwnerAccess, idp_cli
from avhopp.platform.idp.discovery import issuer_for
from avhopp.platform.idp.keys import KeyStore
from avhopp.platform.idp.passwords import TemporaryPassword, new_temporary_password
from avhopp.platform.idp.provider import ProviderLimits
from avhopp.platform.idp.resets import RESET_PATH, ResetKind, start_reset
from avhopp.platform.idp.routes import identity_provider_router
from avhopp.platform.idp.setup import (
    PLATFORM_CLIENT_ID,
    CreatedAccount,
    ProviderSetup,
    ensure_identity_provider,
    platform_client_secret,
)
from avhopp.platform.idp.tokens import MachineClaims, TokenRejectedError, VerifiedAccessTokens, verify_access_token
from avhopp.platform.web.ratelimit import RateLimit

IDP_TEMPLATES = Path(__file__).parent / "templates"
"""Add to the template engine's directories; the pages are `idp/*.html` and extend `base.html`."""

__all__ = [
    "IDP_TEMPLATES",
    "PLATFORM_CLIENT_ID",
    "RESET_PATH",
    "AdminError",
    "CreatedAccount",
    "KeyStore",
    "MachineClaims",
    "OwnerAccess",
    "ProviderLimits",
    "ProviderSetup",
    "RateLimit",
    "ResetKind",
    "TemporaryPassword",
    "TokenRejectedError",
    "VerifiedAccessTokens",
    "ensure_identity_provider",
    "identity_provider_router",
    "idp_cli",
    "issuer_for",
    "new_temporary_password",
    "platform_client_secret",
    "reset_authenticator",
    "start_reset",
    "verify_access_token",
]
