"""JWT access tokens (RFC 9068): minting at the provider, verification at resource servers.

`verify_access_token` is what the API's authentication layer calls for a machine client's
Bearer token. It refuses, with one `TokenRejectedError` whose `reason` is safe to log:
anything but RS256 (so neither `none` nor HS256 with the public key as secret), a `typ`
other than `at+jwt`, an unknown key, a bad signature, another issuer, another audience,
an expired or not-yet-valid token, and missing or malformed claims.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from joserfc import jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError, JoseError, MissingClaimError
from joserfc.jwt import JWTClaimsRegistry

from avhopp.platform.idp.claims import (
    ACCESS_TOKEN_TYPE,
    API_AUDIENCE,
    CLOCK_LEEWAY,
    SIGNING_ALGORITHM,
    TOKEN_LIFETIME,
)

if TYPE_CHECKING:
    from avhopp.platform.idp.keys import KeyStore, SigningKey

MAX_TOKEN_LENGTH = 8192


class TokenRejectedError(Exception):
    """A token was refused; `reason` is a short code, safe to log, e.g. `expired` or `wrong_audience`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class MachineClaims:
    """A verified machine client's access token."""

    client_id: str
    tenant_id: UUID
    roles: frozenset[str]
    token_id: str
    expires_at: datetime


def mint(key: SigningKey, claims: dict[str, Any], token_type: str = ACCESS_TOKEN_TYPE) -> str:
    """Sign `claims` with the active key; the header names the key and the token type."""
    return jwt.encode({"alg": SIGNING_ALGORITHM, "kid": key.kid, "typ": token_type}, claims, key.private)


def access_token_claims(issuer: str, audience: str, subject: str, client_id: str) -> dict[str, Any]:
    """The RFC 9068 claims every access token has; callers add their own."""
    now = int(time.time())
    return {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "client_id": client_id,
        "iat": now,
        "exp": now + int(TOKEN_LIFETIME.total_seconds()),
        "jti": secrets.token_urlsafe(16),
    }


async def verify_access_token(token: str, keys: KeyStore) -> MachineClaims:
    """Verify a machine client's access token for the platform API; TokenRejectedError otherwise."""
    claims = await verify_jwt(token, keys, audience=API_AUDIENCE)
    roles, client_id, token_id = claims.get("roles"), claims.get("client_id"), claims.get("jti")
    if (
        not isinstance(roles, list)
        or not all(isinstance(role, str) for role in roles)
        or not isinstance(client_id, str)
        or claims.get("sub") != client_id
        or not isinstance(token_id, str)
    ):
        raise TokenRejectedError("invalid_claims")
    try:
        tenant_id = UUID(str(claims.get("tenant_id")))
    except ValueError:
        raise TokenRejectedError("invalid_claims") from None
    return MachineClaims(
        client_id=client_id,
        tenant_id=tenant_id,
        roles=frozenset(roles),
        token_id=token_id,
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
    )


class VerifiedAccessTokens:
    """Access tokens this process has verified, so a client's next request with one skips its signature.

    A machine client sends the same token with each request for its five minutes, and checking an
    RSA-3072 signature cost 0.3 ms of the process's CPU a request (the directory benchmark). A token
    is remembered by its SHA-256, never itself, and only once it has passed `verify_access_token`.
    A remembered token is accepted again only while the key that signed it is still published (a
    key withdrawn, or pruned after a rotation, ends it at once) and until it expires, with the same
    leeway; otherwise it is forgotten and verified from scratch. Past `capacity`, the first
    remembered is forgotten first.
    """

    def __init__(self, keys: KeyStore, capacity: int = 10_000) -> None:
        self.keys = keys
        self._capacity = capacity
        self._verified: dict[bytes, tuple[str, MachineClaims]] = {}

    async def verify(self, token: str) -> MachineClaims:
        """As `verify_access_token(token, self.keys)`."""
        digest = hashlib.sha256(token.encode()).digest()
        remembered = self._verified.get(digest)
        if remembered is not None:
            kid, claims = remembered
            unexpired = datetime.now(UTC) < claims.expires_at + CLOCK_LEEWAY
            if unexpired and await self.keys.verification_key(kid) is not None:
                return claims
            self._verified.pop(digest, None)
        claims = await verify_access_token(token, self.keys)
        # The header is signed: its kid is the key that verified the token.
        self._verified[digest] = (_header(token)["kid"], claims)
        if len(self._verified) > self._capacity:
            self._verified.pop(next(iter(self._verified)))  # the first remembered, which expires first
        return claims


async def verify_jwt(
    token: str,
    keys: KeyStore,
    *,
    audience: str | None,
    token_type: str = ACCESS_TOKEN_TYPE,
    check_expiry: bool = True,
) -> dict[str, Any]:
    """Verify signature, algorithm, type, issuer, audience and times; return the claims."""
    header = _header(token)
    if header.get("alg") != SIGNING_ALGORITHM:
        raise TokenRejectedError("algorithm_not_allowed")
    if header.get("typ") != token_type:
        raise TokenRejectedError("wrong_type")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise TokenRejectedError("unknown_key")
    key = await keys.verification_key(kid)
    if key is None:
        raise TokenRejectedError("unknown_key")
    try:
        decoded = jwt.decode(token, key, algorithms=[SIGNING_ALGORITHM])
    except BadSignatureError:
        raise TokenRejectedError("bad_signature") from None
    except JoseError:
        raise TokenRejectedError("malformed") from None
    return validate_claims(decoded.claims, issuer=keys.issuer, audience=audience, check_expiry=check_expiry)


def validate_claims(
    claims: dict[str, Any], *, issuer: str, audience: str | None, check_expiry: bool = True
) -> dict[str, Any]:
    """Check issuer, audience (when given), expiry and not-before, with a small leeway for clock skew."""
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": issuer},
        "iat": {"essential": True},
        "sub": {"essential": True},
    }
    if check_expiry:
        options["exp"] = {"essential": True}
    if audience is not None:
        options["aud"] = {"essential": True, "value": audience}
    registry = JWTClaimsRegistry(leeway=int(CLOCK_LEEWAY.total_seconds()), **options)
    checked = claims if check_expiry else {name: value for name, value in claims.items() if name != "exp"}
    try:
        registry.validate(checked)
    except ExpiredTokenError:
        raise TokenRejectedError("expired") from None
    except MissingClaimError:
        raise TokenRejectedError("missing_claim") from None
    except JoseError as error:
        raise TokenRejectedError(_claim_reason(error)) from None
    return claims


def _claim_reason(error: JoseError) -> str:
    claim = getattr(error, "claim", "")
    return {"iss": "wrong_issuer", "aud": "wrong_audience", "nbf": "not_yet_valid", "iat": "not_yet_valid"}.get(
        claim, "invalid_claims"
    )


def _header(token: str) -> dict[str, Any]:
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:  # noqa: PLR2004 - header.payload.signature
        raise TokenRejectedError("malformed")
    segment = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError):
        raise TokenRejectedError("malformed") from None
    if not isinstance(header, dict):
        raise TokenRejectedError("malformed")
    return header
