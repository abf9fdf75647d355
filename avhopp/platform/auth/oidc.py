"""The platform as an OpenID Connect client (authorization code with PKCE).

One code path for every issuer: the organisation's provider (Keycloak, Entra ID, a Swedish
public-sector IdP) configured by its issuer URL, or the platform's built-in provider at
`{public_url}/idp`. The provider's endpoints come from discovery; the ID token is verified
against its JWKS with an exact issuer match, our client id as audience, and the nonce bound to
the login attempt.

Claims used (the claim mapping):

| claim | becomes |
|---|---|
| `iss` + `sub` | the person's identity; a new pair creates a new platform user on first login |
| `name`, else `given_name` + `family_name`, else `preferred_username` | display name |
| `email` | e-mail address (contact only; never used to match a person) |

Memberships and roles are managed on the platform, never taken from the provider's claims.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

if TYPE_CHECKING:
    from avhopp.platform.settings import Settings

_ALGORITHMS = ["RS256", "ES256", "PS256"]
_METADATA_TTL = 300.0


class LoginRejectedError(Exception):
    """The provider's answer cannot be trusted; `reason` is a code safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    """What a verified ID token says about the person."""

    issuer: str
    subject: str
    display_name: str
    email: str | None
    id_token: str


@dataclass(frozen=True, slots=True)
class LoginRequest:
    """Where to send the browser, and what to remember until it comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """The issuer and this platform's registration with it."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    post_logout_redirect_uri: str


class OidcClient:
    """Talks to one issuer. Metadata and keys are cached for a few minutes."""

    def __init__(self, config: ClientConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self._transport = transport
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._fetched_at = 0.0

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:  # noqa: ANN401
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=10.0) as http:
                return await http.request(method, url, **kwargs)
        except httpx.HTTPError:
            raise LoginRejectedError("provider_unreachable") from None

    async def metadata(self) -> dict[str, Any]:
        """The issuer's discovery document; its `issuer` must be exactly the configured one."""
        if self._metadata is None or time.monotonic() - self._fetched_at > _METADATA_TTL:
            response = await self._request("GET", f"{self.config.issuer}/.well-known/openid-configuration")
            if response.status_code != httpx.codes.OK:
                raise LoginRejectedError("discovery_failed")
            metadata = response.json()
            if metadata.get("issuer") != self.config.issuer:
                raise LoginRejectedError("issuer_mismatch")
            self._metadata, self._keys, self._fetched_at = metadata, None, time.monotonic()
        return self._metadata

    async def _key_set(self, *, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            metadata = await self.metadata()
            response = await self._request("GET", metadata["jwks_uri"])
            if response.status_code != httpx.codes.OK:
                raise LoginRejectedError("jwks_failed")
            self._keys = KeySet.import_key_set(response.json())
        return self._keys

    async def begin(self) -> LoginRequest:
        """Start a login: state, nonce and a PKCE verifier, all fresh."""
        metadata = await self.metadata()
        state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
        query = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "redirect_uri": self.config.redirect_uri,
            "scope": "openid profile email",
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        return LoginRequest(
            url=f"{metadata['authorization_endpoint']}?{urlencode(query)}",
            state=state,
            nonce=nonce,
            code_verifier=verifier,
        )

    async def finish(self, code: str, nonce: str, code_verifier: str) -> VerifiedIdentity:
        """Exchange the code and verify the ID token it brings."""
        metadata = await self.metadata()
        response = await self._request(
            "POST",
            metadata["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.config.redirect_uri,
                "code_verifier": code_verifier,
            },
            auth=(self.config.client_id, self.config.client_secret),
        )
        if response.status_code != httpx.codes.OK:
            raise LoginRejectedError("token_exchange_failed")
        id_token = response.json().get("id_token")
        if not isinstance(id_token, str):
            raise LoginRejectedError("no_id_token")
        claims = await self._verified_claims(id_token, nonce)
        return VerifiedIdentity(
            issuer=self.config.issuer,
            subject=str(claims["sub"]),
            display_name=_display_name(claims),
            email=claims.get("email") if isinstance(claims.get("email"), str) else None,
            id_token=id_token,
        )

    async def _verified_claims(self, id_token: str, nonce: str) -> dict[str, Any]:
        try:
            token = jwt.decode(id_token, await self._key_set(), algorithms=_ALGORITHMS)
        except JoseError:
            # The provider may have rotated its keys since we fetched them.
            try:
                token = jwt.decode(id_token, await self._key_set(refresh=True), algorithms=_ALGORITHMS)
            except JoseError:
                raise LoginRejectedError("id_token_signature") from None
        registry = jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": self.config.issuer},
            aud={"essential": True, "value": self.config.client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except JoseError:
            raise LoginRejectedError("id_token_claims") from None
        return dict(token.claims)

    async def logout_url(self, id_token: str | None) -> str | None:
        """Where to end the provider's own session, if it offers RP-initiated logout."""
        endpoint = (await self.metadata()).get("end_session_endpoint")
        if not endpoint:
            return None
        query = {"client_id": self.config.client_id, "post_logout_redirect_uri": self.config.post_logout_redirect_uri}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(query)}"


def _display_name(claims: dict[str, Any]) -> str:
    for candidate in (
        claims.get("name"),
        " ".join(part for part in (claims.get("given_name"), claims.get("family_name")) if isinstance(part, str)),
        claims.get("preferred_username"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()[:200]
    return "Okänt namn"


def client_config(settings: Settings, built_in_secret: str) -> ClientConfig:
    """The configured external issuer, or the built-in provider with the platform's own client."""
    if settings.oidc is not None:
        issuer, client_id, secret = settings.oidc.issuer, settings.oidc.client_id, settings.oidc.client_secret
    else:
        issuer, client_id, secret = f"{settings.public_url}/idp", BUILT_IN_CLIENT_ID, built_in_secret
    return ClientConfig(
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        redirect_uri=f"{settings.public_url}/auth/callback",
        post_logout_redirect_uri=f"{settings.public_url}/",
    )


BUILT_IN_CLIENT_ID = "avhopp-web"


def new_browser_token() -> str:
    """A random token for a cookie; only its hash is stored."""
    return secrets.token_urlsafe(32)
