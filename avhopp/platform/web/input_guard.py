"""Every route reads only plain text: the rule of avhopp.platform.text_input, applied once for all.

`refuse_unreadable_input` is the app's `before_request` hook: it runs after the guards (so a
refused or rate-limited request is not read) and before Litestar parses the handler's arguments
or the handler reads its form, and it reads the query and path parameters, the form or the JSON
body as the handler will. A problem raises `InvalidInputError`, which the error handler turns
into a 400 problem for the API and the error page, naming each field, for people: nothing of the
request reaches a service or the database. A body that is neither a form nor JSON is no field
of text, and is left to its handler.

Litestar takes the nearest layer's hook only, so a controller or route with a `before_request`
of its own would silently skip the rule: `check_every_route_guarded` refuses to build such an app.
"""

from __future__ import annotations

from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import ImproperlyConfiguredException, SerializationException
from litestar.routes import HTTPRoute

from avhopp.platform.problems import InvalidInputError
from avhopp.platform.text_input import (
    MAX_PROBLEMS,
    TOO_DEEP,
    field_problems,
    json_problems,
    parameter_problems,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from litestar import Litestar, Request

    from avhopp.platform.problems import FieldProblem

LONG_FIELDS = "long_text_fields"
"""A route's opt naming JSON paths that may be longer than other text, with their limits (an encoded file)."""
_FORMS = frozenset({RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART})


async def _body_problems(request: Request[Any, Any, Any]) -> Iterator[FieldProblem]:
    if request.content_type[0] in _FORMS:
        form = await request.form()
        # A file's name is text the handler may keep; its content is not a field.
        fields = (
            (name, value.filename if isinstance(value, UploadFile) else value) for name, value in form.multi_items()
        )
        return field_problems(fields)
    if not await request.body():
        return iter(())
    try:
        # Decoded once: Litestar keeps the result for the handler's `data`.
        document = await request.json()
    except SerializationException:
        return iter(())
    except RecursionError:
        return iter((TOO_DEEP,))
    return json_problems(document, long_fields=request.route_handler.opt.get(LONG_FIELDS, {}))


async def refuse_unreadable_input(request: Request[Any, Any, Any]) -> None:
    """Refuse the request if any text in it has a control character or is too long (a before_request hook)."""
    parameters = [*request.query_params.multi_items(), *request.path_params.items()]
    problems = list(islice(chain(parameter_problems(parameters), await _body_problems(request)), MAX_PROBLEMS))
    if problems:
        raise InvalidInputError(problems)


def check_every_route_guarded(app: Litestar) -> None:
    """Refuse an app in which a route has a `before_request` hook other than `refuse_unreadable_input`."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.resolve_before_request() is not refuse_unreadable_input:
                msg = f"{handler} replaces the app's before_request hook, and with it the input rule"
                raise ImproperlyConfiguredException(msg)
