"""Errors: problem details (RFC 9457) for the API, one friendly Swedish page for people.

API answers are `application/problem+json`: `{"type": "urn:avhopp:problem:not_found", "title": ...,
"status": 404, "detail": ..., "code": "not_found", "request_id": ...}`, plus `errors`
(`[{"field": ..., "message": ...}]`) when input was refused. `code` is the stable part for clients.
Services raise `NotFoundError` (a foreign object and a missing one alike) and `InvalidInputError`;
both map here, so handlers need not translate them; the error page lists each refused field's
message. Nothing from the request but the names of refused fields, and nothing of the exception's
message, is echoed back or logged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_404_NOT_FOUND,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.web.observe import request_id_of

if TYPE_CHECKING:
    from litestar.types import ExceptionHandlersMap

_log = structlog.get_logger("avhopp.errors")

# status: (code, title, message) in Swedish; the code is the stable part for API clients.
_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "Något i förfrågan stämmer inte", "Kontrollera uppgifterna och försök igen."),
    401: ("unauthenticated", "Du behöver logga in", "Logga in och försök igen."),
    403: ("forbidden", "Du har inte behörighet", "Kontakta din administratör om du behöver tillgång."),
    404: (
        "not_found",
        "Sidan finns inte",
        "Sidan eller uppgiften du söker finns inte, eller så saknar du tillgång till den.",
    ),
    405: ("method_not_allowed", "Det går inte att göra så här", "Den här sidan tar inte emot den sortens förfrågan."),
    409: ("conflict", "Uppgiften har ändrats", "Någon annan har ändrat uppgiften. Ladda om sidan och försök igen."),
    413: ("too_large", "För mycket data", "Förfrågan är för stor. Försök med mindre data."),
    429: ("rate_limited", "För många försök", "Vänta en stund och försök sedan igen."),
    500: ("internal_error", "Något gick fel hos oss", "Felet är loggat. Försök igen om en stund."),
    503: ("unavailable", "Tjänsten är inte tillgänglig just nu", "Försök igen om en stund."),
}


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/health/")):
        return True
    return "text/html" not in request.headers.get("accept", "")


def _describe(status: int) -> tuple[str, str, str]:
    if status in _ERRORS:
        return _ERRORS[status]
    return _ERRORS[500] if status >= 500 else _ERRORS[400]  # noqa: PLR2004


PROBLEM_JSON = "application/problem+json"


def _fields(exc: Exception) -> list[dict[str, str]]:
    if isinstance(exc, InvalidInputError):
        return [{"field": problem.field, "message": problem.message} for problem in exc.problems]
    if not isinstance(exc, ValidationException) or not isinstance(exc.extra, list):
        return []
    return [
        {"field": str(item.get("key", "")), "message": str(item.get("message", ""))}
        for item in exc.extra
        if isinstance(item, dict)
    ]


def _status_of(exc: Exception) -> int:
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, NotFoundError):
        return HTTP_404_NOT_FOUND
    if isinstance(exc, InvalidInputError):
        return HTTP_400_BAD_REQUEST
    return HTTP_500_INTERNAL_SERVER_ERROR


def error_response(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Turn any exception into the JSON error or the HTML page, with the request id."""
    status = _status_of(exc)
    if status >= 500:  # noqa: PLR2004
        _log.error("unhandled_error", exc_info=exc)
    code, title, message = _describe(status)
    request_id = request_id_of(request.scope)
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    if status == HTTP_401_UNAUTHORIZED and not _wants_json(request):
        # A person whose session ended: log in again and come back here.
        return Redirect(f"/auth/login?{urlencode({'next': request.url.path})}")
    if _wants_json(request):
        body: dict[str, Any] = {
            "type": f"urn:avhopp:problem:{code}",
            "title": title,
            "status": status,
            "detail": message,
            "code": code,
            "request_id": request_id,
        }
        fields = _fields(exc)
        if fields:
            body["errors"] = fields
        return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
    problems = [problem.message for problem in exc.problems] if isinstance(exc, InvalidInputError) else []
    return Template(
        template_name="error.html",
        context={"status": status, "title": title, "message": message, "problems": problems, "request_id": request_id},
        status_code=status,
        headers=headers,
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {Exception: error_response}
