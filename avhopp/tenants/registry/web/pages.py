"""Pages about the person and the tenants they act for: the start page, the account page, switching."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
import structlog
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from avhopp.platform.audit import Action, AuditEvent, record
from avhopp.platform.auth.sessions import SESSION_COOKIE, act_for
from avhopp.platform.problems import NotFoundError
from avhopp.platform.scope.principal import principal_of
from avhopp.platform.scope.request import SignedIn
from avhopp.platform.scope.route_permissions import PUBLIC, SIGNED_IN
from avhopp.platform.web.observe import request_id_of
from avhopp.tenants.registry.roles import role_names

_log = structlog.get_logger("avhopp.tenants")


@get("/", opt={"permission": PUBLIC}, include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Template:
    """The start page: what the platform is, or the signed-in person's overview."""
    principal = principal_of(request)
    if principal is None or principal.person_id is None:
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
    signed_in: SignedIn,
    data: Annotated[TenantSwitch, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Redirect:
    """Act for another tenant the person belongs to; any other id is "not found"."""
    try:
        wanted = UUID(data.tenant_id)
    except ValueError:
        raise NotFoundError from None
    if not await act_for(signed_in.session, request.cookies[SESSION_COOKIE], signed_in.principal, wanted):
        _log.warning("tenants.switch_refused", user_id=str(signed_in.user_id))
        raise NotFoundError
    await record(
        signed_in.session,
        AuditEvent(Action.TENANT_SWITCHED, wanted, signed_in.user_id, request_id=request_id_of(request.scope) or None),
    )
    _log.info("tenants.switched", user_id=str(signed_in.user_id), tenant_id=str(wanted))
    return Redirect("/")


TENANT_ROUTES = [home, account, switch_tenant]
