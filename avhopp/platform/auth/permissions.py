"""Every route states the permission it needs in `opt={"permission": ...}`; this guard enforces it.

A route that states none is refused (fail closed). The separation layer refines SIGNED_IN
into per-tenant permissions; until then these two are the vocabulary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from avhopp.platform.auth.principal import principal_of

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

PUBLIC = "public"
"""Anyone, signed in or not."""
SIGNED_IN = "signed_in"
"""A person who has signed in, acting for a tenant or not yet."""
PERMISSION_KEY = "permission"
_ROLE_PREFIX = "role:"


def holding_role(role: str) -> str:
    """The permission of a route open to people holding `role` in the tenant they act for."""
    return f"{_ROLE_PREFIX}{role}"


def require_permission(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Litestar guard applied to every route of the app."""
    permission = handler.opt.get(PERMISSION_KEY)
    if permission == PUBLIC:
        return
    principal = principal_of(connection)
    if permission is None:
        raise PermissionDeniedException
    if principal is None:
        raise NotAuthorizedException
    if permission == SIGNED_IN and principal.user_id is not None:
        return
    if permission.startswith(_ROLE_PREFIX) and permission.removeprefix(_ROLE_PREFIX) in principal.roles:
        return
    raise PermissionDeniedException
