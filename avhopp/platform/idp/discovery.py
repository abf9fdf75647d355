"""The provider's metadata (OpenID Connect Discovery 1.0, RFC 8414); the claims are in `claims`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from avhopp.platform.idp.claims import ACR_MFA, SCOPES, SIGNING_ALGORITHM
from avhopp.platform.idp.server import CLIENT_AUTH_METHODS

if TYPE_CHECKING:
    from avhopp.platform.settings import Settings


def issuer_for(settings: Settings) -> str:
    """The issuer identifier: `{public_url}/idp`, which tokens must carry exactly."""
    return f"{settings.public_url}/idp"


def provider_metadata(issuer: str) -> dict[str, Any]:
    """The discovery document served at `{issuer}/.well-known/openid-configuration`."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "end_session_endpoint": f"{issuer}/logout",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
        "token_endpoint_auth_methods_supported": list(CLIENT_AUTH_METHODS),
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": [ACR_MFA],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "acr",
            "amr",
            "name",
            "preferred_username",
            "email",
        ],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
        "ui_locales_supported": ["sv", "en"],
    }
