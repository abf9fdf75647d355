"""OpenTelemetry traces and metrics for requests, database queries and jobs.

Spans carry shapes, never values: the route template rather than the path, the SQL text
with its placeholders rather than the bound parameters (and its string constants masked, since
a request's first read carries its values quoted: `avhopp.platform.database.read_publishing`),
the exception type rather than its message. We record database spans ourselves instead of
using the SQLAlchemy instrumentation, because that one puts the database's error message
(which quotes the refused values) into the span status.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import NoOpTracer, SpanKind, Status, StatusCode
from sqlalchemy import event

if TYPE_CHECKING:
    from opentelemetry.metrics import Counter, Histogram, Meter
    from opentelemetry.sdk.metrics.export import MetricReader
    from opentelemetry.sdk.trace import SpanProcessor
    from opentelemetry.trace import Span, Tracer
    from sqlalchemy import Engine


@dataclass(slots=True)
class Telemetry:
    """The platform's tracer and instruments; one per process."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    tracing: bool = True
    """Whether spans go anywhere; when not, the tracer builds none (a no-op tracer)."""
    metering: bool = True
    """Whether measurements go anywhere; when neither does, the database hooks are not installed."""
    tracer: Tracer = field(init=False)
    meter: Meter = field(init=False)
    http_requests: Histogram = field(init=False)
    db_queries: Histogram = field(init=False)
    jobs: Counter = field(init=False)

    def __post_init__(self) -> None:
        # The SDK builds and times a span even without a processor (about 5% of a simple request).
        self.tracer = self.tracer_provider.get_tracer("avhopp") if self.tracing else NoOpTracer()
        self.meter = self.meter_provider.get_meter("avhopp")
        self.http_requests = self.meter.create_histogram(
            "http.server.request.duration", unit="s", description="Duration of HTTP requests"
        )
        self.db_queries = self.meter.create_histogram(
            "db.client.operation.duration", unit="s", description="Duration of database queries"
        )
        self.jobs = self.meter.create_counter("avhopp.jobs.processed", description="Jobs processed, by outcome")

    def shutdown(self) -> None:
        """Flush what is buffered and stop exporting."""
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


def configure_telemetry(
    otlp_endpoint: str | None,
    *,
    span_processor: SpanProcessor | None = None,
    metric_reader: MetricReader | None = None,
) -> Telemetry:
    """Export over OTLP when an endpoint is configured, to the given processor in tests, else nowhere."""
    resource = Resource.create({"service.name": "avhopp"})
    tracer_provider = TracerProvider(resource=resource)
    readers: list[MetricReader] = []
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter  # noqa: PLC0415
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: PLC0415
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader  # noqa: PLC0415

        base = otlp_endpoint.rstrip("/")
        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{base}/v1/traces")))
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=f"{base}/v1/metrics")))
    if span_processor is not None:
        tracer_provider.add_span_processor(span_processor)
    if metric_reader is not None:
        readers.append(metric_reader)
    return Telemetry(
        tracer_provider,
        MeterProvider(resource=resource, metric_readers=readers),
        tracing=bool(otlp_endpoint) or span_processor is not None,
        metering=bool(readers),
    )


_STRING_CONSTANT = re.compile(r"'(?:[^']|'')*'")


def trace_engine(engine: Engine, telemetry: Telemetry) -> None:
    """Record a client span and a duration for every statement `engine` executes (nothing if both go nowhere)."""
    if not telemetry.tracing and not telemetry.metering:
        return

    @event.listens_for(engine, "before_cursor_execute")
    def _start(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:  # noqa: ANN401, FBT001
        operation = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
        span = telemetry.tracer.start_span(
            f"{operation} {engine.url.database}",
            kind=SpanKind.CLIENT,
            attributes={
                "db.system.name": "postgresql",
                "db.namespace": str(engine.url.database),
                "db.operation.name": operation,
                "db.query.text": _STRING_CONSTANT.sub("'?'", statement),
            },
        )
        context._avhopp_span = (span, time.perf_counter(), operation)  # noqa: SLF001

    @event.listens_for(engine, "after_cursor_execute")
    def _end(_conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool) -> None:  # noqa: ANN401, FBT001
        _finish(context, telemetry, error=None)

    @event.listens_for(engine, "handle_error")
    def _error(exception_context: Any) -> None:  # noqa: ANN401
        if exception_context.execution_context is not None:
            _finish(exception_context.execution_context, telemetry, error=exception_context.original_exception)


def _finish(context: Any, telemetry: Telemetry, *, error: BaseException | None) -> None:  # noqa: ANN401
    started: tuple[Span, float, str] | None = getattr(context, "_avhopp_span", None)
    if started is None:
        return
    context._avhopp_span = None  # noqa: SLF001
    span, start, operation = started
    if error is not None:
        span.set_attribute("error.type", type(error).__qualname__)
        span.set_status(Status(StatusCode.ERROR))
    span.end()
    telemetry.db_queries.record(time.perf_counter() - start, {"db.operation.name": operation})
