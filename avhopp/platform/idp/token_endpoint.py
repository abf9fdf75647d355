"""The token endpoint (authorization code with PKCE, client credentials) and the userinfo endpoint.

Errors keep OAuth2's JSON shape (`{"error": "invalid_grant", ...}`), which clients expect.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from authlib.oauth2.rfc6749 import InvalidGrantError, OAuth2Error
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from litestar import MediaType, Response
from litestar.exceptions import NotAuthorizedException, ServiceUnavailableException

from avhopp.platform.idp.accounts import find_account
from avhopp.platform.idp.audit import audit, refused
from avhopp.platform.idp.claims import person_claims, userinfo_audience
from avhopp.platform.idp.clients import AUTHORIZATION_CODE, find_client
from avhopp.platform.idp.codes import find_code, spend_code
from avhopp.platform.idp.keys import NoSigningKeyError
from avhopp.platform.idp.responses import NO_STORE
from avhopp.platform.idp.server import GrantContext, OAuthResponse, ProviderRequest, ProviderServer
from avhopp.platform.idp.tokens import TokenRejectedError, verify_jwt
from avhopp.platform.web.ratelimit import check_rate

if TYPE_CHECKING:
    from litestar import Request
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.idp.provider import Provider

_OK = 200
_BEARER = "bearer "
_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


async def token(request: Request[Any, Any, Any], provider: Provider) -> Response[Any]:
    """Exchange a code (with its PKCE verifier) or client credentials for tokens."""
    await check_rate(request, provider.limits.token)
    now = datetime.now(UTC)
    form = await request.form()
    params = {name: [value for value in form.getall(name) if isinstance(value, str)] for name in form}
    try:
        oauth = ProviderRequest("POST", f"{provider.issuer}/token", params, request.headers.get("authorization"))
    except OAuth2Error as error:
        refused("idp.token_refused", error.error)
        return _json(OAuthResponse(error.status_code, dict(error.get_body()), {}))
    context = GrantContext(issuer=provider.issuer, now=now)
    async with provider.transaction() as db:
        await _load(db, provider, context, oauth)
        server = ProviderServer(context)
        answer = server.token(oauth)
        spent = context.spent_code
        if answer.status == _OK and spent is not None and not await spend_code(db, spent.code_hash, now):
            # Another exchange of the same code won the race.
            refused("idp.token_refused", "code_reused", client_id=spent.client_id)
            return _json(server.error(oauth, InvalidGrantError("Invalid 'code' in request.")))
    client_id = context.client.client_id if context.client else None
    grant_type = oauth.payload.grant_type if isinstance(oauth.payload.grant_type, str) else "unknown"
    if answer.status == _OK:
        audit("idp.token_issued", client_id=client_id, grant_type=grant_type)
    else:
        refused("idp.token_refused", _refusal_reason(answer, context), client_id=client_id)
    return _json(answer)


async def userinfo(request: Request[Any, Any, Any], provider: Provider) -> dict[str, Any]:
    """The signed-in person's claims, for a person's access token from this provider."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith(_BEARER):
        raise NotAuthorizedException(headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = await verify_jwt(
            header[len(_BEARER) :].strip(), provider.keys, audience=userinfo_audience(provider.issuer)
        )
        account_id = UUID(str(claims["sub"]))
    except TokenRejectedError as error:
        refused("idp.userinfo_refused", error.reason)
        raise NotAuthorizedException(headers=_INVALID_TOKEN) from None
    except ValueError:
        refused("idp.userinfo_refused", "invalid_claims")
        raise NotAuthorizedException(headers=_INVALID_TOKEN) from None
    async with provider.transaction() as db:
        account = await find_account(db, account_id=account_id)
    if account is None or not account.active:
        refused("idp.userinfo_refused", "inactive_account", account_id=account_id)
        raise NotAuthorizedException(headers=_INVALID_TOKEN)
    return person_claims(account, str(claims.get("scope", "")))


async def _load(db: AsyncSession, provider: Provider, context: GrantContext, oauth: ProviderRequest) -> None:
    basic_client_id, _ = extract_basic_authorization(oauth.headers)
    client_id = basic_client_id or oauth.payload.client_id
    context.client = await find_client(db, client_id) if isinstance(client_id, str) else None
    if context.client is None:
        return
    if oauth.payload.grant_type == AUTHORIZATION_CODE:
        code = oauth.payload.data.get("code")
        context.code = await find_code(db, code) if isinstance(code, str) else None
        if context.code is not None:
            context.account = await find_account(db, account_id=context.code.account_id)
    try:
        context.signing_key = await provider.signer.active_key()
    except NoSigningKeyError:
        # Only an owner's start (ensure_identity_provider) creates the first key.
        refused("idp.token_refused", "no_signing_key", client_id=context.client.client_id)
        raise ServiceUnavailableException from None


def _refusal_reason(answer: OAuthResponse, context: GrantContext) -> str:
    body = answer.body if isinstance(answer.body, dict) else {}
    if context.code is not None and context.code.used_at is not None:
        return "code_reused"
    return str(body.get("error", "invalid_request"))


def _json(answer: OAuthResponse) -> Response[Any]:
    headers = {name: value for name, value in answer.headers.items() if name.lower() != "content-type"}
    return Response(answer.body, status_code=answer.status, media_type=MediaType.JSON, headers={**headers, **NO_STORE})
