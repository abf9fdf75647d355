"""The professionals' search: the situation on the left, who can help and why on the right."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath
from litestar.response import Template

from avhopp.directory.catalogue.eligibility import area_name
from avhopp.directory.catalogue.models import RevisionStatus
from avhopp.directory.catalogue.permissions import SEARCH
from avhopp.directory.catalogue.search import search_directory
from avhopp.directory.catalogue.service import history_of_entry_in_tenant, is_stale, published_service
from avhopp.directory.catalogue.web.common import result_labels, situation_options
from avhopp.directory.catalogue.web.forms import read_search
from avhopp.platform.labels import label, labels_of
from avhopp.platform.scope.request import Acting
from avhopp.platform.times import swedish_date
from avhopp.platform.web.forms import form_values

if TYPE_CHECKING:
    from avhopp.directory.catalogue.search import SearchResult


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


class SearchPages(Controller):
    """Who can help this person, and why or why not; one published service with its history."""

    path = "/katalog"
    opt = {"permission": SEARCH}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def search(self, request: Request[Any, Any, Any], acting: Acting) -> Template:
        """The form, and with a query in the address its results: Back and a shared link show them again."""
        if not request.query_params:
            return _page({}, {}, None)
        form = FormMultiDict(request.query_params.multi_items())
        query, errors = read_search(form, public=False)
        if query is None:
            return _page(form_values(form), errors, None)
        result = await search_directory(acting.session, query, swedish_date(), internal=True)
        return _page(form_values(form), {}, result)

    @get("/tjanster/{service_id:uuid}")
    async def service(self, acting: Acting, service_id: FromPath[UUID]) -> Template:
        """Everything about one published service, with its history of changes."""
        entry = await published_service(acting.session, service_id, internal=True)
        history = await history_of_entry_in_tenant(acting.session, acting.tenant_id, service_id)
        return Template(
            template_name="directory/service.html",
            context={
                "entry": entry,
                "stale": is_stale(entry.service, swedish_date()),
                "history": history,
                "area_names": [area_name(area) for area in entry.service.catchment],
                "status_labels": labels_of(RevisionStatus),
                "label": label,
                "labels": result_labels(),
            },
        )


SEARCH_ROUTES = [SearchPages]
