"""The professionals' search: the situation on the left, who can help and why on the right."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from avhopp.directory.api import SEARCH
from avhopp.directory.eligibility import area_name
from avhopp.directory.pages.common import (
    REVISION_STATUS_LABELS,
    form_values,
    member_of,
    result_labels,
    situation_options,
)
from avhopp.directory.pages.forms import read_search
from avhopp.directory.search import search_directory
from avhopp.directory.service import EntryNotFoundError, history_of_entry, is_stale, published_service
from avhopp.directory.vocabulary import label
from avhopp.platform.database import RequestContext, context_session

if TYPE_CHECKING:
    from avhopp.directory.search import SearchResult


def _page(form: dict[str, list[str]], errors: dict[str, str], result: SearchResult | None) -> Template:
    return Template(
        template_name="directory/search.html",
        context={
            "form": form,
            "errors": errors,
            "options": situation_options(),
            "labels": result_labels(),
            "result": result,
        },
        status_code=400 if errors else 200,
    )


@get("/katalog", opt={"permission": SEARCH}, include_in_schema=False)
async def search_page() -> Template:
    """The empty search form."""
    return _page({}, {}, None)


@post("/katalog", opt={"permission": SEARCH}, include_in_schema=False)
async def search_results(request: Request[Any, Any, Any], state: State) -> Template:
    """The results for the submitted situation (the whole page, or with htmx just the results)."""
    principal, tenant_id = member_of(request)
    form = await request.form()
    query, errors = read_search(form, public=False)
    if query is None:
        return _page(form_values(form), errors, None)
    context = RequestContext(tenant_id=tenant_id, user_id=principal.user_id)
    async with context_session(state.sessions, context) as session:
        result = await search_directory(session, query, datetime.now(UTC).date())
    return _page(form_values(form), {}, result)


@get("/katalog/tjanster/{service_id:uuid}", opt={"permission": SEARCH}, include_in_schema=False)
async def service_page(request: Request[Any, Any, Any], state: State, service_id: FromPath[UUID]) -> Template:
    """Everything about one published service, with its history of changes."""
    _principal, tenant_id = member_of(request)
    async with context_session(state.sessions, RequestContext(tenant_id=tenant_id)) as session:
        try:
            entry = await published_service(session, service_id)
        except EntryNotFoundError:
            raise NotFoundException from None
        history = await history_of_entry(session, service_id)
    return Template(
        template_name="directory/service.html",
        context={
            "entry": entry,
            "stale": is_stale(entry.service, datetime.now(UTC).date()),
            "history": history,
            "area_names": [area_name(area) for area in entry.service.catchment],
            "status_labels": REVISION_STATUS_LABELS,
            "label": label,
            "labels": result_labels(),
        },
    )


SEARCH_ROUTES = [search_page, search_results, service_page]
