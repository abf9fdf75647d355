"""Login through the identity provider, and logout: /auth/login, /auth/callback, /auth/logout."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Annotated, Any

import structlog
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.exceptions import ClientException, HTTPException, PermissionDeniedException
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect

from avhopp.platform.audit import Action, AuditEvent, count_anonymous_alone, record_alone
from avhopp.platform.auth.oidc import LoginRejectedError, new_browser_token
from avhopp.platform.auth.sessions import (
    LOGIN_COOKIE,
    LOGIN_TIMEOUT,
    SESSION_COOKIE,
    end_session,
    remember_login,
    start_session,
    take_login,
)
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.scope.principal import principal_of
from avhopp.platform.scope.route_permissions import PUBLIC, SIGNED_IN
from avhopp.platform.web.observe import request_id_of
from avhopp.platform.web.redirects import safe_return_path

if TYPE_CHECKING:
    from uuid import UUID

    from avhopp.platform.auth.oidc import VerifiedIdentity

_log = structlog.get_logger("avhopp.auth")


def _cookie(name: str, value: str, max_age: int | None, *, secure: bool) -> Cookie:
    return Cookie(key=name, value=value, max_age=max_age, path="/", httponly=True, secure=secure, samesite="lax")


async def _login_failed(request: Request[Any, Any, Any], reason: str) -> None:
    """Record a refused login in the platform chain, by reason code only: nothing the caller sent."""
    event = AuditEvent(action=Action.LOGIN_FAILED, reason=reason, request_id=request_id_of(request.scope) or None)
    await record_alone(request.app.state.sessions, event)


async def _login_failed_counted(request: Request[Any, Any, Any], reason: str) -> None:
    """Count a refused callback that anyone can send (no login of theirs under way, a forged answer) per day."""
    await count_anonymous_alone(request.app.state.sessions, Action.LOGIN_FAILED, reason)


def _secure(state: State) -> bool:
    # Browsers accept Secure cookies from http://localhost and 127.0.0.1, so only a plain-http public host is exempt.
    url: str = state.settings.public_url
    return url.startswith(("https://", "http://127.0.0.1", "http://localhost"))


@get("/auth/login", opt={"permission": PUBLIC}, include_in_schema=False)
async def login(state: State, next_path: Annotated[str | None, QueryParameter(name="next")] = None) -> Response[Any]:
    """Send the browser to the identity provider."""
    try:
        request = await state.oidc.begin()
    except LoginRejectedError as error:
        _log.warning("auth.provider_unavailable", reason=error.reason)
        raise HTTPException(status_code=503) from None
    token = new_browser_token()
    async with context_session(state.sessions, RequestContext()) as session:
        await remember_login(session, token, request, safe_return_path(next_path))
    return Redirect(
        request.url,
        cookies=[_cookie(LOGIN_COOKIE, token, int(LOGIN_TIMEOUT.total_seconds()), secure=_secure(state))],
    )


@get("/auth/callback", opt={"permission": PUBLIC}, include_in_schema=False)
async def callback(
    request: Request[Any, Any, Any],
    state: State,
    code: FromQuery[str | None] = None,
) -> Response[Any]:
    """Verify the provider's answer, find or create the person, start a session."""
    token = request.cookies.get(LOGIN_COOKIE)
    returned_state = request.query_params.get("state")
    async with context_session(state.sessions, RequestContext()) as session:
        pending = await take_login(session, token) if token else None
    if pending is None or not returned_state or not hmac.compare_digest(pending.state, returned_state) or not code:
        _log.warning("auth.login_rejected", reason="state_mismatch" if pending else "no_pending_login")
        await _login_failed_counted(request, "state_mismatch" if pending else "no_pending_login")
        raise ClientException
    try:
        identity = await state.oidc.finish(code, pending.nonce, pending.code_verifier)
    except LoginRejectedError as error:
        _log.warning("auth.login_rejected", reason=error.reason)
        await _login_failed_counted(request, error.reason)
        raise ClientException from None
    async with context_session(state.sessions, RequestContext()) as session:
        user_id = await state.people.user_for_identity(session, identity)
    if user_id is None:
        _log.warning("auth.login_rejected", reason="user_deactivated")
        await _login_failed(request, "user_deactivated")
        raise PermissionDeniedException
    response = Redirect(pending.return_to)
    await begin_session(request, response, identity, user_id)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


async def begin_session(
    request: Request[Any, Any, Any],
    response: Response[Any],
    identity: VerifiedIdentity,
    user_id: UUID,
    acting_tenant_id: UUID | None = None,
) -> None:
    """Start the person's session, record the login and hand the browser its cookie.

    The person acts for `acting_tenant_id` if they are a member there, else for their first tenant;
    naming a tenant they do not belong to is refused.
    """
    state = request.app.state
    session_token = new_browser_token()
    async with context_session(state.sessions, RequestContext(user_id=user_id)) as session:
        choices = await state.people.tenant_choices(session, user_id)
        members_of = [choice.id for choice in choices]
        if acting_tenant_id is not None and acting_tenant_id not in members_of:
            raise PermissionDeniedException
        acting = acting_tenant_id or (members_of[0] if members_of else None)
        await start_session(session, session_token, identity, user_id, acting, lifetime=state.settings.session_lifetime)
    _log.info("auth.login_succeeded", user_id=str(user_id))
    await record_alone(
        state.sessions,
        AuditEvent(Action.LOGIN_SUCCEEDED, acting, user_id, request_id=request_id_of(request.scope) or None),
    )
    # No Max-Age: the browser forgets the session when it closes; the server enforces both time-outs.
    response.set_cookie(_cookie(SESSION_COOKIE, session_token, None, secure=_secure(state)))


@post("/auth/logout", opt={"permission": SIGNED_IN}, include_in_schema=False)
async def logout(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    """End the session here and at the provider."""
    principal = principal_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    id_token = None
    if token:
        async with context_session(state.sessions, RequestContext()) as session:
            id_token = await end_session(session, token)
    _log.info("auth.logout", user_id=str(principal.user_id) if principal else None)
    if principal is not None:
        await record_alone(
            state.sessions,
            AuditEvent(
                Action.LOGOUT, principal.tenant_id, principal.user_id, request_id=request_id_of(request.scope) or None
            ),
        )
    try:
        target = await state.oidc.logout_url(id_token) or "/"
    except LoginRejectedError:
        target = "/"
    response = Redirect(target)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


AUTH_ROUTES = [login, callback, logout]
