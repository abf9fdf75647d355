"""The refusals the platform itself may answer on any route, written into the OpenAPI document.

A route declares what its own use case refuses (`responses=`); the platform's guards refuse more,
before the route runs: the input rule (400), a missing sign-in (401), a missing permission (403),
an object that is not there or not the caller's, or a route closed to the caller's kind of tenant
(404), a body too large (413). Each is a problem details document (RFC 9457), as
`avhopp.platform.web.errors` writes it. The route's own description of a status is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.routes import HTTPRoute

from avhopp.platform.scope.route_permissions import PERMISSION_KEY, PUBLIC, TENANT_KINDS_KEY
from avhopp.platform.web.errors import PROBLEM_JSON

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.handlers.http_handlers import HTTPRouteHandler


class FieldError(msgspec.Struct):
    """One refused field: its path in the body (`person.name`, `interventions[0].starts_on`) and why."""

    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """A refusal as problem details (RFC 9457); `code` is the stable part, the texts are Swedish."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    request_id: str
    errors: list[FieldError] = msgspec.field(default_factory=list)
    """Set when input was refused: every field that was wrong. Nothing was saved."""


_PLATFORM_DESCRIPTIONS = {
    400: "Förfrågan stämmer inte (till exempel ett styrtecken eller ett för långt värde): `errors` namnger fälten.",
    401: "Inloggning krävs: en sessionskaka eller en giltig bearer-token.",
    403: "Rollen saknar behörigheten som vägen kräver.",
    404: "Finns inte, eller syns inte för dig: samma svar i båda fallen.",
    413: "Förfrågan är för stor.",
}
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def problem_responses(descriptions: dict[int, str]) -> dict[int, ResponseSpec]:
    """Problem details with these statuses and descriptions, for a route's `responses`."""
    return {
        status: ResponseSpec(
            data_container=Problem, description=description, media_type=PROBLEM_JSON, generate_examples=False
        )
        for status, description in descriptions.items()
    }


def _platform_refusals(handler: HTTPRouteHandler, path: str) -> list[int]:
    statuses = [400]
    permission = handler.opt.get(PERMISSION_KEY)
    if permission != PUBLIC:
        statuses += [401, 403]
    if "{" in path or handler.opt.get(TENANT_KINDS_KEY):
        statuses.append(404)
    if _BODY_METHODS & set(handler.http_methods):
        statuses.append(413)
    return statuses


def document_platform_refusals(app: Litestar) -> None:
    """Add to every documented route the platform's refusals it does not describe itself."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            own = dict(handler.responses or {})
            missing = {
                status: _PLATFORM_DESCRIPTIONS[status]
                for status in _platform_refusals(handler, route.path)
                if status not in own
            }
            handler.responses = {**own, **problem_responses(missing)}
