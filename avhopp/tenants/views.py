"""Pages about the person and the tenants they act for: the start page, the account page, switching."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
import structlog
from litestar import Request, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy import select

from avhopp.platform.auth.permissions import PUBLIC, SIGNED_IN, holding_role
from avhopp.platform.auth.principal import principal_of
from avhopp.platform.auth.sessions import SESSION_COOKIE, act_for
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.web.shell import NavEntry
from avhopp.tenants.models import Tenant, TenantKind
from avhopp.tenants.roles import ROLE_NAMES, Role

_log = structlog.get_logger("avhopp.tenants")


def role_names(roles: frozenset[str]) -> list[str]:
    """Swedish names of the roles, in the order of the role list."""
    return [ROLE_NAMES[role] for role in Role if role.value in roles]


@get("/", opt={"permission": PUBLIC}, include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Template:
    """The start page: what the platform is, or the signed-in person's overview."""
    principal = principal_of(request)
    if principal is None or principal.user_id is None:
        return Template(template_name="tenants/welcome.html")
    return Template(
        template_name="tenants/overview.html",
        context={"principal": principal, "role_names": role_names(principal.roles)},
    )


@get("/konto", opt={"permission": SIGNED_IN}, include_in_schema=False)
async def account(request: Request[Any, Any, Any]) -> Template:
    """Who you are, which tenants you belong to, which one you act for."""
    return Template(template_name="tenants/account.html", context={"principal": principal_of(request)})


class TenantSwitch(msgspec.Struct):
    """The tenant switcher's form."""

    tenant_id: str


@post("/konto/organisation", opt={"permission": SIGNED_IN}, include_in_schema=False)
async def switch_tenant(
    request: Request[Any, Any, Any],
    state: State,
    data: Annotated[TenantSwitch, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Redirect:
    """Act for another tenant the person belongs to; any other id is "not found"."""
    principal = principal_of(request)
    assert principal is not None  # noqa: S101 - the guard let only signed-in people in
    try:
        wanted = UUID(data.tenant_id)
    except ValueError:
        raise NotFoundException from None
    if wanted not in {choice.id for choice in principal.tenants}:
        _log.warning("tenants.switch_refused", user_id=str(principal.user_id))
        raise NotFoundException
    async with context_session(state.sessions, RequestContext(user_id=principal.user_id)) as session:
        await act_for(session, request.cookies[SESSION_COOKIE], wanted)
    _log.info("tenants.switched", user_id=str(principal.user_id), tenant_id=str(wanted))
    return Redirect("/")


KIND_NAMES = {
    TenantKind.MUNICIPALITY: "Kommun",
    TenantKind.OPERATION: "Avhopparverksamhet",
    TenantKind.COUNTY_BOARD: "Länsstyrelse",
    TenantKind.GUIDANCE_LINE: "Stödlinje",
    TenantKind.NATIONAL_COORDINATOR: "Nationell samordnare",
    TenantKind.OTHER_AUTHORITY: "Annan myndighet",
}


@get("/organisationer", opt={"permission": holding_role(Role.PLATFORM_ADMIN)}, include_in_schema=False)
async def tenant_list(request: Request[Any, Any, Any], state: State) -> Template:
    """Every tenant on the platform, for platform administrators."""
    principal = principal_of(request)
    assert principal is not None  # noqa: S101 - the guard let only platform admins in
    async with context_session(
        state.sessions, RequestContext(tenant_id=principal.tenant_id, user_id=principal.user_id)
    ) as session:
        tenants = (await session.execute(select(Tenant).order_by(Tenant.kind, Tenant.name))).scalars().all()
    return Template(template_name="tenants/tenant_list.html", context={"tenants": tenants, "kind_names": KIND_NAMES})


TENANT_ROUTES = [home, account, switch_tenant, tenant_list]
TENANT_NAV = (
    NavEntry("Mitt konto", "/konto"),
    NavEntry("Organisationer", "/organisationer", roles=frozenset({Role.PLATFORM_ADMIN})),
)
