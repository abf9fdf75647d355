"""Resolve the request's principal once, before any handler runs.

A machine client presents a bearer token; a person presents the session cookie. The tenant
comes from the principal (the token's scope, or the tenant the person chose to act for),
never from a header, a path or a form field the caller controls.

The transaction that resolves the principal is also the handler's, when the handler takes a
scope bound to that principal (`acting` or `signed_in`, see avhopp.platform.scope.request): a
simple read is then one transaction. The scope takes the session over, commits or rolls it back;
a session the handler did not take (refused by a guard, for instance) is committed here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import structlog
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException

from avhopp.platform.auth.sessions import SESSION_COOKIE, active_session, end_sessions_of
from avhopp.platform.authz.registry import REGISTRY
from avhopp.platform.database import RequestContext, continued_session
from avhopp.platform.scope.principal import PRINCIPAL_STATE_KEY, Principal
from avhopp.platform.scope.request import BOUND_SCOPES, OPEN_SESSION_STATE_KEY

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.auth.directory import PeopleDirectory

_log = structlog.get_logger("avhopp.auth")
IDP_PATH = "/idp/"


class PrincipalMiddleware:
    """Litestar middleware that puts the Principal (or nothing) into the request state."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Resolve, then pass on."""
        # The identity provider authenticates its own callers (client secrets, its own tokens).
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith(IDP_PATH):
            await self.app(scope, receive, send)
            return
        connection = ASGIConnection[Any, Any, Any, Any](scope, receive, send)
        if not connection.headers.get("authorization") and not connection.cookies.get(SESSION_COOKIE):
            # Anonymous: no principal, and no session to open.
            await self.app(scope, receive, send)
            return
        session: AsyncSession = connection.app.state.sessions(info={"context": RequestContext()})
        try:
            principal = await _resolve(connection, session)
        except BaseException:
            await session.rollback()
            await session.close()
            raise
        if principal is not None:
            scope["state"][PRINCIPAL_STATE_KEY] = principal
        if principal is None or not _takes_bound_scope(scope):
            # Nothing to hand over: the transaction ends before the handler runs.
            await _end(session)
            await self.app(scope, receive, send)
            return
        scope["state"][OPEN_SESSION_STATE_KEY] = session
        try:
            await self.app(scope, receive, send)
        finally:
            untaken = scope["state"].pop(OPEN_SESSION_STATE_KEY, None)
            if untaken is not None:
                await _end(untaken)


async def _end(session: AsyncSession) -> None:
    """Commit what resolving the principal wrote (a session's touch, the end of a deactivated person's)."""
    async with continued_session(session):
        pass


def _takes_bound_scope(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    parameters = getattr(getattr(handler, "parsed_fn_signature", None), "parameters", {})
    return any(name in parameters for name in BOUND_SCOPES)


async def _resolve(connection: ASGIConnection[Any, Any, Any, Any], session: AsyncSession) -> Principal | None:
    authorization = connection.headers.get("authorization", "")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException(headers={"WWW-Authenticate": 'Bearer error="invalid_request"'})
        machine: Principal = await connection.app.state.machine_tokens.principal(token.strip())
        return await _with_account(connection, session, machine)
    cookie = connection.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    state = connection.app.state
    # Found without a person or tenant, the web session names who acts, and for which tenant, as it is read.
    people: PeopleDirectory = state.people
    found = await active_session(session, cookie, state.settings.session_idle, people.principal_read)
    if found is None:
        return None
    web_session, principal_rows = found
    user_id, tenant_id = web_session.user_id, web_session.acting_tenant_id
    # Acting for no tenant if they have none yet or their membership was revoked: signed in, no tenant data.
    principal = people.principal_from(principal_rows, user_id, tenant_id)
    if principal is None:
        # Deactivated: ended for good, so that a reactivation does not bring this session back.
        await end_sessions_of(session, user_id)
        return None
    permissions = await state.authz.permissions_of(principal, REGISTRY.permission_keys())
    return replace(principal, permissions=permissions)


async def _with_account(
    connection: ASGIConnection[Any, Any, Any, Any], session: AsyncSession, machine: Principal
) -> Principal:
    """The machine client with its system account and its tenant's kind.

    An inactive tenant has no kind, so kind-bound routes stay shut.
    """
    if machine.tenant_id is None:
        return machine
    session.info["context"] = RequestContext(tenant_id=machine.tenant_id)
    principal: Principal = await connection.app.state.people.machine_principal(session, machine)
    return principal
