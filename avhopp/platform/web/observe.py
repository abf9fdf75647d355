"""The outermost layer of every HTTP request: request id, server span, duration metric, access log.

It wraps the whole application (routing included), so a request for a route that does not
exist is observed too. It records the route template, never the path or query string:
those can carry what a user searched for.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import TYPE_CHECKING

import structlog
from litestar.enums import ScopeType
from opentelemetry.trace import SpanKind, Status, StatusCode

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send
    from opentelemetry import trace

    from avhopp.platform.telemetry import Telemetry

REQUEST_ID_HEADER = "x-request-id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
_log = structlog.get_logger("avhopp.http")


def request_id_of(scope: Scope) -> str:
    """The id this request is logged under (set by RequestObserver)."""
    return str(scope.get("state", {}).get("request_id", ""))


class RequestObserver:
    """ASGI middleware around the whole app; see the module docstring."""

    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        self.app = app
        self.telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Observe one HTTP request; other ASGI traffic passes through."""
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        method = scope["method"]
        status = 500
        started = time.perf_counter()

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER.encode(), request_id.encode())]
            await send(message)

        with (
            structlog.contextvars.bound_contextvars(request_id=request_id),
            self.telemetry.tracer.start_as_current_span(
                f"{method} request", kind=SpanKind.SERVER, attributes={"http.request.method": method}
            ) as span,
        ):
            try:
                await self.app(scope, receive, send_observed)
            finally:
                route = scope.get("path_template") or "(ingen route)"
                duration = time.perf_counter() - started
                _finish_span(span, method, route, status)
                self.telemetry.http_requests.record(
                    duration, {"http.request.method": method, "http.route": route, "http.response.status_code": status}
                )
                _log.info("request", method=method, route=route, status=status, duration_ms=round(duration * 1000, 1))


def _finish_span(span: trace.Span, method: str, route: str, status: int) -> None:
    span.update_name(f"{method} {route}")
    span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:  # noqa: PLR2004 - server errors mark the span failed
        span.set_status(Status(StatusCode.ERROR))


def _incoming_request_id(scope: Scope) -> str | None:
    """A request id from the load balancer, if it has a safe shape."""
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            return candidate if _SAFE_REQUEST_ID.fullmatch(candidate) else None
    return None
