"""The claims the built-in provider puts in its tokens, and their lifetimes.

All tokens are JWTs signed with RS256 by the active key; the header names the key (`kid`).
The issuer is `{public_url}/idp`, exactly (no trailing slash).

ID token (`typ` "JWT"), issued by the authorization-code flow with scope `openid`:

| claim | value |
|---|---|
| `iss` | the issuer |
| `sub` | the account id (a UUID as text); stable, never reused, the key to link a platform user |
| `aud` | the client id, e.g. `avhopp-web` |
| `iat`, `exp` | issued at; expires 5 minutes later |
| `auth_time` | when the person authenticated (password and code) in this browser session |
| `nonce` | the client's nonce from the authorization request (required) |
| `amr` | `["pwd", "otp"]`: password and one-time code, always both |
| `acr` | `urn:avhopp:mfa` |
| `at_hash` | the left half of the SHA-256 of the access token |
| `name`, `preferred_username` | display name and username, with scope `profile` |
| `email` | with scope `email`, when the account has one |

Access token for a person (`typ` "at+jwt", RFC 9068), good only at the userinfo endpoint:
`iss`, `sub` (account id), `aud` (`{issuer}/userinfo`), `client_id`, `scope`, `iat`, `exp`
(5 minutes), `jti`, `auth_time`, `acr`, `amr`.

Access token for a machine client (`typ` "at+jwt", RFC 9068), from client credentials:

| claim | value |
|---|---|
| `iss` | the issuer |
| `sub`, `client_id` | the client id |
| `aud` | `avhopp-api` |
| `iat`, `exp` | issued at; expires 5 minutes later |
| `jti` | a random token id |
| `tenant_id` | the one tenant the client acts for (UUID as text) |
| `roles` | the client's roles in that tenant (list of role names) |

Userinfo returns `sub` and, by the token's scope, `name`, `preferred_username` and `email`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from avhopp.platform.idp.accounts import Account

SIGNING_ALGORITHM = "RS256"
ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - a JWT type, not a secret
API_AUDIENCE = "avhopp-api"
ACR_MFA = "urn:avhopp:mfa"
AMR = ("pwd", "otp")
SCOPES = ("openid", "profile", "email")

TOKEN_LIFETIME = timedelta(minutes=5)
"""ID tokens and access tokens, for people and machines alike."""
CLOCK_LEEWAY = timedelta(seconds=30)
"""Allowed clock difference between the provider and a resource server."""
AUTHORIZATION_CODE_LIFETIME = timedelta(minutes=2)


def userinfo_audience(issuer: str) -> str:
    """The audience of a person's access token: the userinfo endpoint, and nothing else."""
    return f"{issuer}/userinfo"


def person_claims(account: Account, scope: str) -> dict[str, Any]:
    """`sub` and the profile and email claims that `scope` allows."""
    scopes = set(scope.split())
    claims: dict[str, Any] = {"sub": str(account.id)}
    if "profile" in scopes:
        claims["name"] = account.display_name
        claims["preferred_username"] = account.username
    if "email" in scopes and account.email:
        claims["email"] = account.email
    return claims
