"""Tenant administration pages: members and roles, invitations, and (for platform admins) tenants."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog
from litestar import Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select

from avhopp.platform.audit import Action, AuditEvent, record, record_alone
from avhopp.platform.auth.permissions import SIGNED_IN
from avhopp.platform.auth.principal import Principal, principal_of
from avhopp.platform.authz import permission
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.web.observe import request_id_of
from avhopp.tenants.administration import (
    AdministrationError,
    accept_invitation,
    checked_roles,
    create_tenant,
    invite_to_tenant,
    members_in_tenant,
    open_invitation,
    remove_member_in_tenant,
    set_roles_in_tenant,
    set_tenant_active,
)
from avhopp.tenants.models import Tenant, TenantKind
from avhopp.tenants.roles import ROLE_NAMES, Role

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy.ext.asyncio import AsyncSession

_log = structlog.get_logger("avhopp.tenants")
TENANT_ADMIN = permission("tenant", "administer")
PLATFORM_ADMIN = permission("platform", "administer")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _acting(request: Request[Any, Any, Any]) -> Principal:
    principal = principal_of(request)
    if principal is None or principal.tenant_id is None or principal.user_id is None:
        raise NotFoundException
    return principal


def _event(
    request: Request[Any, Any, Any], principal: Principal, action: Action, tenant_id: UUID | None, **fields: str
) -> AuditEvent:
    """An audit event by this principal; fields are codes and ids, never personal data."""
    return AuditEvent(action, tenant_id, principal.user_id, request_id=request_id_of(request.scope) or None, **fields)


async def _audit(
    session: AsyncSession,
    request: Request[Any, Any, Any],
    principal: Principal,
    action: Action,
    *,
    tenant_id: UUID | None = None,
    **fields: str,
) -> None:
    """Record a change in the session's transaction, in the tenant acted for unless another is named."""
    await record(session, _event(request, principal, action, tenant_id or principal.tenant_id, **fields))


def _session(state: State, principal: Principal) -> AbstractAsyncContextManager[AsyncSession]:
    return context_session(state.sessions, RequestContext(tenant_id=principal.tenant_id, user_id=principal.user_id))


async def _members_page(
    session: AsyncSession, principal: Principal, *, errors: dict[str, str] | None = None, link: str | None = None
) -> Template:
    assert principal.tenant_id is not None  # noqa: S101 - checked by _acting
    return Template(
        template_name="tenants/members.html",
        context={
            "members": await members_in_tenant(session, principal.tenant_id),
            "roles": [(role.value, ROLE_NAMES[role]) for role in Role if role != Role.PLATFORM_ADMIN],
            "errors": errors or {},
            "invitation_link": link,
        },
        status_code=400 if errors else 200,
    )


@get("/organisation/personer", opt={"permission": TENANT_ADMIN}, include_in_schema=False)
async def members(request: Request[Any, Any, Any], state: State) -> Template:
    """The tenant's people and their roles, with forms to change them and to invite someone."""
    principal = _acting(request)
    async with _session(state, principal) as session:
        await _audit(session, request, principal, Action.PERSON_READ, object_type="member_list")
        return await _members_page(session, principal)


@post("/organisation/personer/{membership_id:uuid}/roller", opt={"permission": TENANT_ADMIN}, include_in_schema=False)
async def change_roles(
    request: Request[Any, Any, Any], state: State, membership_id: FromPath[UUID]
) -> Template | Redirect:
    """Set a member's roles in the tenant the administrator acts for."""
    principal = _acting(request)
    form = await request.form()
    async with _session(state, principal) as session:
        try:
            roles = checked_roles(list(form.getall("roles", [])), may_grant_platform_roles=False)
            before, after = await set_roles_in_tenant(session, principal.tenant_id, membership_id, roles)  # type: ignore[arg-type]
        except AdministrationError as error:
            refusal = _event(request, principal, Action.CHANGE_REFUSED, principal.tenant_id, reason=error.code)
            await record_alone(state.sessions, refusal)
            if error.code == "not_found":
                raise NotFoundException from None
            return await _members_page(session, principal, errors={"roles": error.message})
        for action, changed in ((Action.ROLE_GRANTED, after - before), (Action.ROLE_REVOKED, before - after)):
            for role in sorted(changed):
                await _audit(
                    session,
                    request,
                    principal,
                    action,
                    object_type="membership",
                    object_id=str(membership_id),
                    reason=role,
                )
    return Redirect("/organisation/personer")


@post("/organisation/personer/{membership_id:uuid}/ta-bort", opt={"permission": TENANT_ADMIN}, include_in_schema=False)
async def remove_member(request: Request[Any, Any, Any], state: State, membership_id: FromPath[UUID]) -> Redirect:
    """Take a person out of the tenant."""
    principal = _acting(request)
    async with _session(state, principal) as session:
        try:
            await remove_member_in_tenant(session, principal.tenant_id, membership_id)  # type: ignore[arg-type]
        except AdministrationError:
            raise NotFoundException from None
        await _audit(
            session, request, principal, Action.MEMBER_REMOVED, object_type="membership", object_id=str(membership_id)
        )
    return Redirect("/organisation/personer")


@post("/organisation/inbjudningar", opt={"permission": TENANT_ADMIN}, include_in_schema=False)
async def invite(request: Request[Any, Any, Any], state: State) -> Template:
    """Create an invitation; its link is shown once, to be given to the invitee by a safe channel."""
    principal = _acting(request)
    form = await request.form()
    async with _session(state, principal) as session:
        try:
            roles = checked_roles(list(form.getall("roles", [])), may_grant_platform_roles=False, at_least_one=True)
        except AdministrationError as error:
            refusal = _event(request, principal, Action.CHANGE_REFUSED, principal.tenant_id, reason=error.code)
            await record_alone(state.sessions, refusal)
            return await _members_page(session, principal, errors={"roles": error.message})
        token = await invite_to_tenant(session, principal.tenant_id, principal.user_id, roles)  # type: ignore[arg-type]
        await _audit(session, request, principal, Action.INVITED, reason=",".join(roles))
        return await _members_page(session, principal, link=f"{state.settings.public_url}/inbjudan/{token}")


def _invitation_invalid(token: str, error: AdministrationError) -> Template:
    # 404: an unusable invitation looks the same whether it never existed, expired or was used.
    return Template(
        template_name="tenants/invitation.html", context={"token": token, "error": error.message}, status_code=404
    )


@get("/inbjudan/{token:str}", opt={"permission": SIGNED_IN}, include_in_schema=False)
async def invitation(request: Request[Any, Any, Any], state: State, token: FromPath[str]) -> Template:
    """Ask the signed-in person to accept the invitation."""
    principal = principal_of(request)
    assert principal is not None  # noqa: S101 - the guard let only signed-in people in
    try:
        async with context_session(state.sessions, RequestContext(user_id=principal.user_id)) as session:
            await open_invitation(session, token)
    except AdministrationError as error:
        return _invitation_invalid(token, error)
    return Template(template_name="tenants/invitation.html", context={"token": token})


@post("/inbjudan/{token:str}", opt={"permission": SIGNED_IN}, include_in_schema=False)
async def accept(request: Request[Any, Any, Any], state: State, token: FromPath[str]) -> Template | Redirect:
    """Join the tenant; the person then switches to it in the header."""
    principal = principal_of(request)
    assert principal is not None  # noqa: S101 - the guard let only signed-in people in
    try:
        async with context_session(state.sessions, RequestContext(user_id=principal.user_id)) as session:
            tenant_id = await accept_invitation(session, token, principal.user_id)  # type: ignore[arg-type]
            # accept_invitation left the transaction acting in the inviting tenant: the event belongs there.
            await _audit(session, request, principal, Action.INVITATION_ACCEPTED, tenant_id=tenant_id)
    except AdministrationError as error:
        _log.warning("tenants.invitation_not_accepted", reason=error.code, user_id=str(principal.user_id))
        return _invitation_invalid(token, error)
    return Redirect("/konto")


KIND_NAMES = {
    TenantKind.MUNICIPALITY: "Kommun",
    TenantKind.OPERATION: "Avhopparverksamhet",
    TenantKind.COUNTY_BOARD: "Länsstyrelse",
    TenantKind.GUIDANCE_LINE: "Stödlinje",
    TenantKind.NATIONAL_COORDINATOR: "Nationell samordnare",
    TenantKind.OTHER_AUTHORITY: "Annan myndighet",
}
# Municipalities and county boards come from the geography, not from this form.
CREATABLE_KINDS = [kind for kind in TenantKind if kind not in {TenantKind.MUNICIPALITY, TenantKind.COUNTY_BOARD}]


async def _tenants_page(
    session: AsyncSession, *, errors: dict[str, str] | None = None, values: dict[str, str] | None = None
) -> Template:
    tenants = (await session.execute(select(Tenant).order_by(Tenant.kind, Tenant.name))).scalars().all()
    return Template(
        template_name="tenants/tenant_list.html",
        context={
            "tenants": tenants,
            "kind_names": KIND_NAMES,
            "creatable_kinds": CREATABLE_KINDS,
            "errors": errors or {},
            "values": values or {},
        },
        status_code=400 if errors else 200,
    )


@get("/organisationer", opt={"permission": PLATFORM_ADMIN}, include_in_schema=False)
async def tenant_list(request: Request[Any, Any, Any], state: State) -> Template:
    """Every tenant on the platform, with forms to add one and to (de)activate each."""
    principal = _acting(request)
    async with _session(state, principal) as session:
        return await _tenants_page(session)


@post("/organisationer", opt={"permission": PLATFORM_ADMIN}, include_in_schema=False)
async def new_tenant(request: Request[Any, Any, Any], state: State) -> Redirect | Template:
    """Create a tenant that is not a municipality or county board."""
    principal = _acting(request)
    form = await request.form()
    values = {field: str(form.get(field, "")).strip() for field in ("name", "slug", "kind")}
    errors: dict[str, str] = {}
    if not 2 <= len(values["name"]) <= 200:  # noqa: PLR2004
        errors["name"] = "Skriv organisationens namn."
    if not _SLUG.fullmatch(values["slug"]) or len(values["slug"]) > 64:  # noqa: PLR2004
        errors["slug"] = "Kortadressen får bara innehålla a–z, 0–9 och bindestreck."
    async with _session(state, principal) as session:
        if not errors:
            try:
                tenant_id = await create_tenant(session, values["kind"], values["name"], values["slug"])
            except AdministrationError as error:
                errors["slug" if error.code == "slug_taken" else "kind"] = error.message
            else:
                await _audit(
                    session, request, principal, Action.TENANT_CREATED, object_type="tenant", object_id=str(tenant_id)
                )
                return Redirect("/organisationer")
        _log.warning("tenants.tenant_refused", reason=",".join(sorted(errors)), user_id=str(principal.user_id))
        return await _tenants_page(session, errors=errors, values=values)


@post("/organisationer/{tenant_id:uuid}/status", opt={"permission": PLATFORM_ADMIN}, include_in_schema=False)
async def tenant_status(
    request: Request[Any, Any, Any], state: State, tenant_id: FromPath[UUID]
) -> Redirect | Template:
    """Activate or deactivate a tenant (the tenant registry is platform data, not any tenant's)."""
    principal = _acting(request)
    wanted = (await request.form()).get("active")
    async with _session(state, principal) as session:
        if wanted not in {"true", "false"}:
            return await _tenants_page(session, errors={"status": "Välj om organisationen ska vara aktiv."})
        try:
            await set_tenant_active(session, tenant_id, active=wanted == "true")
        except AdministrationError:
            raise NotFoundException from None
        await _audit(
            session,
            request,
            principal,
            Action.TENANT_STATUS_CHANGED,
            object_type="tenant",
            object_id=str(tenant_id),
            reason="active" if wanted == "true" else "inactive",
        )
    return Redirect("/organisationer")


ADMIN_ROUTES = [
    members,
    change_roles,
    remove_member,
    invite,
    invitation,
    accept,
    tenant_list,
    new_tenant,
    tenant_status,
]
