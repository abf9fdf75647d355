"""A span, a count and a log line for every message a worker processes.

The span carries the actor, the queue and the message id, never the job's arguments, and
on failure the exception's type, never its message. It is current while the job runs, so
the job's database spans are its children.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from dramatiq import Middleware
from dramatiq.common import q_name
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from avhopp.platform.jobs.actors import JobAttemptError

if TYPE_CHECKING:
    from contextvars import Token

    from dramatiq import Broker, MessageProxy
    from opentelemetry.context import Context

    from avhopp.platform.telemetry import Telemetry

_log = structlog.get_logger("avhopp.jobs")


@dataclass(slots=True)
class _Delivery:
    span: trace.Span
    token: Token[Context]
    started: float
    duplicate: bool = False


# Dramatiq runs a message's hooks and its actor on one worker thread, one message at a time.
_current = threading.local()


def mark_duplicate() -> None:
    """Record that the message being processed on this thread had already run."""
    delivery: _Delivery | None = getattr(_current, "delivery", None)
    if delivery is not None:
        delivery.duplicate = True


class JobTracing(Middleware):
    """Dramatiq middleware: one span per message, `telemetry.jobs` by outcome, one log line.

    Outcomes: `done`, `duplicate` (already ran; nothing done), `retrying` (failed, will be
    retried), `failed` (failed for good; dead-lettered) and `skipped` (by a middleware).
    """

    def __init__(self, telemetry: Telemetry) -> None:
        self.telemetry = telemetry

    def before_process_message(self, _broker: Broker, message: MessageProxy) -> None:
        """Start the message's span and make it current on this thread."""
        span = self.telemetry.tracer.start_span(
            f"job {message.actor_name}",
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "dramatiq",
                "messaging.operation.type": "process",
                "messaging.destination.name": q_name(message.queue_name),
                "messaging.message.id": message.message_id,
                "avhopp.job.actor": message.actor_name,
            },
        )
        token = otel_context.attach(trace.set_span_in_context(span))
        _current.delivery = _Delivery(span, token, time.perf_counter())

    def after_process_message(
        self,
        _broker: Broker,
        message: MessageProxy,
        *,
        result: Any = None,  # noqa: ANN401, ARG002 - Dramatiq's hook signature
        exception: BaseException | None = None,
    ) -> None:
        """End the span with the outcome."""
        if exception is None:
            delivery: _Delivery | None = getattr(_current, "delivery", None)
            outcome = "duplicate" if delivery is not None and delivery.duplicate else "done"
        else:
            # This middleware runs after Retries, which has failed the message if it gives up.
            outcome = "failed" if message.failed else "retrying"
        self._finish(message, outcome, exception)

    def after_skip_message(self, _broker: Broker, message: MessageProxy) -> None:
        """End the span of a message a middleware skipped."""
        self._finish(message, "skipped", None)

    def _finish(self, message: MessageProxy, outcome: str, exception: BaseException | None) -> None:
        delivery: _Delivery | None = getattr(_current, "delivery", None)
        _current.delivery = None
        actor = message.actor_name
        error_type = None
        if exception is not None:
            error_type = (
                exception.error_type if isinstance(exception, JobAttemptError) else type(exception).__qualname__
            )
        if delivery is not None:
            delivery.span.set_attribute("avhopp.job.outcome", outcome)
            if error_type is not None:
                delivery.span.set_attribute("error.type", error_type)
                delivery.span.set_status(Status(StatusCode.ERROR))
            delivery.span.end()
            otel_context.detach(delivery.token)
        self.telemetry.jobs.add(1, {"actor": actor, "outcome": outcome})
        duration_ms = round((time.perf_counter() - delivery.started) * 1000, 1) if delivery is not None else None
        log = _log.error if outcome == "failed" else _log.warning if outcome == "retrying" else _log.info
        log(
            "job processed",
            actor=actor,
            message_id=message.message_id,
            outcome=outcome,
            error_type=error_type,
            duration_ms=duration_ms,
        )
