"""The public page "Hitta stöd": anyone, no sign-in, nothing kept about who searched.

Written for a frightened person on a phone: the guidance line's number and opening hours come
first, a "leave this page quickly" link (and the Escape key) replaces the page with a neutral
site, the form asks in plain words, and what answers a sent form takes the focus where it is.
No cookies (the CSRF middleware is skipped: the page changes nothing, and a cookie would be
a trace on a frightened person's phone), no analytics, no request to anyone but the platform,
and one script, a static file (the strict policy allows no inline code). The search is a POST
so the situation never stands in a URL, a browser's history or a proxy's log; the platform's
own request log records the route template only. The rate limit counts per address (an HMAC
of it) in a table every web process shares, and forgets it when the window ends. 112 and the
guidance line are on every page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Controller, Request, get, post
from litestar.response import Template

from avhopp.directory.catalogue.search import search_directory
from avhopp.directory.catalogue.service import services_of_tenants
from avhopp.directory.catalogue.vocabulary import Weekday
from avhopp.directory.catalogue.web.common import public_situation_options, result_labels
from avhopp.directory.catalogue.web.forms import read_search
from avhopp.platform.scope.request import Anyone, PublicScope
from avhopp.platform.scope.route_permissions import PUBLIC
from avhopp.platform.times import swedish_date
from avhopp.platform.web.csrf import EXCLUDE_FROM_CSRF
from avhopp.platform.web.forms import form_values
from avhopp.platform.web.ratelimit import RateLimit, check_rate
from avhopp.tenants.registry.service import TenantKind, tenant_ids_of_kind

if TYPE_CHECKING:
    from collections.abc import Iterable

    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

    from avhopp.directory.catalogue.search import SearchResult

PUBLIC_SEARCH_LIMIT = RateLimit("directory.public_search", requests=30, seconds=60)
_PRIVATE = {"Cache-Control": "no-store"}  # Referrer-Policy: no-referrer comes with every response
NEUTRAL_SITE = "https://www.google.se/"
"""Where "leave this page quickly" leads: a page anyone may have open, that says nothing."""
CALLBACK_PREFIX = "callback_"
"""The callback form's fields on this page (its problems are shown at that form)."""
_WEEK = tuple(Weekday)


def day_runs(days: Iterable[Weekday]) -> list[tuple[Weekday, Weekday]]:
    """Days as runs of consecutive weekdays, first and last: (MO, FR), (SU, SU)."""
    runs: list[tuple[Weekday, Weekday]] = []
    for day in sorted(days, key=_WEEK.index):
        if runs and _WEEK.index(runs[-1][1]) + 1 == _WEEK.index(day):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


async def public_page(
    anyone: PublicScope,
    form: dict[str, list[str]],
    errors: dict[str, str],
    result: SearchResult | None,
    *,
    callback_sent: bool = False,
) -> Template:
    """The public page with what to show on it; the guidance line's number and hours come from its entry.

    Problems with the callback form (fields named `callback_…`) are shown at that form, the
    search's above the search.
    """
    session = anyone.session
    lines = await services_of_tenants(session, await tenant_ids_of_kind(session, TenantKind.GUIDANCE_LINE))
    return Template(
        template_name="directory/public.html",
        context={
            "form": form,
            "errors": errors,
            "search_errors": {k: v for k, v in errors.items() if not k.startswith(CALLBACK_PREFIX)},
            "callback_errors": {k: v for k, v in errors.items() if k.startswith(CALLBACK_PREFIX)},
            "options": public_situation_options(),
            "labels": result_labels(),
            "result": result,
            "guidance_lines": lines,
            "day_runs": day_runs,
            "neutral_site": NEUTRAL_SITE,
            "callback_sent": callback_sent,
        },
        status_code=400 if errors else 200,
        headers=_PRIVATE,
    )


async def within_public_limit(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """A guard: over the limit, refuse before the body is read or the search runs."""
    await check_rate(connection, PUBLIC_SEARCH_LIMIT)


class PublicPages(Controller):
    """The page for anyone: no cookie, no inline script, no query or address logged, a rate limit per address."""

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
        result = await search_directory(anyone.session, query, swedish_date())
        return await public_page(anyone, form_values(form), {}, result)


PUBLIC_ROUTES = [PublicPages]
