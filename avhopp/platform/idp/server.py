"""Authlib's authorization server, adapted to Litestar and to an async database.

Authlib's grants are synchronous and call back for clients, codes and users. The routes
therefore load what one request can need into a `GrantContext` first (async), run Authlib
on it (sync, quick: no I/O), and then store what the grant left in the context: a new code
to save, or a code to spend. A server is built per request around its context.

Grants: authorization code with PKCE (S256 only, required from every client) and OpenID
Connect (`nonce` required), and client credentials. Both authenticate the client with
client_secret_basic or client_secret_post. Tokens are JWTs (see avhopp.platform.idp.claims);
nothing is stored for them, so `save_token` does nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import (
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
)
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode

from avhopp.platform.idp.claims import (
    ACR_MFA,
    AMR,
    API_AUDIENCE,
    AUTHORIZATION_CODE_LIFETIME,
    SCOPES,
    SIGNING_ALGORITHM,
    TOKEN_LIFETIME,
    person_claims,
    userinfo_audience,
)
from avhopp.platform.idp.clients import AUTHORIZATION_CODE, CLIENT_CREDENTIALS
from avhopp.platform.idp.codes import AuthorizationCode
from avhopp.platform.idp.tokens import access_token_claims, mint
from avhopp.platform.sealing import digest

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from avhopp.platform.idp.accounts import Account
    from avhopp.platform.idp.clients import Client
    from avhopp.platform.idp.keys import SigningKey

# Authlib logs tokens and client ids at DEBUG; the platform never logs tokens, whatever its level.
logging.getLogger("authlib").setLevel(logging.INFO)

CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


@dataclass(slots=True)
class GrantContext:
    """One request's data for Authlib, loaded before it runs, and what it leaves to store after."""

    issuer: str
    now: datetime
    client: Client | None = None
    signing_key: SigningKey | None = None
    nonce_used: bool = False
    account: Account | None = None
    """The person signing in (authorization endpoint) or the code's owner (token endpoint)."""
    auth_time: datetime | None = None
    code: AuthorizationCode | None = None
    """The code presented at the token endpoint, as stored."""
    issued_code: AuthorizationCode | None = field(default=None, init=False)
    spent_code: AuthorizationCode | None = field(default=None, init=False)


@dataclass(frozen=True, slots=True)
class OAuthResponse:
    """Authlib's answer: a status, a JSON body or an empty one, and headers (a redirect has Location)."""

    status: int
    body: dict[str, Any] | str
    headers: dict[str, str]

    @property
    def location(self) -> str | None:
        """Where a redirect goes."""
        return self.headers.get("Location")


class ProviderRequest(OAuth2Request):  # type: ignore[misc]
    """An OAuth2 request from its parameters (query or form), without the framework's request object."""

    def __init__(self, method: str, uri: str, params: Mapping[str, list[str]], authorization: str | None) -> None:
        super().__init__(method, uri, headers={"Authorization": authorization} if authorization else {})
        self.payload = _Payload(params)

    @property
    def form(self) -> dict[str, str]:
        """The parameters; Authlib reads the token request's body through this."""
        data: dict[str, str] = self.payload.data
        return data

    @property
    def args(self) -> dict[str, str]:
        """The parameters; Authlib reads the authorization request's query through this."""
        data: dict[str, str] = self.payload.data
        return data


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, params: Mapping[str, list[str]]) -> None:
        self._datalist = {name: list(values) for name, values in params.items()}
        self._data = {name: values[0] for name, values in self._datalist.items() if values}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return self._datalist


class _ClientModel:
    """Authlib's view of a client (its ClientMixin protocol)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get_client_id(self) -> str:
        return self.client.client_id

    def get_default_redirect_uri(self) -> None:
        # redirect_uri is required in every request (OpenID Connect Core 3.1.2.1).
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        if not scope:
            return None
        allowed = set(self.client.scope.split())
        return " ".join(name for name in scope.split() if name in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.client.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return self.client.secret_matches(client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in CLIENT_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and AUTHORIZATION_CODE in self.client.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.client.grant_types


class _CodeModel:
    """Authlib's view of a stored authorization code."""

    def __init__(self, code: AuthorizationCode) -> None:
        self.code = code
        self.code_challenge = code.code_challenge
        self.code_challenge_method = code.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.code.redirect_uri

    def get_scope(self) -> str:
        return self.code.scope

    def get_nonce(self) -> str | None:
        return self.code.nonce

    def get_auth_time(self) -> int:
        return int(self.code.auth_time.timestamp())

    def get_acr(self) -> str:
        return ACR_MFA

    def get_amr(self) -> list[str]:
        return list(AMR)


class _CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = list(CLIENT_AUTH_METHODS)  # noqa: RUF012 - Authlib's class attribute

    @property
    def context(self) -> GrantContext:
        context: GrantContext = self.server.context
        return context

    def validate_authorization_request(self) -> str:
        redirect_uri: str = super().validate_authorization_request()
        # The provider exists to sign people in: every request is an OpenID Connect request.
        if "openid" not in (self.request.scope or "").split():
            raise InvalidScopeError("The scope must include 'openid'.", redirect_uri=redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code: str, request: ProviderRequest) -> None:
        context = self.context
        if context.account is None or context.auth_time is None:
            raise RuntimeError("no signed-in account")
        data = request.payload.data
        context.issued_code = AuthorizationCode(
            code_hash=digest(code),
            client_id=request.client.get_client_id(),
            account_id=context.account.id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            nonce=data.get("nonce"),
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            auth_time=context.auth_time,
            expires_at=context.now + AUTHORIZATION_CODE_LIFETIME,
        )

    def query_authorization_code(self, code: str, client: _ClientModel) -> _CodeModel | None:
        stored = self.context.code
        if (
            stored is None
            or stored.code_hash != digest(code)
            or stored.client_id != client.get_client_id()
            or stored.used_at is not None
            or stored.expires_at <= self.context.now
        ):
            return None
        return _CodeModel(stored)

    def delete_authorization_code(self, authorization_code: _CodeModel) -> None:
        self.context.spent_code = authorization_code.code

    def authenticate_user(self, authorization_code: _CodeModel) -> Account | None:
        account = self.context.account
        if account is None or not account.active or account.id != authorization_code.code.account_id:
            return None
        return account


class _ClientCredentialsGrant(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = list(CLIENT_AUTH_METHODS)  # noqa: RUF012 - Authlib's class attribute


class _S256Challenge(CodeChallenge):  # type: ignore[misc]
    """PKCE with S256, required from every client, confidential or not (RFC 9700 2.1.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 - Authlib's class attribute
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: _CodeGrant, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be 'S256'.")
        super().validate_code_challenge(grant, redirect_uri)


class _OpenIDCode(OpenIDCode):  # type: ignore[misc]
    def __init__(self, context: GrantContext) -> None:
        super().__init__(require_nonce=True)
        self.context = context

    def exists_nonce(self, nonce: str, request: ProviderRequest) -> bool:  # noqa: ARG002 - Authlib's signature
        return self.context.nonce_used

    def get_client_algorithm(self, client: _ClientModel) -> str:  # noqa: ARG002 - Authlib's signature
        return SIGNING_ALGORITHM

    def get_encode_header(self, client: _ClientModel) -> dict[str, str]:  # noqa: ARG002 - Authlib's signature
        return {"alg": SIGNING_ALGORITHM, "kid": _signing_key(self.context).kid}

    def resolve_client_private_key(self, client: _ClientModel) -> Any:  # noqa: ARG002, ANN401 - Authlib's signature
        return _signing_key(self.context).private

    def get_client_claims(self, client: _ClientModel) -> dict[str, Any]:
        now = int(self.context.now.timestamp())
        return {
            "iss": self.context.issuer,
            "aud": client.get_client_id(),
            "iat": now,
            "exp": now + int(TOKEN_LIFETIME.total_seconds()),
        }

    def generate_user_info(self, user: Account, scope: str) -> dict[str, Any]:
        return person_claims(user, scope)


def _signing_key(context: GrantContext) -> SigningKey:
    if context.signing_key is None:
        raise RuntimeError("no signing key loaded")
    return context.signing_key


class ProviderServer(AuthorizationServer):  # type: ignore[misc]
    """Authlib's authorization server over one request's `GrantContext`."""

    def __init__(self, context: GrantContext) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.context = context
        self.register_token_generator("default", self._generate_token)
        self.register_grant(_CodeGrant, [_S256Challenge(required=True), _OpenIDCode(context)])
        self.register_grant(_ClientCredentialsGrant)

    def query_client(self, client_id: str) -> _ClientModel | None:
        """The loaded client, if it is the one asked for."""
        client = self.context.client
        return _ClientModel(client) if client is not None and client.client_id == client_id else None

    def save_token(self, token: dict[str, Any], request: ProviderRequest) -> None:
        """JWTs carry everything; nothing to store."""

    def send_signal(self, name: str, *args: object, **kwargs: object) -> None:
        """No signals are used."""

    def create_oauth2_request(self, request: ProviderRequest) -> ProviderRequest:
        """Requests arrive already adapted."""
        return request

    def handle_response(self, status: int, body: dict[str, Any] | str, headers: list[tuple[str, str]]) -> OAuthResponse:
        """Authlib's (status, body, headers), with the issuer added to redirects."""
        response_headers = dict(headers)
        if "Location" in response_headers:
            # RFC 9207: name the issuer in every authorization response, against mix-up attacks.
            response_headers["Location"] = add_params_to_uri(response_headers["Location"], {"iss": self.context.issuer})
        return OAuthResponse(status=status, body=body, headers=response_headers)

    def validate_authorization(self, request: ProviderRequest, end_user: Account | None) -> _CodeGrant:
        """Check an authorization request; OAuth2Error when it is wrong (with `redirect_uri` set only when safe)."""
        try:
            grant: _CodeGrant = self.get_consent_grant(request=request, end_user=end_user)
        except ValueError:
            # Authlib quotes some parameters in its error descriptions and refuses to build the
            # error when they hold characters OAuth2 does not allow there: the request is bad.
            raise InvalidRequestError from None
        return grant

    def authorize(self, request: ProviderRequest, grant: _CodeGrant, account: Account) -> OAuthResponse:
        """Issue a code to the signed-in `account`: the redirect back to the client."""
        response: OAuthResponse = self.create_authorization_response(request=request, grant_user=account, grant=grant)
        return response

    def error(self, request: ProviderRequest, error: OAuth2Error) -> OAuthResponse:
        """The error as Authlib answers it: a redirect to the client when that is safe, JSON otherwise."""
        response: OAuthResponse = self.handle_error_response(request, error)
        return response

    def token(self, request: ProviderRequest) -> OAuthResponse:
        """Answer a token request."""
        repeated = [name for name, values in request.payload.datalist.items() if len(values) > 1]
        if repeated:
            return self.error(request, InvalidRequestError("Repeated parameters."))
        try:
            response: OAuthResponse = self.create_token_response(request)
        except ValueError:  # see validate_authorization
            return self.error(request, InvalidRequestError())
        return response

    def _generate_token(  # noqa: PLR0913, PLR0917 - Authlib's token generator signature
        self,
        grant_type: str,
        client: _ClientModel,
        user: Account | None = None,
        scope: str | None = None,
        expires_in: int | None = None,  # noqa: ARG002 - Authlib's signature; the lifetime is fixed
        include_refresh_token: bool = True,  # noqa: ARG002, FBT001, FBT002 - Authlib's signature; no refresh tokens
    ) -> dict[str, Any]:
        key = _signing_key(self.context)
        record = client.client
        if grant_type == CLIENT_CREDENTIALS:
            claims = access_token_claims(self.context.issuer, API_AUDIENCE, record.client_id, record.client_id)
            claims["tenant_id"] = str(record.scope_tenant_id)
            claims["roles"] = list(record.roles)
        elif user is not None and self.context.code is not None:
            claims = access_token_claims(
                self.context.issuer, userinfo_audience(self.context.issuer), str(user.id), record.client_id
            )
            claims.update(
                scope=scope or "",
                auth_time=int(self.context.code.auth_time.timestamp()),
                acr=ACR_MFA,
                amr=list(AMR),
            )
        else:
            raise RuntimeError("unsupported grant")
        token: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": mint(key, claims),
            "expires_in": int(TOKEN_LIFETIME.total_seconds()),
        }
        if scope:
            token["scope"] = scope
        return token
