"""Every route states the permission it needs in `opt={"permission": ...}`; this guard enforces it.

Three kinds: PUBLIC, SIGNED_IN, and "object:action" permissions (avhopp.platform.authz), which
Casbin decides for the tenant the principal acts for. A route that states none is refused (fail
closed). A refusal of a signed-in principal is recorded in the audit trail before the 403 goes out.

A route that makes sense only in some kinds of tenant says so next to its permission,
`opt={"permission": ..., "tenant_kinds": ("national_coordinator",)}`: acting for any other kind
of tenant, the route does not exist (404), whatever roles the principal holds. The kind is the
principal's, read once with its tenant. Guards run before the body is read, so nobody learns even
whether a body would have been valid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException

from avhopp.platform.audit import Action, AuditEvent, record_alone
from avhopp.platform.authz import parse_permission
from avhopp.platform.scope.principal import principal_of
from avhopp.platform.scope.route_permissions import PERMISSION_KEY, PUBLIC, SIGNED_IN, TENANT_KINDS_KEY
from avhopp.platform.web.observe import request_id_of

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

    from avhopp.platform.scope.principal import Principal


async def require_permission(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Litestar guard applied to every route of the app."""
    permission = handler.opt.get(PERMISSION_KEY)
    if permission == PUBLIC:
        return
    principal = principal_of(connection)
    if permission is None:
        raise PermissionDeniedException
    if principal is None:
        raise NotAuthorizedException
    if permission == SIGNED_IN and principal.person_id is not None:
        _require_tenant_kind(principal, handler)
        return
    if parse_permission(permission) is not None and await connection.app.state.authz.allows(principal, permission):
        _require_tenant_kind(principal, handler)
        return
    refusal = AuditEvent(
        action=Action.ACCESS_REFUSED,
        tenant_id=principal.tenant_id,
        actor_user_id=principal.user_id,
        actor_client_id=principal.client_id,
        # The route's template, never the path: a path can carry ids a person typed.
        object_type="route",
        object_id=f"{connection.scope.get('method', '')} {connection.scope.get('path_template', '')}"[:120],
        reason=permission[:120],
        request_id=request_id_of(connection.scope) or None,
    )
    await record_alone(connection.app.state.sessions, refusal)
    raise PermissionDeniedException


def tenant_kinds_of(handler: BaseRouteHandler) -> tuple[str, ...]:
    """The tenant kinds a route opens in; empty for every kind."""
    return tuple(handler.opt.get(TENANT_KINDS_KEY, ()))


def _require_tenant_kind(principal: Principal, handler: BaseRouteHandler) -> None:
    kinds = tenant_kinds_of(handler)
    if kinds and principal.tenant_kind not in kinds:
        raise NotFoundException
