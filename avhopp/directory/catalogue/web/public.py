"""The public page "Hitta stöd": anyone, no sign-in, nothing kept about who searched.

No cookies (the CSRF middleware is skipped: the page changes nothing, and a cookie would be
a trace on a frightened person's phone), no scripts, no analytics. The search is a POST so
the situation never stands in a URL, a browser's history or a proxy's log; the platform's
own request log records the route template only. The rate limit counts per address (an HMAC
of it) in a table every web process shares, and forgets it when the window ends. 112 and the
guidance line are on every page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from litestar import Controller, Request, get, post
from litestar.response import Template

from avhopp.directory.catalogue.search import search_directory
from avhopp.directory.catalogue.service import services_of_tenants
from avhopp.directory.catalogue.web.common import result_labels, situation_options
from avhopp.directory.catalogue.web.forms import read_search
from avhopp.platform.scope.request import Anyone, PublicScope
from avhopp.platform.scope.route_permissions import PUBLIC
from avhopp.platform.web.csrf import EXCLUDE_FROM_CSRF
from avhopp.platform.web.forms import form_values
from avhopp.platform.web.ratelimit import RateLimit, check_rate
from avhopp.tenants.registry.service import TenantKind, tenant_ids_of_kind

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

    from avhopp.directory.catalogue.search import SearchResult

PUBLIC_SEARCH_LIMIT = RateLimit("directory.public_search", requests=30, seconds=60)
_PRIVATE = {"Cache-Control": "no-store"}  # Referrer-Policy: no-referrer comes with every response


async def public_page(
    anyone: PublicScope,
    form: dict[str, list[str]],
    errors: dict[str, str],
    result: SearchResult | None,
    *,
    callback_sent: bool = False,
) -> Template:
    """The public page with what to show on it; the guidance line's opening hours come from its entry."""
    session = anyone.session
    lines = await services_of_tenants(session, await tenant_ids_of_kind(session, TenantKind.GUIDANCE_LINE))
    return Template(
        template_name="directory/public.html",
        context={
            "form": form,
            "errors": errors,
            "options": situation_options(),
            "labels": result_labels(),
            "result": result,
            "guidance_lines": lines,
            "callback_sent": callback_sent,
        },
        status_code=400 if errors else 200,
        headers=_PRIVATE,
    )


async def within_public_limit(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """A guard: over the limit, refuse before the body is read or the search runs."""
    await check_rate(connection, PUBLIC_SEARCH_LIMIT)


class PublicPages(Controller):
    """The page for anyone: no cookie, no script, no query or address logged, a rate limit per address."""

    path = "/hitta-stod"
    opt = {"permission": PUBLIC, EXCLUDE_FROM_CSRF: True}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def form(self, anyone: Anyone) -> Template:
        """The empty form."""
        return await public_page(anyone, {}, {}, None)

    @post("/", guards=[within_public_limit])
    async def results(self, request: Request[Any, Any, Any], anyone: Anyone) -> Template:
        """Services for the situation given, public contact details only."""
        form = await request.form()
        query, errors = read_search(form, public=True)
        if query is None:
            return await public_page(anyone, form_values(form), errors, None)
        result = await search_directory(anyone.session, query, datetime.now(UTC).date())
        return await public_page(anyone, form_values(form), {}, result)


PUBLIC_ROUTES = [PublicPages]
