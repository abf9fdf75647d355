"""A request yields spans for itself and its queries, and no span carries a value from the request."""

from __future__ import annotations

import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, ClassVar

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from sqlalchemy import Text, bindparam, create_engine, literal, select

from avhopp.platform.database import (
    RequestContext,
    context_session,
    create_app_engine,
    publishing_read,
    read_publishing,
    session_factory,
)
from avhopp.platform.telemetry import configure_telemetry, trace_engine

if TYPE_CHECKING:
    from collections.abc import Iterator

    from opentelemetry.sdk.trace import ReadableSpan

    from tests.platform.web.conftest import RunningApp
    from tests.support.postgres import TestDatabase

# Values a person might type; none may reach a span.
BODY_VALUE = "Anna Andersson på Storgatan 5"
QUERY_VALUE = "hemlig-sokning"
TENANT = uuid.uuid4()
PERSON = uuid.uuid4()


def all_attribute_text(spans: tuple[ReadableSpan, ...]) -> str:
    parts: list[str] = []
    for span in spans:
        parts.append(span.name)
        parts.extend(f"{key}={value!s}" for key, value in (span.attributes or {}).items())
        parts.append(span.status.description or "")
        for span_event in span.events:
            parts.extend(f"{key}={value!s}" for key, value in (span_event.attributes or {}).items())
    return "\n".join(parts)


async def test_a_request_produces_a_server_span_with_its_query_as_child(running: RunningApp) -> None:
    response = await running.client.post("/api/probe/echo", params={"q": QUERY_VALUE}, json={"name": BODY_VALUE})
    assert response.status_code == 201

    spans = running.spans.get_finished_spans()
    server = next(span for span in spans if span.kind == SpanKind.SERVER)
    queries = [span for span in spans if span.kind == SpanKind.CLIENT and "length" in str(span.attributes)]

    assert server.name == "POST /api/probe/echo"
    assert server.attributes is not None
    assert server.attributes["http.route"] == "/api/probe/echo"
    assert server.attributes["http.response.status_code"] == 201
    assert len(queries) == 1
    query = queries[0]
    assert query.parent is not None
    assert query.parent.span_id == server.context.span_id
    assert query.context.trace_id == server.context.trace_id
    assert query.attributes is not None
    assert query.attributes["db.system.name"] == "postgresql"


async def test_no_span_contains_a_bound_parameter_or_a_request_value(running: RunningApp) -> None:
    await running.client.post("/api/probe/echo", params={"q": QUERY_VALUE}, json={"name": BODY_VALUE})

    text = all_attribute_text(running.spans.get_finished_spans())

    assert "Anna" not in text
    assert "Storgatan" not in text
    assert QUERY_VALUE not in text


async def test_the_read_that_names_who_acts_is_traced_without_its_values(database: TestDatabase) -> None:
    # That read goes in the message that begins the transaction, its values quoted into the SQL.
    exporter = InMemorySpanExporter()
    telemetry = configure_telemetry(None, span_processor=SimpleSpanProcessor(exporter))
    engine = create_app_engine(database.app_url, pool_size=1)
    trace_engine(engine.sync_engine, telemetry)
    hashed = "a3f0c1e2-cookie-hash"
    try:
        async with context_session(
            session_factory(engine, audit_key=None), RequestContext(tenant_id=TENANT)
        ) as session:
            await read_publishing(
                session,
                publishing_read(
                    select(literal("x")).where(bindparam("token", type_=Text()) == literal("y")),
                    tenant_id=literal(TENANT),
                    user_id=literal(PERSON),
                ),
                {"token": hashed},
            )
    finally:
        await engine.dispose()
    sql = [str((span.attributes or {}).get("db.query.text")) for span in exporter.get_finished_spans()]

    assert any(text.startswith("BEGIN; SELECT set_config('?', '?', true)") for text in sql)
    assert hashed not in "\n".join(sql)
    assert str(TENANT) not in "\n".join(sql)


async def test_a_failed_query_is_marked_without_the_value_the_database_quoted(running: RunningApp) -> None:
    response = await running.client.post("/api/probe/duplicate", json={"name": "Anna-19850101"})
    assert response.status_code == 500

    spans = running.spans.get_finished_spans()
    failed = [span for span in spans if span.kind == SpanKind.CLIENT and span.status.status_code == StatusCode.ERROR]

    assert len(failed) == 1
    assert failed[0].attributes is not None
    assert failed[0].attributes["error.type"] == "InvalidTextRepresentation"
    assert "Anna" not in all_attribute_text(spans)


async def test_requests_are_measured(running: RunningApp) -> None:
    await running.client.get("/health/live")

    data = running.metrics.get_metrics_data()
    assert data is not None
    names = {metric.name for rm in data.resource_metrics for sm in rm.scope_metrics for metric in sm.metrics}
    assert "http.server.request.duration" in names
    assert "db.client.operation.duration" in names


class Collector(BaseHTTPRequestHandler):
    """Records the paths OTLP posts to."""

    received: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        Collector.received.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    Collector.received.clear()
    server = HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_spans_go_to_the_otlp_endpoint_when_one_is_set(collector: str) -> None:
    telemetry = configure_telemetry(collector)
    telemetry.tracer.start_span("probe").end()
    telemetry.tracer_provider.force_flush()
    telemetry.shutdown()

    assert "/v1/traces" in Collector.received


def test_nothing_is_exported_without_an_endpoint() -> None:
    telemetry = configure_telemetry(None)

    # The SDK offers no public view of its processors; with none, a span goes nowhere.
    assert telemetry.tracer_provider._active_span_processor._span_processors == ()  # noqa: SLF001
    telemetry.shutdown()


def test_without_anywhere_to_send_them_no_span_is_built_and_the_database_is_not_hooked() -> None:
    telemetry = configure_telemetry(None)
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1/none")
    trace_engine(engine, telemetry)

    span = telemetry.tracer.start_span("probe", attributes={"db.query.text": "SELECT 1"})
    assert not span.is_recording()
    assert span is telemetry.tracer.start_span("another")  # one shared no-op span, nothing built
    assert not engine.dispatch.before_cursor_execute
    traced = configure_telemetry(None, span_processor=SimpleSpanProcessor(InMemorySpanExporter()))
    trace_engine(engine, traced)
    assert traced.tracer.start_span("probe").is_recording()
    assert engine.dispatch.before_cursor_execute
    engine.dispose()
    telemetry.shutdown()
    traced.shutdown()
