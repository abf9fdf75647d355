"""The public page "Hitta stöd": anyone, no sign-in, nothing kept about who searched.

No cookies (the CSRF middleware is skipped: the page changes nothing, and a cookie would be
a trace on a frightened person's phone), no scripts, no analytics. The search is a POST so
the situation never stands in a URL, a browser's history or a proxy's log; the platform's
own request log records the route template only. The rate limit counts per address in
memory and forgets it when the window ends. 112 and the guidance line are on every page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.response import Template

from avhopp.directory.pages.common import form_values, result_labels, situation_options
from avhopp.directory.pages.forms import read_search
from avhopp.directory.search import search_directory
from avhopp.directory.service import services_of_tenants
from avhopp.platform.auth.permissions import PUBLIC
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.web.csrf import EXCLUDE_FROM_CSRF
from avhopp.platform.web.ratelimit import RateLimit, SlidingWindowLimiter, check_rate, client_address
from avhopp.tenants.models import TenantKind
from avhopp.tenants.service import tenant_ids_of_kind

if TYPE_CHECKING:
    from avhopp.directory.search import SearchResult

PUBLIC_SEARCH_LIMIT = RateLimit(requests=30, seconds=60)
_LIMITER_STATE = "directory_public_limiter"
_PRIVATE = {"Cache-Control": "no-store"}  # Referrer-Policy: no-referrer comes with every response
_OPT = {"permission": PUBLIC, EXCLUDE_FROM_CSRF: True}


async def public_page(
    state: State,
    form: dict[str, list[str]],
    errors: dict[str, str],
    result: SearchResult | None,
    *,
    callback_sent: bool = False,
) -> Template:
    """The public page with what to show on it; the guidance line's opening hours come from its entry."""
    async with context_session(state.sessions, RequestContext()) as session:
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


def _limiter(state: State) -> SlidingWindowLimiter:
    limiter = state.get(_LIMITER_STATE)
    if limiter is None:
        limiter = state[_LIMITER_STATE] = SlidingWindowLimiter(PUBLIC_SEARCH_LIMIT)
    return limiter


@get("/hitta-stod", opt=_OPT, include_in_schema=False)
async def find_support(state: State) -> Template:
    """The empty form."""
    return await public_page(state, {}, {}, None)


@post("/hitta-stod", opt=_OPT, include_in_schema=False)
async def find_support_results(request: Request[Any, Any, Any], state: State) -> Template:
    """Services for the situation given, public contact details only."""
    check_rate(_limiter(state).allow(client_address(request)))
    form = await request.form()
    query, errors = read_search(form, public=True)
    if query is None:
        return await public_page(state, form_values(form), errors, None)
    async with context_session(state.sessions, RequestContext()) as session:
        result = await search_directory(session, query, datetime.now(UTC).date())
    return await public_page(state, form_values(form), {}, result)


PUBLIC_ROUTES = [find_support, find_support_results]
