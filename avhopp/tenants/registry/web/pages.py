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

from avhopp.platform.audit import Action, AuditEvent, record
from avhopp.platform.auth.sessions import SESSION_COOKIE, act_for
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.scope.principal import principal_of
from avhopp.platform.scope.route_permissions import PUBLIC, SIGNED_IN
from avhopp.platform.web.observe import request_id_of
from avhopp.tenants.registry.roles import role_names

_log = structlog.get_logger("avhopp.tenants")


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
    async with context_session(state.sessions, RequestContext(tenant_id=wanted, user_id=principal.user_id)) as session:
        await act_for(session, request.cookies[SESSION_COOKIE], wanted)
        await record(
            session,
            AuditEvent(
                Action.TENANT_SWITCHED, wanted, principal.user_id, request_id=request_id_of(request.scope) or None
            ),
        )
    _log.info("tenants.switched", user_id=str(principal.user_id), tenant_id=str(wanted))
    return Redirect("/")


TENANT_ROUTES = [home, account, switch_tenant]
