"""The authorization endpoint: check the client's request, sign the person in, redirect back with a code.

Every request, GET or POST, is validated by Authlib before anything else happens. An error
goes back to the client only once the client and its exact redirect URI are known to be
registered; otherwise the browser gets a refusal page and is sent nowhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from authlib.oauth2.rfc6749 import OAuth2Error

from avhopp.platform.idp.accounts import find_account
from avhopp.platform.idp.audit import audit, refused
from avhopp.platform.idp.browser_sessions import current_session, end_session, start_session
from avhopp.platform.idp.clients import find_client
from avhopp.platform.idp.codes import nonce_used, save_code
from avhopp.platform.idp.login import (
    LOGIN_STATE_SECONDS,
    RESTART,
    ShowStep,
    Stage,
    enrol_step,
    form_text,
    new_password_step,
    open_state,
    password_step,
    seal_state,
    totp_step,
)
from avhopp.platform.idp.responses import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    cleared_cookie,
    page,
    provider_cookie,
    redirect,
    refusal,
    translated,
)
from avhopp.platform.idp.server import GrantContext, ProviderRequest, ProviderServer
from avhopp.platform.sealing import digest
from avhopp.platform.web.ratelimit import check_rate
from avhopp.platform.web.security_headers import content_security_policy, origin_of

if TYPE_CHECKING:
    from litestar import Request, Response
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.idp.accounts import Account
    from avhopp.platform.idp.browser_sessions import BrowserSession
    from avhopp.platform.idp.login import StepResult
    from avhopp.platform.idp.provider import Provider
    from avhopp.platform.idp.server import _CodeGrant

_FOUND: Final = 302
_SEE_OTHER: Final = 303
_TEMPLATES = {None: "login", Stage.TOTP: "totp", Stage.NEW_PASSWORD: "new_password", Stage.ENROL: "enrol"}
_INVALID_TITLE = "Inloggningen kunde inte starta"
_INVALID_MESSAGE = "Länken till inloggningen är inte giltig. Gå tillbaka till tjänsten du kom från och försök igen."


async def show_authorization(request: Request[Any, Any, Any], provider: Provider) -> Response[Any]:
    """GET: with a live browser session, issue a code at once (single sign-on); otherwise show the login form."""
    now = datetime.now(UTC)
    oauth = _oauth_request(request, provider)
    if oauth is None:
        return refusal(_INVALID_TITLE, _INVALID_MESSAGE)
    context = GrantContext(issuer=provider.issuer, now=now)
    async with provider.transaction() as db:
        await _load_client(db, context, oauth)
        browser = await current_session(db, request.cookies.get(SESSION_COOKIE), now)
        account = await _single_sign_on_account(db, browser, oauth, now)
        server = ProviderServer(context)
        try:
            grant = server.validate_authorization(oauth, end_user=account)
        except OAuth2Error as error:
            return _authorization_error(server, oauth, error, context)
        if browser is None or account is None or grant.prompt == "login":
            return _show(request, provider, context, ShowStep(stage=None, status=200))
        context.account, context.auth_time = account, browser.created_at
        location = await _issue_code(db, server, oauth, grant, context)
    if location is None:
        return refusal(_INVALID_TITLE, _INVALID_MESSAGE)
    audit("idp.single_sign_on", account_id=account.id, client_id=oauth.payload.client_id)
    return redirect(location, status=_FOUND)


async def submit_authorization(request: Request[Any, Any, Any], provider: Provider) -> Response[Any]:
    """POST: one step of signing in; after the last one, open a browser session and redirect with a code."""
    await check_rate(request, provider.limits.sign_in)
    now = datetime.now(UTC)
    oauth = _oauth_request(request, provider)
    if oauth is None:
        return refusal(_INVALID_TITLE, _INVALID_MESSAGE)
    context = GrantContext(issuer=provider.issuer, now=now)
    async with provider.transaction() as db:
        await _load_client(db, context, oauth)
        server = ProviderServer(context)
        try:
            grant = server.validate_authorization(oauth, end_user=None)
        except OAuth2Error as error:
            return _authorization_error(server, oauth, error, context)
        result = await _run_step(db, request, provider, now)
        if isinstance(result, ShowStep):
            return _show(request, provider, context, result)
        earlier = request.cookies.get(SESSION_COOKIE)
        if earlier:
            await end_session(db, digest(earlier), now)
        token = await start_session(db, result.account.id, now)
        context.account, context.auth_time = result.account, now
        location = await _issue_code(db, server, oauth, grant, context)
    if location is None:
        return refusal(_INVALID_TITLE, _INVALID_MESSAGE)
    audit("idp.signed_in", account_id=result.account.id, client_id=oauth.payload.client_id)
    # 303, so that the browser does not repeat the form post at the client (RFC 9700 4.12).
    cookies = [provider_cookie(provider, SESSION_COOKIE, token), cleared_cookie(provider, LOGIN_COOKIE)]
    return redirect(location, status=_SEE_OTHER, cookies=cookies)


async def _run_step(db: AsyncSession, request: Request[Any, Any, Any], provider: Provider, now: datetime) -> StepResult:
    form = await request.form()
    step = form_text(form, "step")
    if step == "password":
        return await password_step(db, provider, form, now)
    state = open_state(provider.settings.secret_key, request.cookies.get(LOGIN_COOKIE))
    if state is None or step != state.stage.value:
        return ShowStep(stage=None, errors={"username": RESTART})
    if state.stage is Stage.TOTP:
        return await totp_step(db, provider, form, state, now)
    if state.stage is Stage.NEW_PASSWORD:
        return await new_password_step(db, form, state, now)
    return await enrol_step(db, provider, form, state, now)


def _oauth_request(request: Request[Any, Any, Any], provider: Provider) -> ProviderRequest | None:
    params = {name: request.query_params.getall(name) for name in request.query_params}
    try:
        return ProviderRequest(request.method, f"{provider.issuer}/authorize", params, authorization=None)
    except OAuth2Error as error:  # the public URL is plain http beyond this machine
        refused("idp.authorization_refused", error.error)
        return None


async def _load_client(db: AsyncSession, context: GrantContext, oauth: ProviderRequest) -> None:
    client_id = oauth.payload.client_id
    context.client = await find_client(db, client_id) if isinstance(client_id, str) else None
    nonce = oauth.payload.data.get("nonce")
    if context.client is not None and nonce:
        context.nonce_used = await nonce_used(db, context.client.client_id, nonce)


async def _single_sign_on_account(
    db: AsyncSession, browser: BrowserSession | None, oauth: ProviderRequest, now: datetime
) -> Account | None:
    if browser is None:
        return None
    max_age = oauth.payload.data.get("max_age")
    if max_age is not None and (not max_age.isdigit() or (now - browser.created_at).total_seconds() > int(max_age)):
        return None
    account = await find_account(db, account_id=browser.account_id)
    usable = (
        account is not None and account.active and not account.password_reset_required and account.has_authenticator
    )
    return account if usable else None


async def _issue_code(
    db: AsyncSession, server: ProviderServer, oauth: ProviderRequest, grant: _CodeGrant, context: GrantContext
) -> str | None:
    """Issue and store a code for `context.account`; the redirect back to the client (None if Authlib refused)."""
    if context.account is None:
        raise RuntimeError("no account to issue a code to")
    answer = server.authorize(oauth, grant, context.account)
    if context.issued_code is not None:
        await save_code(db, context.issued_code)
    return answer.location


def _authorization_error(
    server: ProviderServer, oauth: ProviderRequest, error: OAuth2Error, context: GrantContext
) -> Response[Any]:
    refused("idp.authorization_refused", error.error, client_id=context.client.client_id if context.client else None)
    if error.redirect_uri:
        answer = server.error(oauth, error)
        if answer.location is not None:
            return redirect(answer.location, status=_SEE_OTHER if oauth.method == "POST" else _FOUND)
    return refusal(_INVALID_TITLE, _INVALID_MESSAGE)


def oauth_redirect_uri(request: Request[Any, Any, Any]) -> str | None:
    """The redirect URI of the authorization request shown; validated against the client before any page."""
    value = request.query_params.get("redirect_uri")
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def _show(request: Request[Any, Any, Any], provider: Provider, context: GrantContext, step: ShowStep) -> Response[Any]:
    cookie = (
        provider_cookie(
            provider, LOGIN_COOKIE, seal_state(provider.settings.secret_key, step.state), max_age=LOGIN_STATE_SECONDS
        )
        if step.state is not None
        else cleared_cookie(provider, LOGIN_COOKIE)
    )
    values = {
        "action": f"{request.url.path}?{request.url.query}",
        "client_name": context.client.name if context.client else "",
        "errors": translated(request, step.errors),
        "username": "",
        **step.values,
    }
    response = page(_TEMPLATES[step.stage], values, status=step.status, cookies=[cookie])
    redirect_uri = oauth_redirect_uri(request)
    if redirect_uri is not None:
        # The form's last answer redirects to the client; browsers hold that redirect to form-action.
        response.headers["content-security-policy"] = content_security_policy((origin_of(redirect_uri),))
    return response
