"""The authenticated principal of a request, resolved once before the handler runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from uuid import UUID

    from litestar.connection import ASGIConnection

PRINCIPAL_STATE_KEY = "principal"


@dataclass(frozen=True, slots=True)
class TenantChoice:
    """A tenant the person belongs to, for the tenant switcher."""

    id: UUID
    name: str


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in person acting for one tenant, or a machine client scoped to one tenant."""

    user_id: UUID | None
    """The account acting: the person's, or a machine client's system account (`client_id` tells them
    apart). Row-level security and a case's team read it; None only for a client without an account."""
    display_name: str
    tenant_id: UUID | None
    """None for a person who acts for no tenant (yet): they may see nothing that belongs to one."""
    tenant_name: str
    roles: frozenset[str]
    tenants: tuple[TenantChoice, ...] = field(default=())
    client_id: str | None = None
    """Set for a machine client (OAuth2 client credentials)."""
    tenant_kind: str | None = None
    """The kind of the tenant acted for, read once with the tenant; routes may open only in some kinds."""
    permissions: frozenset[str] = frozenset()
    """The permissions ("obj:act") a person holds in the tenant acted for, as the enforcer decided
    them when the principal was resolved: for the menu only; routes ask the enforcer themselves."""

    @property
    def person_id(self) -> UUID | None:
        """The signed-in person; None for a machine client, whose `user_id` is its system account."""
        return None if self.client_id is not None else self.user_id


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The request's principal, or None for an anonymous request."""
    principal = connection.scope.get("state", {}).get(PRINCIPAL_STATE_KEY)
    return principal if isinstance(principal, Principal) else None
