"""The cases API's refusals: problem details as OpenAPI describes them; undecodable bodies in Swedish.

Problems are RFC 9457 problem details, which the platform's error handler (avhopp.platform.web.errors)
writes. Litestar refuses a body that does not match its type before a handler runs, with English
messages; the handlers here turn those into the same `InvalidInputError` the services raise, so a
client gets one kind of answer whichever check refused. Nothing the client sent is echoed back.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from litestar.exceptions import ValidationException
from litestar.status_codes import HTTP_400_BAD_REQUEST

from avhopp.platform.problems import FieldProblem, InvalidInputError
from avhopp.platform.web.errors import error_response
from avhopp.platform.web.openapi_problems import problem_responses

if TYPE_CHECKING:
    from litestar import Request, Response
    from litestar.openapi.datastructures import ResponseSpec
    from litestar.types import ExceptionHandlersMap


_DESCRIPTIONS = {
    400: "Förfrågan stämmer inte: `errors` namnger varje fält och säger varför. Ingenting sparades.",
    403: "Rollen saknar behörigheten som vägen kräver.",
    404: (
        "Finns inte, eller syns inte för dig: samma svar i båda fallen. Ett ärende syns bara för dess team,"
        " och för en annan organisation bara medan ett samtycke omfattar den. En maskinklient ser bara"
        " ärenden vars team den ingår i."
    ),
    413: "Förfrågan är för stor.",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The problem details a route may answer with, for its OpenAPI document."""
    return problem_responses({status: _DESCRIPTIONS[status] for status in statuses})


READ_PROBLEMS = problems(400, 403, 404)
WRITE_PROBLEMS = problems(400, 403, 404, 413)

_TYPES = {
    "str": "text",
    "int": "ett heltal",
    "float": "ett tal",
    "bool": "true eller false",
    "array": "en lista",
    "object": "ett objekt",
    "null": "null",
}
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Object missing required field `(?P<name>[^`]+)`"), "Fältet saknas."),
    (re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`"), "Okänt fält. Ta bort det."),
    (re.compile(r"^Invalid enum value"), "Okänt värde. Välj ett av de tillåtna värdena."),
    (re.compile(r"^Invalid UUID"), "Ska vara ett id (UUID)."),
    (re.compile(r"^Invalid RFC3339 encoded date$"), "Ska vara ett datum, ÅÅÅÅ-MM-DD."),
    (re.compile(r"^Invalid base64 encoded string"), "Ska vara base64-kodat."),
    (re.compile(r"^Expected `str` of length <= (?P<limit>\d+)"), "Skriv högst {limit} tecken."),
    (re.compile(r"^Expected `(array|object)` of length <= (?P<limit>\d+)"), "Ange högst {limit} värden."),
    (re.compile(r"^Expected `(?P<expected>[^`]+)`, got `[^`]+`"), "Fel sorts värde: ska vara {expected}."),
)
_BODY = "body"


def _swedish(expected: str) -> str:
    return " eller ".join(_TYPES.get(kind.strip(), kind.strip()) for kind in expected.split("|"))


def field_problem(key: str, message: str) -> FieldProblem:
    """One of Litestar's validation messages about the body, in Swedish and naming the field."""
    path = "" if key in {"", "data"} else key
    for pattern, swedish in _PATTERNS:
        match = pattern.match(message)
        if match is None:
            continue
        found = match.groupdict()
        name = found.pop("name", None)
        if name is not None:
            path = f"{path}.{name}" if path else name
        if "expected" in found:
            found["expected"] = _swedish(found["expected"])
        return FieldProblem(path or _BODY, swedish.format(**found))
    if not path:
        return FieldProblem(_BODY, "Skicka uppgifterna som ett JSON-objekt.")
    return FieldProblem(path, "Värdet stämmer inte.")


def _bad_request(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list) and exc.extra:
        refused = [
            field_problem(str(item.get("key", "")), str(item.get("message", "")))
            for item in exc.extra
            if isinstance(item, dict)
        ]
    else:
        # The body is not JSON at all.
        refused = [FieldProblem(_BODY, "Innehållet är inte giltig JSON.")]
    return error_response(request, InvalidInputError(refused))


def _too_deep(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:  # noqa: ARG001 - the interface
    # The JSON decoder gives up on nesting deeper than the interpreter's recursion limit.
    return error_response(request, InvalidInputError.one(_BODY, "JSON-innehållet är för djupt nästlat."))


API_EXCEPTION_HANDLERS: ExceptionHandlersMap = {HTTP_400_BAD_REQUEST: _bad_request, RecursionError: _too_deep}
"""For the cases API's controllers: refused bodies as problem details in Swedish."""
