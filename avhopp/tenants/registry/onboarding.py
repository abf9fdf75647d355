"""Onboarding: the national administrator gives each organisation its first administrator.

It is the tenant's own invitation (`administration.invite_to_tenant`), made by the national
administrator for the role of tenant administrator, with two additions: the invitee's address is
kept sealed so that the invitation can be re-sent, and the link goes out by e-mail from a job
after the commit (`jobs.send_invitation_email`) when the platform has an SMTP server, or is shown
once otherwise (the embedded default). Accepting is the ordinary acceptance: the invitee signs in
first, through the configured identity provider or the built-in one, which always asks for a
password and a code from an authenticator app (`avhopp.platform.idp.login`).

Every use case switches the transaction to the tenant it acts on and records its audit event in
that tenant's chain (its own administrators see who invited whom), then back to the national
coordinator, where a second event records the same act.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text, update

from avhopp.platform.audit import Action, AuditEvent, record
from avhopp.platform.auth.sessions import token_hash
from avhopp.platform.database import act_for_tenant
from avhopp.platform.jobs import enqueue
from avhopp.platform.sealing import seal, unseal
from avhopp.tenants.registry.administration import INVITATION_LIFETIME, AdministrationError, tenant_page
from avhopp.tenants.registry.jobs import send_invitation_email
from avhopp.tenants.registry.models import Tenant, TenantKind
from avhopp.tenants.registry.people import INVITATION_LINK, INVITEE_ADDRESS, AppUser, Invitation, Membership
from avhopp.tenants.registry.roles import Role

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

MAX_EMAIL = 254
# Deliberately plain: one @, a dot in the domain, ASCII only (a look-alike letter in an address
# would send the link to someone else), no spaces or control characters.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_OVERVIEW_SQL = "SELECT tenant_id, active_admins, open_invitations, last_invited_at FROM onboarding_overview()"
_OVERVIEW = text(_OVERVIEW_SQL)
_OVERVIEW_OF_ONE = text(f"{_OVERVIEW_SQL} WHERE tenant_id = :tenant")


@dataclass(frozen=True, slots=True)
class Invited:
    """A new invitation: the link (to show once when nothing e-mails it) and whether a job e-mails it."""

    link: str
    emailed: bool


@dataclass(frozen=True, slots=True)
class TenantStatus:
    """One tenant as the national administrator's list shows it."""

    tenant_id: UUID
    name: str
    slug: str
    kind: str
    county_code: str | None
    active: bool
    active_admins: int
    open_invitations: int
    last_invited_at: datetime | None


@dataclass(frozen=True, slots=True)
class StatusPage:
    """One page of the list, and how many tenants match in all."""

    tenants: list[TenantStatus]
    total: int
    page: int
    pages: int


def checked_email(raw: str) -> str:
    """The address, trimmed, if it is one an invitation can be sent to; else AdministrationError."""
    address = raw.strip()
    if not address:
        raise AdministrationError("email", "Skriv e-postadressen till den som ska bli administratör.")
    if len(address) > MAX_EMAIL or not _EMAIL.fullmatch(address):
        raise AdministrationError(
            "email", "E-postadressen ser inte ut som en e-postadress (bara a–z, 0–9 och vanliga tecken, med ett @)."
        )
    return address


async def _require_national(session: AsyncSession, national_tenant_id: UUID) -> None:
    kind = await session.scalar(select(Tenant.kind).where(Tenant.id == national_tenant_id, Tenant.active))
    if kind != TenantKind.NATIONAL_COORDINATOR:
        raise AdministrationError("not_found", "Organisationen finns inte.")


async def _target(session: AsyncSession, tenant_id: UUID) -> Tenant:
    tenant = (await session.execute(select(Tenant).where(Tenant.id == tenant_id))).scalar_one_or_none()
    if tenant is None:
        raise AdministrationError("not_found", "Organisationen finns inte.")
    if not tenant.active:
        raise AdministrationError("inactive", "Organisationen är avaktiverad. Aktivera den först.")
    return tenant


async def _active_admins(session: AsyncSession, tenant_id: UUID) -> int:
    """The tenant's active administrators (the transaction acts for the tenant)."""
    count = await session.scalar(
        select(func.count())
        .select_from(Membership)
        .join(AppUser, AppUser.id == Membership.user_id)
        .where(
            Membership.tenant_id == tenant_id,
            Membership.roles.contains([Role.TENANT_ADMIN.value]),
            AppUser.active,
            AppUser.machine_client_id.is_(None),
        )
    )
    return int(count or 0)


async def _audit_both(  # noqa: PLR0913 - the event's parts, keyword-only
    session: AsyncSession,
    action: Action,
    *,
    national_tenant_id: UUID,
    tenant_id: UUID,
    actor: UUID,
    reason: str,
    request_id: str | None,
) -> None:
    """The event in the tenant acted on, then in the national coordinator's; the transaction ends acting for it."""
    for where in (tenant_id, national_tenant_id):
        await act_for_tenant(session, where)
        await record(
            session,
            AuditEvent(
                action,
                where,
                actor,
                object_type="onboarding",
                object_id=str(tenant_id),
                reason=reason,
                request_id=request_id,
            ),
        )


async def _new_invitation(  # noqa: PLR0913 - the invitation's parts, keyword-only
    session: AsyncSession,
    *,
    tenant_id: UUID,
    actor: UUID,
    address: str,
    secret_key: str,
    public_url: str,
    mail: bool,
) -> Invited:
    """Insert the invitation (the transaction acts for the tenant) and enqueue its e-mail."""
    token = secrets.token_urlsafe(32)
    digest = token_hash(token)
    link = f"{public_url}/inbjudan/{token}"
    context = digest.encode()
    session.add(
        Invitation(
            token_hash=digest,
            tenant_id=tenant_id,
            roles=[Role.TENANT_ADMIN.value],
            invited_by=actor,
            expires_at=datetime.now(UTC) + INVITATION_LIFETIME,
            onboarding=True,
            email_sealed=seal(secret_key, INVITEE_ADDRESS, address.encode(), context),
            link_sealed=seal(secret_key, INVITATION_LINK, link.encode(), context) if mail else None,
        )
    )
    await session.flush()
    if mail:
        await enqueue(session, send_invitation_email, token_hash=digest)
    return Invited(link=link, emailed=mail)


async def _revoke_open(session: AsyncSession, tenant_id: UUID, actor: UUID) -> int:
    """Revoke the tenant's open national invitations (the transaction acts for it); how many."""
    now = datetime.now(UTC)
    revoked = await session.scalars(
        update(Invitation)
        .where(
            Invitation.tenant_id == tenant_id,
            Invitation.onboarding,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(revoked_at=now, revoked_by=actor, link_sealed=None)
        .returning(Invitation.token_hash)
    )
    return len(revoked.all())


async def invite_first_admin(  # noqa: PLR0913 - the invitation's parts, keyword-only
    session: AsyncSession,
    *,
    national_tenant_id: UUID,
    actor: UUID,
    tenant_id: UUID,
    email: str,
    second_admin: bool,
    secret_key: str,
    public_url: str,
    mail: bool,
    request_id: str | None = None,
) -> Invited:
    """Invite someone to administer a tenant, in the national administrator's transaction.

    Refused (AdministrationError, nothing written) for a bad address, a missing or inactive
    tenant, and a tenant that already has an active administrator unless `second_admin` says
    that another one is wanted.
    """
    address = checked_email(email)
    await _require_national(session, national_tenant_id)
    target = await _target(session, tenant_id)
    await act_for_tenant(session, target.id)
    if await _active_admins(session, target.id) and not second_admin:
        await act_for_tenant(session, national_tenant_id)
        raise AdministrationError(
            "has_admin",
            "Organisationen har redan en aktiv administratör. Kryssa i att du vill bjuda in "
            "ytterligare en administratör, eller låt organisationens administratör bjuda in.",
        )
    invited = await _new_invitation(
        session,
        tenant_id=target.id,
        actor=actor,
        address=address,
        secret_key=secret_key,
        public_url=public_url,
        mail=mail,
    )
    await _audit_both(
        session,
        Action.INVITED,
        national_tenant_id=national_tenant_id,
        tenant_id=target.id,
        actor=actor,
        reason="second_admin" if second_admin else "first_admin",
        request_id=request_id,
    )
    return invited


async def revoke_first_admin_invitations(
    session: AsyncSession, *, national_tenant_id: UUID, actor: UUID, tenant_id: UUID, request_id: str | None = None
) -> int:
    """Revoke every open national invitation to the tenant; AdministrationError if there is none."""
    await _require_national(session, national_tenant_id)
    target = await _target(session, tenant_id)
    await act_for_tenant(session, target.id)
    revoked = await _revoke_open(session, target.id, actor)
    if not revoked:
        await act_for_tenant(session, national_tenant_id)
        raise AdministrationError("no_invitation", "Organisationen har ingen öppen inbjudan att återkalla.")
    await _audit_both(
        session,
        Action.INVITATION_REVOKED,
        national_tenant_id=national_tenant_id,
        tenant_id=target.id,
        actor=actor,
        reason="revoked",
        request_id=request_id,
    )
    return revoked


async def resend_first_admin_invitation(  # noqa: PLR0913 - the invitation's parts, keyword-only
    session: AsyncSession,
    *,
    national_tenant_id: UUID,
    actor: UUID,
    tenant_id: UUID,
    secret_key: str,
    public_url: str,
    mail: bool,
    request_id: str | None = None,
) -> Invited:
    """A new link to the address of the tenant's latest unaccepted national invitation; open ones are revoked.

    The old link stops working: only the newest may be used, so a lost or forwarded e-mail is harmless.
    """
    await _require_national(session, national_tenant_id)
    target = await _target(session, tenant_id)
    await act_for_tenant(session, target.id)
    if await _active_admins(session, target.id):
        # A re-sent link must not slip a second administrator past the explicit choice.
        await act_for_tenant(session, national_tenant_id)
        raise AdministrationError(
            "has_admin",
            "Organisationen har redan en aktiv administratör. Bjud in på nytt och kryssa i att du vill "
            "bjuda in ytterligare en administratör.",
        )
    latest = (
        await session.execute(
            select(Invitation)
            .where(Invitation.tenant_id == target.id, Invitation.onboarding, Invitation.accepted_at.is_(None))
            .order_by(Invitation.created_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if latest is None or latest.email_sealed is None:
        await act_for_tenant(session, national_tenant_id)
        raise AdministrationError("no_invitation", "Organisationen har ingen inbjudan att skicka igen.")
    address = unseal(secret_key, INVITEE_ADDRESS, latest.email_sealed, latest.token_hash.encode()).decode()
    await _revoke_open(session, target.id, actor)
    invited = await _new_invitation(
        session,
        tenant_id=target.id,
        actor=actor,
        address=address,
        secret_key=secret_key,
        public_url=public_url,
        mail=mail,
    )
    await _audit_both(
        session,
        Action.INVITED,
        national_tenant_id=national_tenant_id,
        tenant_id=target.id,
        actor=actor,
        reason="resent",
        request_id=request_id,
    )
    return invited


def _status(tenant: Tenant, count: Any) -> TenantStatus:  # noqa: ANN401 - a row of the overview, or None
    return TenantStatus(
        tenant_id=tenant.id,
        name=tenant.name,
        slug=tenant.slug,
        kind=tenant.kind,
        county_code=tenant.county_code,
        active=tenant.active,
        active_admins=int(count.active_admins) if count else 0,
        open_invitations=int(count.open_invitations) if count else 0,
        last_invited_at=count.last_invited_at if count else None,
    )


async def tenant_status(session: AsyncSession, tenant_id: UUID) -> TenantStatus:
    """One tenant's line of the list (the transaction acts for the national coordinator)."""
    tenant = (await session.execute(select(Tenant).where(Tenant.id == tenant_id))).scalar_one_or_none()
    if tenant is None:
        raise AdministrationError("not_found", "Organisationen finns inte.")
    count = (await session.execute(_OVERVIEW_OF_ONE, {"tenant": tenant_id})).first()
    return _status(tenant, count)


async def onboarding_status(session: AsyncSession, search: str = "", page: int = 1) -> StatusPage:
    """Every tenant matching `search` (name or slug), a page at a time, with its administrators and invitations.

    The transaction must act for the national coordinator: the counts come from a function that
    answers nobody else.
    """
    counts = {row.tenant_id: row for row in await session.execute(_OVERVIEW)}
    found = await tenant_page(session, search, page)
    return StatusPage(
        [_status(tenant, counts.get(tenant.id)) for tenant in found.tenants], found.total, found.page, found.pages
    )


async def tenant_counties_and_kinds(session: AsyncSession) -> dict[UUID, tuple[str | None, str]]:
    """Each tenant's county and kind, for the national coordinator's per-county figures."""
    return {
        row.id: (row.county_code, row.kind)
        for row in await session.execute(select(Tenant.id, Tenant.county_code, Tenant.kind))
    }
