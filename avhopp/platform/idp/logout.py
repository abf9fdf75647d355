"""RP-initiated logout (end_session): end the provider's browser session, then go back to the client.

The browser is sent on only to a `post_logout_redirect_uri` registered for the client, named
by `client_id` or by the audience of `id_token_hint`; an unregistered one is refused and the
session is left as it was. A hint must be a token this issuer signed (it may have expired).
Without a hint for the signed-in person, the person confirms first (OpenID Connect
RP-Initiated Logout 1.0, section 6), so that a link on another site cannot sign them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from authlib.common.urls import add_params_to_uri

from avhopp.platform.idp.audit import audit, refused
from avhopp.platform.idp.browser_sessions import current_session, end_session
from avhopp.platform.idp.clients import find_client
from avhopp.platform.idp.login import form_text
from avhopp.platform.idp.responses import SESSION_COOKIE, cleared_cookie, page, redirect, refusal
from avhopp.platform.idp.tokens import TokenRejectedError, verify_jwt

if TYPE_CHECKING:
    from collections.abc import Mapping

    from litestar import Request, Response

    from avhopp.platform.idp.provider import Provider

_ID_TOKEN_TYPE = "JWT"  # noqa: S105 - a JWT type, not a secret
_SEE_OTHER: Final = 303
_REFUSED_TITLE = "Utloggningen kunde inte genomföras"
_NOT_VALID = (
    "Begäran om utloggning är inte giltig, så du har inte loggats ut. Gå tillbaka till tjänsten och försök igen."
)


@dataclass(frozen=True, slots=True)
class _LogoutRequest:
    client_id: str | None
    post_logout_redirect_uri: str | None
    state: str | None
    hint_subject: str | None


async def end_session_endpoint(
    request: Request[Any, Any, Any], provider: Provider, *, confirmed: bool
) -> Response[Any]:
    """GET from a client (asks to confirm when needed), or POST from the confirmation page."""
    params = await _params(request, confirmed=confirmed)
    logout = await _read(params, provider)
    if isinstance(logout, str):
        refused("idp.logout_refused", logout)
        return refusal(_REFUSED_TITLE, _NOT_VALID)
    now = datetime.now(UTC)
    async with provider.transaction() as db:
        client = await find_client(db, logout.client_id) if logout.client_id else None
        target = logout.post_logout_redirect_uri
        if target is not None and (client is None or target not in client.post_logout_redirect_uris):
            refused("idp.logout_refused", "unregistered_redirect", client_id=client.client_id if client else None)
            return refusal(_REFUSED_TITLE, _NOT_VALID)
        browser = await current_session(db, request.cookies.get(SESSION_COOKIE), now)
        if browser is not None and not confirmed and logout.hint_subject != str(browser.account_id):
            return page(
                "logout",
                {
                    "client_id": client.client_id if client else "",
                    "post_logout_redirect_uri": target or "",
                    "state": logout.state or "",
                },
            )
        if browser is not None:
            await end_session(db, browser.id, now)
    if browser is not None:
        audit("idp.signed_out", account_id=browser.account_id, client_id=client.client_id if client else None)
    cookies = [cleared_cookie(provider, SESSION_COOKIE)]
    if target is None:
        return page("logged_out", {}, cookies=cookies)
    location = add_params_to_uri(target, {"state": logout.state}) if logout.state else target
    return redirect(location, status=_SEE_OTHER, cookies=cookies)


async def _params(request: Request[Any, Any, Any], *, confirmed: bool) -> Mapping[str, str]:
    names = ("client_id", "post_logout_redirect_uri", "state", "id_token_hint")
    if confirmed:
        form = await request.form()
        return {name: form_text(form, name, 2048) for name in names if form_text(form, name, 2048)}
    return {name: value for name in names if isinstance(value := request.query_params.get(name), str) and value}


async def _read(params: Mapping[str, str], provider: Provider) -> _LogoutRequest | str:
    """The request, or a reason code for refusing it."""
    client_id = params.get("client_id")
    hint_subject = None
    hint = params.get("id_token_hint")
    if hint:
        try:
            claims = await verify_jwt(hint, provider.keys, audience=None, token_type=_ID_TOKEN_TYPE, check_expiry=False)
        except TokenRejectedError as error:
            # An unverifiable hint identifies nobody: the person confirms instead.
            refused("idp.logout_hint_refused", error.reason)
        else:
            audience = claims.get("aud")
            audiences = [audience] if isinstance(audience, str) else list(audience or [])
            if client_id is not None and client_id not in audiences:
                return "client_mismatch"
            if client_id is None and len(audiences) == 1:
                client_id = str(audiences[0])
            hint_subject = str(claims["sub"])
    return _LogoutRequest(
        client_id=client_id,
        post_logout_redirect_uri=params.get("post_logout_redirect_uri"),
        state=params.get("state"),
        hint_subject=hint_subject,
    )
