"""Route guards that open a route only inside one kind of tenant.

A role held in the wrong kind of tenant (a reviewer role in a municipality, a line operator
role in an operation) opens nothing: the answer is "not found". Guards run before the
request body is read, so nobody else learns even whether a body would have been valid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.exceptions import NotFoundException

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.scope.principal import principal_of
from avhopp.tenants.registry.service import TenantKind, tenant_kinds

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler


def only_in(kind: TenantKind) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]:
    """A guard that lets a signed-in person through only when they act for an active tenant of `kind`."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        principal = principal_of(connection)
        if principal is None or principal.tenant_id is None or principal.user_id is None:
            raise NotFoundException
        context = RequestContext(tenant_id=principal.tenant_id, user_id=principal.user_id)
        async with context_session(connection.app.state.sessions, context) as session:
            kinds = await tenant_kinds(session, [principal.tenant_id])
        if kinds.get(principal.tenant_id) is not kind:
            raise NotFoundException

    return guard


national_coordinator_only = only_in(TenantKind.NATIONAL_COORDINATOR)
guidance_line_only = only_in(TenantKind.GUIDANCE_LINE)
