"""The request scope: who acts, for which tenant, and a database session already bound to both.

Handlers take one of three parameters and never open a session or derive the tenant themselves:

- `acting: Acting`: a person or machine client acting for a tenant. Anyone else is answered
  "not found", as for a foreign object, so nobody learns what exists here.
- `signed_in: SignedIn`: a signed-in person, acting for a tenant or not yet (the account page,
  invitations, their own notifications).
- `anyone: Anyone`: anyone; the session sees only what row-level security shows to nobody
  in particular (the published directory).

Each session is one transaction: committed after the handler returns and its response is built,
rolled back if the handler raises. The tenant and user reach row-level security at BEGIN. The
two scopes bound to the principal continue the transaction in which the principal middleware
resolved it (avhopp.platform.auth.middleware), so a simple read is one transaction.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from litestar.di import NamedDependency, Provide

from avhopp.platform.database import RequestContext, act_as, context_of, context_session, continued_session
from avhopp.platform.problems import NotFoundError
from avhopp.platform.scope.principal import principal_of

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from uuid import UUID

    from litestar import Request
    from litestar.datastructures import State
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.scope.principal import Principal


class TenantScope:
    """A principal acting for one tenant, with a session bound to that tenant."""

    # A plain class, not a dataclass: Litestar would otherwise validate the fields of every scope.
    __slots__ = ("principal", "session", "tenant_id")

    def __init__(self, principal: Principal, tenant_id: UUID, session: AsyncSession) -> None:
        self.principal = principal
        self.tenant_id = tenant_id
        self.session = session

    @property
    def user_id(self) -> UUID | None:
        """The account acting: a person's, or a machine client's system account."""
        return self.principal.user_id

    @property
    def person_id(self) -> UUID | None:
        """The person acting; None for a machine client."""
        return self.principal.person_id


class PersonScope:
    """A signed-in person, with a session bound to them and to the tenant they act for, if any."""

    __slots__ = ("principal", "session", "user_id")

    def __init__(self, principal: Principal, user_id: UUID, session: AsyncSession) -> None:
        self.principal = principal
        self.user_id = user_id
        self.session = session


class PublicScope:
    """Anyone; the session is bound to no tenant and no person."""

    __slots__ = ("principal", "session")

    def __init__(self, principal: Principal | None, session: AsyncSession) -> None:
        self.principal = principal
        self.session = session


OPEN_SESSION_STATE_KEY = "avhopp.open_session"
"""Where the principal middleware leaves the session that resolved the principal, still in its transaction."""
BOUND_SCOPES = ("acting", "signed_in")
"""The scopes bound to the principal, which continue the transaction that resolved it."""


@asynccontextmanager
async def _session_for(
    request: Request[Any, Any, Any], state: State, context: RequestContext
) -> AsyncIterator[AsyncSession]:
    """The principal's open session when there is one (switched to `context` if it differs), else a new one."""
    open_session: AsyncSession | None = request.scope["state"].pop(OPEN_SESSION_STATE_KEY, None)
    if open_session is None:
        async with context_session(state.sessions, context) as session:
            yield session
        return
    async with continued_session(open_session) as session:
        if context_of(session) != context:
            await act_as(session, context)
        yield session


async def _tenant_scope(request: Request[Any, Any, Any], state: State) -> AsyncIterator[TenantScope]:
    principal = principal_of(request)
    if principal is None or principal.tenant_id is None:
        raise NotFoundError
    context = RequestContext(tenant_id=principal.tenant_id, user_id=principal.user_id)
    async with _session_for(request, state, context) as session:
        yield TenantScope(principal, principal.tenant_id, session)


async def _person_scope(request: Request[Any, Any, Any], state: State) -> AsyncIterator[PersonScope]:
    principal = principal_of(request)
    person_id = None if principal is None else principal.person_id
    if principal is None or person_id is None:
        raise NotFoundError
    context = RequestContext(tenant_id=principal.tenant_id, user_id=person_id)
    async with _session_for(request, state, context) as session:
        yield PersonScope(principal, person_id, session)


async def _public_scope(request: Request[Any, Any, Any], state: State) -> AsyncIterator[PublicScope]:
    async with context_session(state.sessions, RequestContext()) as session:
        yield PublicScope(principal_of(request), session)


SCOPE_DEPENDENCIES = {
    "acting": Provide(_tenant_scope),
    "signed_in": Provide(_person_scope),
    "anyone": Provide(_public_scope),
}
"""The app's dependencies: a handler names `acting`, `signed_in` or `anyone` to get one.
These names are reserved app-wide: no query, path or form parameter may use them."""

Acting = NamedDependency[TenantScope]
"""A handler's parameter `acting: Acting`: the tenant scope."""
SignedIn = NamedDependency[PersonScope]
"""A handler's parameter `signed_in: SignedIn`: the person scope."""
Anyone = NamedDependency[PublicScope]
"""A handler's parameter `anyone: Anyone`: the public scope."""
