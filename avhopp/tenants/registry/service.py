"""People and memberships: the use cases the auth layer and the pages need."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, case, or_, select, text, true

from avhopp.platform.database import (
    PublishingRead,
    acting_user_id,
    following_read,
    publishing_read,
    read_publishing,
)
from avhopp.platform.idp.models import IdpClient
from avhopp.platform.scope.principal import Principal, TenantChoice
from avhopp.tenants.registry.models import Tenant, TenantKind
from avhopp.tenants.registry.people import AppUser, Membership, UserIdentity
from avhopp.tenants.registry.provisioning import municipality_organisation_name
from avhopp.tenants.registry.roles import Role

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence
    from uuid import UUID

    from sqlalchemy import ColumnElement, Row, Select
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.auth.oidc import VerifiedIdentity
    from avhopp.platform.database import FollowingRead


__all__ = [
    "People",
    "Role",
    "TenantKind",
    "display_names",
    "municipality_organisation_name",
    "national_coordinator_id",
    "people_among",
    "system_accounts",
    "tenant_counties",
    "tenant_ids_by_slug",
    "tenant_ids_of_kind",
    "tenant_ids_of_kind_in_counties",
    "tenant_kinds",
    "tenant_municipalities",
    "tenant_names",
]
"""What other parts may use: the tenant kinds and roles they name, and these lookups."""

_PERSON = AppUser.machine_client_id.is_(None)
"""The user is a person, not a machine client's system account."""


def _person_and_memberships(user_id: ColumnElement[Any]) -> Select[*tuple[Any, ...]]:
    """The person's name and, a row each, the active tenants they belong to with their roles there."""
    return (
        select(AppUser.display_name, Tenant.id, Tenant.name, Tenant.kind, Membership.roles)
        .select_from(AppUser)
        .outerjoin(Membership, Membership.user_id == AppUser.id)
        .outerjoin(Tenant, and_(Tenant.id == Membership.tenant_id, Tenant.active))
        .where(_PERSON, AppUser.id == user_id, AppUser.active)
        .order_by(Tenant.name)
    )


# Built once: by id, and for whom the transaction acts, read behind the web session's read on
# every signed-in request (see `FollowingRead`).
_PERSON_AND_MEMBERSHIPS = _person_and_memberships(bindparam("user_id", type_=AppUser.id.type))
_ACTING_PERSON_AND_MEMBERSHIPS = following_read(_person_and_memberships(acting_user_id()))


def _machine_account() -> PublishingRead:
    """The tenant's kind (None once it is deactivated) and the client's active system account there."""
    account = (
        select(AppUser.id, AppUser.display_name)
        .join(Membership, Membership.user_id == AppUser.id)
        .where(
            AppUser.machine_client_id == bindparam("client_id", type_=AppUser.machine_client_id.type),
            AppUser.active,
            Membership.tenant_id == Tenant.id,
        )
        .lateral()
    )
    # The account's read makes the rest of the transaction act as it, with no set_config of its own.
    return publishing_read(
        select(case((Tenant.active, Tenant.kind)).label("kind"), account.c.id, account.c.display_name)
        .select_from(Tenant)
        .outerjoin(account, true())
        .where(Tenant.id == bindparam("tenant_id", type_=Tenant.id.type)),
        tenant_id=Tenant.id,
        user_id=account.c.id,
    )


_MACHINE_ACCOUNT = _machine_account()

_FIRST_LOGIN = text("SELECT register_first_login(:issuer, :subject, :name, CAST(:email AS text))")


class People:
    """The platform's PeopleDirectory (see avhopp.platform.auth.directory)."""

    async def user_for_identity(self, session: AsyncSession, identity: VerifiedIdentity) -> UUID | None:
        """Find the person by issuer and subject, creating them at first login; None if deactivated.

        None too for a machine client's system account, should an identity ever name one.
        """
        user = (
            await session.execute(
                select(AppUser)
                .join(UserIdentity, UserIdentity.user_id == AppUser.id)
                .where(UserIdentity.issuer == identity.issuer, UserIdentity.subject == identity.subject)
            )
        ).scalar_one_or_none()
        if user is None:
            # The runtime role may not insert identities: only this function, which links a new
            # identity to a new person and never to someone who exists (migration 0018).
            new_user: UUID = await session.scalar(
                _FIRST_LOGIN,
                {
                    "issuer": identity.issuer,
                    "subject": identity.subject,
                    "name": identity.display_name,
                    "email": identity.email,
                },
            )
            return new_user
        if not user.active or user.machine_client_id is not None:
            return None
        # The provider is the source of truth for name and address.
        user.display_name, user.email = identity.display_name, identity.email
        user.last_login_at = datetime.now(UTC)
        return user.id

    async def tenant_choices(self, session: AsyncSession, user_id: UUID) -> tuple[TenantChoice, ...]:
        """The active tenants the person belongs to, by name."""
        rows = await session.execute(
            select(Tenant.id, Tenant.name)
            .join(Membership, Membership.tenant_id == Tenant.id)
            .where(Membership.user_id == user_id, Tenant.active)
            .order_by(Tenant.name)
        )
        return tuple(TenantChoice(id=row.id, name=row.name) for row in rows)

    async def principal(self, session: AsyncSession, user_id: UUID, tenant_id: UUID | None) -> Principal | None:
        """The active person, acting for the tenant if an active member there, with the tenants they may switch to.

        One read for what every signed-in request needs; None for a deactivated person or a system account.
        """
        return self.principal_from(
            (await session.execute(_PERSON_AND_MEMBERSHIPS, {"user_id": user_id})).all(), user_id, tenant_id
        )

    @property
    def principal_read(self) -> FollowingRead:
        """`principal`'s read for whoever the transaction acts as (the web session's person)."""
        return _ACTING_PERSON_AND_MEMBERSHIPS

    def principal_from(self, rows: Sequence[Row[Any]], user_id: UUID, tenant_id: UUID | None) -> Principal | None:
        """`principal`, from the rows of its read."""
        if not rows:
            return None
        member = [row for row in rows if row.id is not None]
        acting = next((row for row in member if row.id == tenant_id), None)
        return Principal(
            user_id=user_id,
            display_name=rows[0].display_name,
            tenant_id=None if acting is None else acting.id,
            tenant_name="" if acting is None else acting.name,
            roles=frozenset() if acting is None else frozenset(acting.roles),
            tenant_kind=None if acting is None else acting.kind,
            tenants=tuple(TenantChoice(id=row.id, name=row.name) for row in member),
        )

    async def machine_principal(self, session: AsyncSession, machine: Principal) -> Principal:
        """The machine client with its system account (a member of its tenant) and the active tenant's kind."""
        row = await read_publishing(
            session, _MACHINE_ACCOUNT, {"client_id": machine.client_id, "tenant_id": machine.tenant_id}
        )
        if row is None or row.id is None:
            return replace(machine, tenant_kind=None if row is None else row.kind)
        return replace(machine, user_id=row.id, display_name=row.display_name, tenant_kind=row.kind)


async def tenant_names(session: AsyncSession, tenant_ids: Collection[UUID]) -> dict[UUID, str]:
    """The names of the given tenants (the tenant registry is public within the platform)."""
    if not tenant_ids:
        return {}
    rows = await session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(tenant_ids)))
    return {row.id: row.name for row in rows}


async def tenant_ids_by_slug(session: AsyncSession) -> dict[str, UUID]:
    """Every tenant's id by its slug (seed data and imports name owners by slug)."""
    return {row.slug: row.id for row in await session.execute(select(Tenant.slug, Tenant.id))}


async def national_coordinator_id(session: AsyncSession) -> UUID | None:
    """The active national coordinator tenant (the first by slug, should there be several)."""
    return await session.scalar(
        select(Tenant.id)
        .where(Tenant.kind == TenantKind.NATIONAL_COORDINATOR, Tenant.active)
        .order_by(Tenant.slug)
        .limit(1)
    )


async def tenant_ids_of_kind(session: AsyncSession, kind: TenantKind) -> list[UUID]:
    """The active tenants of one kind, oldest first (the same order every time)."""
    return list(
        await session.scalars(
            select(Tenant.id).where(Tenant.kind == kind, Tenant.active).order_by(Tenant.created_at, Tenant.id)
        )
    )


async def tenant_ids_of_kind_in_counties(
    session: AsyncSession, kind: TenantKind, counties: Collection[str]
) -> list[UUID]:
    """The active tenants of one kind that belong to one of the counties (e.g. a police region's)."""
    if not counties:
        return []
    return list(
        await session.scalars(
            select(Tenant.id).where(Tenant.kind == kind, Tenant.active, Tenant.county_code.in_(sorted(counties)))
        )
    )


async def tenant_municipalities(session: AsyncSession, tenant_ids: Collection[UUID]) -> dict[UUID, str]:
    """The municipality each of the given tenants belongs to, where it names one."""
    if not tenant_ids:
        return {}
    rows = await session.execute(
        select(Tenant.id, Tenant.municipality_code).where(
            Tenant.id.in_(tenant_ids), Tenant.municipality_code.is_not(None)
        )
    )
    return {row.id: row.municipality_code for row in rows}


async def tenant_counties(session: AsyncSession, tenant_ids: Collection[UUID]) -> dict[UUID, str]:
    """The county each of the given active tenants belongs to, where it names one (a county board's own)."""
    if not tenant_ids:
        return {}
    rows = await session.execute(
        select(Tenant.id, Tenant.county_code).where(
            Tenant.id.in_(tenant_ids), Tenant.active, Tenant.county_code.is_not(None)
        )
    )
    return {row.id: row.county_code for row in rows}


async def tenant_kinds(session: AsyncSession, tenant_ids: Collection[UUID]) -> dict[UUID, TenantKind]:
    """The kinds of the given active tenants."""
    if not tenant_ids:
        return {}
    rows = await session.execute(select(Tenant.id, Tenant.kind).where(Tenant.id.in_(tenant_ids), Tenant.active))
    return {row.id: TenantKind(row.kind) for row in rows}


async def display_names(session: AsyncSession, user_ids: Collection[UUID]) -> dict[UUID, str]:
    """The names people go by on the platform, for showing who works on what."""
    if not user_ids:
        return {}
    rows = await session.execute(select(AppUser.id, AppUser.display_name).where(AppUser.id.in_(user_ids)))
    return {row.id: row.display_name for row in rows}


async def members_with_roles(
    session: AsyncSession, tenant_id: UUID, roles: Collection[str], *, systems: bool = False
) -> list[UUID]:
    """The active people of an active tenant who hold any of `roles` there (the transaction must act for it).

    With `systems`, also the system accounts of the tenant's machine clients that hold any of them
    (a client's roles are its registration's): whom a case's team may include. Never for whom to
    notify: nobody reads a system account's notifications.
    """
    if not roles:
        return []
    wanted = list(roles)
    holds = Membership.roles.overlap(wanted)
    if systems:
        holds = or_(holds, IdpClient.roles.overlap(wanted))
    return list(
        await session.scalars(
            select(Membership.user_id)
            .join(AppUser, AppUser.id == Membership.user_id)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .outerjoin(
                IdpClient,
                (IdpClient.client_id == AppUser.machine_client_id) & (IdpClient.scope_tenant_id == tenant_id),
            )
            .where(Membership.tenant_id == tenant_id, holds, AppUser.active, Tenant.active)
            .order_by(Membership.user_id)
        )
    )


async def system_accounts(session: AsyncSession, user_ids: Collection[UUID]) -> set[UUID]:
    """Which of the given users are machine clients' system accounts (shown as a system, never as a person)."""
    if not user_ids:
        return set()
    return set(
        await session.scalars(
            select(AppUser.id).where(AppUser.id.in_(user_ids), AppUser.machine_client_id.is_not(None))
        )
    )


async def people_among(session: AsyncSession, user_ids: Collection[UUID]) -> list[UUID]:
    """The given users that are people, in order: whom to notify of what happens to a case's team."""
    systems = await system_accounts(session, user_ids)
    return [user_id for user_id in user_ids if user_id not in systems]
