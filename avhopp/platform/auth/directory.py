"""What the auth layer needs to know about people, provided by the tenants module.

The platform may not import the modules above it, so the composition root hands an
implementation of this protocol to the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.auth.oidc import VerifiedIdentity
    from avhopp.platform.database import FollowingRead
    from avhopp.platform.scope.principal import Principal, TenantChoice


class PeopleDirectory(Protocol):
    """Finds people and their memberships. Each call runs in the caller's transaction."""

    async def user_for_identity(self, session: AsyncSession, identity: VerifiedIdentity) -> UUID | None:
        """The person the identity belongs to (created at first login), or None if deactivated."""
        ...

    async def tenant_choices(self, session: AsyncSession, user_id: UUID) -> tuple[TenantChoice, ...]:
        """The active tenants the person belongs to, by name; needs `app.user_id` set."""
        ...

    async def principal(self, session: AsyncSession, user_id: UUID, tenant_id: UUID | None) -> Principal | None:
        """The person, acting for the tenant (with its kind and their roles) if an active member there, else for none.

        The principal's `tenants` are the tenants they may switch to. None if they have been deactivated.
        """
        ...

    @property
    def principal_read(self) -> FollowingRead:
        """`principal`'s read for whoever the transaction acts as: sent behind the web session's read."""
        ...

    def principal_from(self, rows: Sequence[Row[Any]], user_id: UUID, tenant_id: UUID | None) -> Principal | None:
        """`principal`, from the rows of `principal_read`."""
        ...

    async def machine_principal(self, session: AsyncSession, machine: Principal) -> Principal:
        """The machine client with its system account as `user_id` and its tenant's kind (None if inactive).

        The read also makes the rest of the transaction act as that account (`read_publishing`).

        Without an account (never, once migration 0020 has run) `user_id` stays None: the client is
        then on no case's team, and row-level security sees no user.
        """
        ...
