"""Tenant administration: who belongs to a tenant, with which roles; invitations; tenants themselves.

Every function takes the tenant it acts in and runs in a session whose transactions carry that
tenant, so row-level security confines it even if a caller passes a foreign id: a foreign
membership or invitation is simply not found. Taking a role away or removing a person ends
every session of that person at once: nothing started under the old roles goes on.

A machine client's system account is a member too, but no person: it is not listed, and its
membership (which carries no roles: the client's are its registration's) is not found here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, or_, select, text, update

from avhopp.platform.auth.sessions import end_sessions_of, token_hash
from avhopp.platform.authz import REGISTRY, RoleNotGrantableError
from avhopp.platform.database import act_for_tenant
from avhopp.tenants.registry.models import Tenant, TenantKind
from avhopp.tenants.registry.people import AppUser, Invitation, Membership, UserIdentity
from avhopp.tenants.registry.roles import Role, role_names

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

INVITATION_LIFETIME = timedelta(days=7)
# Roles that only a platform administrator may hand out.
PLATFORM_ROLES = frozenset({Role.PLATFORM_ADMIN})
_PEOPLE = select(AppUser.id).where(AppUser.machine_client_id.is_(None))


class AdministrationError(ValueError):
    """A refused change; `message` is Swedish and safe to show, `code` safe to log."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


TENANTS_PER_PAGE = 50
MAX_SEARCH = 100


@dataclass(frozen=True, slots=True)
class Member:
    """A person in the tenant, as its administrator sees them."""

    membership_id: UUID
    display_name: str
    roles: frozenset[str]

    @property
    def may_be_reset(self) -> bool:
        """Whether a tenant administrator may reset this sign-in (a platform administrator's reaches every tenant)."""
        return not PLATFORM_ROLES & self.roles


@dataclass(frozen=True, slots=True)
class OpenInvitation:
    """An invitation that can still be accepted: its id is the hash of its token, never the token."""

    id: str
    role_names: tuple[str, ...]
    """The Swedish names of the roles it gives."""
    invited_by: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TenantPage:
    """One page of the tenant registry, found by a search in names and short addresses."""

    tenants: list[Tenant]
    total: int
    page: int
    pages: int


def checked_roles(
    requested: list[str], tenant_kind: str, *, may_grant_platform_roles: bool, at_least_one: bool = False
) -> list[str]:
    """The requested roles if all exist and may be granted in this kind of tenant; else AdministrationError.

    Every way of granting roles in a tenant (these pages, invitations, the command line's machine
    clients) asks the registry the same question (`REGISTRY.check_grantable`).
    """
    if at_least_one and not requested:
        raise AdministrationError("no_role", "Välj minst en roll.")
    if not may_grant_platform_roles and PLATFORM_ROLES & set(requested):
        raise AdministrationError("platform_role", "Bara en plattformsadministratör kan dela ut den rollen.")
    try:
        REGISTRY.check_grantable(requested, tenant_kind)
    except RoleNotGrantableError as error:
        raise AdministrationError(error.code, error.message) from None
    return sorted(set(requested))


def grantable_roles(tenant_kind: str, *, may_grant_platform_roles: bool) -> list[tuple[str, str]]:
    """(role, Swedish name) of the roles an administrator may grant in this kind of tenant."""
    return [
        (role, role_names([role])[0])
        for role in REGISTRY.grantable_in(tenant_kind)
        if may_grant_platform_roles or role not in PLATFORM_ROLES
    ]


async def members_in_tenant(session: AsyncSession, tenant_id: UUID) -> list[Member]:
    """The tenant's members by name."""
    rows = await session.execute(
        select(Membership.id, AppUser.display_name, Membership.roles)
        .join(AppUser, AppUser.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id, AppUser.machine_client_id.is_(None))
        .order_by(AppUser.display_name)
    )
    return [Member(row.id, row.display_name, frozenset(row.roles)) for row in rows]


async def set_roles_in_tenant(
    session: AsyncSession, tenant_id: UUID, membership_id: UUID, roles: list[str]
) -> tuple[frozenset[str], frozenset[str]]:
    """Replace a member's roles; returns (before, after). A foreign membership is not found."""
    membership = (
        await session.execute(
            select(Membership).where(
                Membership.id == membership_id, Membership.tenant_id == tenant_id, Membership.user_id.in_(_PEOPLE)
            )
        )
    ).scalar_one_or_none()
    if membership is None:
        raise AdministrationError("not_found", "Personen finns inte i organisationen.")
    before = frozenset(membership.roles)
    membership.roles = roles
    if before - set(roles):
        await end_sessions_of(session, membership.user_id)
    return before, frozenset(roles)


async def remove_member_in_tenant(session: AsyncSession, tenant_id: UUID, membership_id: UUID) -> None:
    """Remove a person from the tenant; a foreign membership is not found."""
    removed = (
        await session.execute(
            delete(Membership)
            .where(Membership.id == membership_id, Membership.tenant_id == tenant_id, Membership.user_id.in_(_PEOPLE))
            .returning(Membership.user_id)
        )
    ).scalar_one_or_none()
    if removed is None:
        raise AdministrationError("not_found", "Personen finns inte i organisationen.")
    await end_sessions_of(session, removed)


async def membership_in_tenant(session: AsyncSession, tenant_id: UUID, membership_id: UUID) -> Member:
    """One person of the tenant; a foreign membership, or a machine client's, is not found."""
    row = (
        await session.execute(
            select(Membership.id, AppUser.display_name, Membership.roles)
            .join(AppUser, AppUser.id == Membership.user_id)
            .where(Membership.id == membership_id, Membership.tenant_id == tenant_id, Membership.user_id.in_(_PEOPLE))
        )
    ).one_or_none()
    if row is None:
        raise AdministrationError("not_found", "Personen finns inte i organisationen.")
    return Member(row.id, row.display_name, frozenset(row.roles))


def check_may_reset(member: Member, *, built_in: bool) -> None:
    """Refuse a reset of a sign-in the administrator may not reset, or that the built-in provider does not hold."""
    if not built_in:
        raise AdministrationError("not_built_in", "Personen loggar in hos en annan identitetsleverantör.")
    if not member.may_be_reset:
        raise AdministrationError(
            "platform_member",
            "En plattformsadministratörs inloggning återställs bara från plattformens kommandorad (avhopp idp).",
        )


async def subject_at_issuer(session: AsyncSession, tenant_id: UUID, membership_id: UUID, issuer: str) -> str | None:
    """The subject by which `issuer` names a person of the tenant (None: that provider does not vouch for them).

    A foreign membership is not found, as in every function here.
    """
    await membership_in_tenant(session, tenant_id, membership_id)
    subject: str | None = (
        await session.execute(
            select(UserIdentity.subject)
            .join(Membership, Membership.user_id == UserIdentity.user_id)
            .where(Membership.id == membership_id, Membership.tenant_id == tenant_id, UserIdentity.issuer == issuer)
        )
    ).scalar_one_or_none()
    return subject


async def invite_to_tenant(session: AsyncSession, tenant_id: UUID, invited_by: UUID, roles: list[str]) -> str:
    """A new invitation; returns its token, which exists only in the link given to the invitee."""
    token = secrets.token_urlsafe(32)
    session.add(
        Invitation(
            token_hash=token_hash(token),
            tenant_id=tenant_id,
            roles=roles,
            invited_by=invited_by,
            expires_at=datetime.now(UTC) + INVITATION_LIFETIME,
        )
    )
    return token


async def open_invitations_in_tenant(session: AsyncSession, tenant_id: UUID) -> list[OpenInvitation]:
    """The tenant's invitations that can still be accepted, newest first."""
    rows = await session.execute(
        select(
            Invitation.token_hash, Invitation.roles, AppUser.display_name, Invitation.created_at, Invitation.expires_at
        )
        .join(AppUser, AppUser.id == Invitation.invited_by)
        .where(
            Invitation.tenant_id == tenant_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > datetime.now(UTC),
        )
        .order_by(Invitation.created_at.desc())
    )
    return [
        OpenInvitation(row.token_hash, tuple(role_names(row.roles)), row.display_name, row.created_at, row.expires_at)
        for row in rows
    ]


async def revoke_invitation_in_tenant(session: AsyncSession, tenant_id: UUID, invitation_id: str, actor: UUID) -> None:
    """Revoke an open invitation of the tenant: its link no longer works. A foreign or used one is not found."""
    now = datetime.now(UTC)
    revoked = (
        await session.execute(
            update(Invitation)
            .where(
                Invitation.token_hash == invitation_id,
                Invitation.tenant_id == tenant_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .values(revoked_at=now, revoked_by=actor, link_sealed=None)
            .returning(Invitation.token_hash)
        )
    ).scalar_one_or_none()
    if revoked is None:
        raise AdministrationError("not_found", "Inbjudan finns inte eller gäller inte längre.")


def _invitation_invalid() -> AdministrationError:
    return AdministrationError("invitation_invalid", "Inbjudan gäller inte längre. Be den som bjöd in dig om en ny.")


async def open_invitation(session: AsyncSession, token: str) -> Invitation:
    """The invitation the token belongs to, if it can still be used; else AdministrationError."""
    digest = token_hash(token)
    await session.execute(text("SELECT set_config('app.invitation', :digest, true)"), {"digest": digest})
    invitation = (await session.execute(select(Invitation).where(Invitation.token_hash == digest))).scalar_one_or_none()
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= datetime.now(UTC)
    ):
        raise _invitation_invalid()
    return invitation


async def accept_invitation(session: AsyncSession, token: str, user_id: UUID) -> UUID:
    """Join the tenant the invitation is for; returns the tenant. Used once, before it expires."""
    invitation = await open_invitation(session, token)
    # From here on the transaction acts in the inviting tenant, where the membership belongs.
    await act_for_tenant(session, invitation.tenant_id)
    # Claimed in one conditional UPDATE: of two acceptances at the same time, the second waits for
    # the first's row lock, then finds the invitation used and claims nothing.
    now = datetime.now(UTC)
    claimed = (
        await session.execute(
            update(Invitation)
            .where(
                Invitation.token_hash == invitation.token_hash,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .values(accepted_by=user_id, accepted_at=now, link_sealed=None)
            .returning(Invitation.token_hash)
        )
    ).scalar_one_or_none()
    if claimed is None:
        raise _invitation_invalid()
    existing = (
        await session.execute(
            select(Membership).where(Membership.tenant_id == invitation.tenant_id, Membership.user_id == user_id)
        )
    ).scalar_one_or_none()
    if existing is None:
        session.add(Membership(tenant_id=invitation.tenant_id, user_id=user_id, roles=invitation.roles))
    else:
        existing.roles = sorted(set(existing.roles) | set(invitation.roles))
    return invitation.tenant_id


async def create_tenant(session: AsyncSession, kind: str, name: str, slug: str) -> UUID:
    """A new tenant (platform administrators); the slug must be free."""
    if kind not in {k.value for k in TenantKind} or kind in {TenantKind.MUNICIPALITY, TenantKind.COUNTY_BOARD}:
        raise AdministrationError("kind", "Välj vilket slags organisation det är.")
    taken = (await session.execute(select(Tenant.id).where(Tenant.slug == slug))).scalar_one_or_none()
    if taken is not None:
        raise AdministrationError("slug_taken", "Det finns redan en organisation med den kortadressen.")
    tenant = Tenant(kind=kind, name=name, slug=slug)
    session.add(tenant)
    await session.flush()
    return tenant.id


async def tenant_page(session: AsyncSession, search: str, page: int) -> TenantPage:
    """The tenants whose name or short address contains `search` (all for ""), by kind and name, one page.

    The registry's list and the national coordinator's onboarding list both page through it so.
    """
    query = select(Tenant)
    wanted = search.strip()[:MAX_SEARCH]
    if wanted:
        pattern = "%" + wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Tenant.name.ilike(pattern, escape="\\"), Tenant.slug.ilike(pattern, escape="\\")))
    total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    pages = max(1, -(-total // TENANTS_PER_PAGE))
    page = min(max(page, 1), pages)
    tenants = (
        await session.scalars(
            query.order_by(Tenant.kind, Tenant.name).offset((page - 1) * TENANTS_PER_PAGE).limit(TENANTS_PER_PAGE)
        )
    ).all()
    return TenantPage(list(tenants), total, page, pages)


async def tenant_named(session: AsyncSession, tenant_id: UUID) -> Tenant:
    """One tenant of the registry (platform administrators); else AdministrationError."""
    tenant = (await session.execute(select(Tenant).where(Tenant.id == tenant_id))).scalar_one_or_none()
    if tenant is None:
        raise AdministrationError("not_found", "Organisationen finns inte.")
    return tenant


async def set_tenant_active(session: AsyncSession, tenant_id: UUID, *, active: bool) -> None:
    """Activate or deactivate a tenant; its people can no longer act for it while inactive."""
    tenant = (await session.execute(select(Tenant).where(Tenant.id == tenant_id))).scalar_one_or_none()
    if tenant is None:
        raise AdministrationError("not_found", "Organisationen finns inte.")
    tenant.active = active
