"""The Dramatiq broker named by BROKER_URL, and the blocking operations the relay needs on it.

No URL means an in-memory StubBroker that a worker in the same process consumes. The
blocking calls here (`publish`, `check`, `close`) run on the relay's own thread: pika's
connections belong to the thread that opened them, so always the same one.

pika and redis are imported only for the broker the URL names: each takes a noticeable share of
a second to load, which the in-process path (and every command that has no broker) need not pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage

from avhopp.platform.jobs.tracing import JobTracing

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dramatiq import Broker, Message
    from dramatiq.brokers.rabbitmq import RabbitmqBroker
    from dramatiq.brokers.redis import RedisBroker

    from avhopp.platform.telemetry import Telemetry

# Seconds. A broker that does not answer within these is as good as down for the relay.
_SOCKET_TIMEOUT = 5.0
# Without it a publish blocks for as long as RabbitMQ withholds credit (a disk or memory alarm).
_BLOCKED_CONNECTION_TIMEOUT = 30.0


class BrokerKind(StrEnum):
    """Which broker a URL names."""

    IN_PROCESS = "in-process"
    RABBITMQ = "rabbitmq"
    REDIS = "redis"


def broker_kind(broker_url: str | None) -> BrokerKind:
    """The kind of broker `broker_url` names (None: in-process)."""
    if broker_url is None:
        return BrokerKind.IN_PROCESS
    scheme = broker_url.split("://", 1)[0].lower()
    if scheme in {"amqp", "amqps"}:
        return BrokerKind.RABBITMQ
    if scheme in {"redis", "rediss"}:
        return BrokerKind.REDIS
    raise ValueError("BROKER_URL must start with amqp://, amqps://, redis:// or rediss://")


@dataclass(slots=True)
class BrokerLink:
    """A broker with the platform's middleware, and what the relay does with it."""

    kind: BrokerKind
    broker: Broker

    def publish(self, messages: Sequence[Message[Any]]) -> tuple[int, Exception | None]:
        """Hand `messages` to the broker in order, stopping at the first failure.

        Returns:
            How many of the first messages the broker has accepted, and the failure if any.

        """
        for sent, message in enumerate(messages):
            try:
                # Idempotent; the stub broker refuses messages for queues it was not told of.
                self.broker.declare_queue(message.queue_name)
                self.broker.enqueue(message)
            except Exception as error:  # noqa: BLE001 - the caller marks what was sent, then reports it
                return sent, error
        return len(messages), None

    def check(self) -> bool:
        """Whether the broker answers now (for readiness; also keeps RabbitMQ's heartbeat)."""
        if self.kind is BrokerKind.RABBITMQ:
            return _check_rabbitmq(cast("RabbitmqBroker", self.broker))
        if self.kind is BrokerKind.REDIS:
            import redis  # noqa: PLC0415 - loaded already, by the broker

            try:
                return bool(cast("RedisBroker", self.broker).client.ping())
            except redis.RedisError:
                return False
        return True

    def close(self) -> None:
        """Close the broker's connections."""
        self.broker.close()
        if self.kind is BrokerKind.REDIS:
            # Dramatiq's Redis broker leaves its client's connection pool open.
            cast("RedisBroker", self.broker).client.close()


def _check_rabbitmq(broker: RabbitmqBroker) -> bool:
    # The connection of this (the relay's) thread. One that RabbitMQ has closed since (a
    # restart, say) is replaced once before the answer is no.
    for _ in range(2):
        try:
            connection = broker.connection
            if connection.is_open:
                connection.process_data_events(time_limit=0)
                if connection.is_open:
                    return True
        except Exception:  # noqa: BLE001, S110 - pika raises more than its own errors on a dead connection
            pass
        del broker.connection
    return False


def create_broker(broker_url: str | None, telemetry: Telemetry) -> BrokerLink:
    """The broker `broker_url` names, with tracing and access to the current message."""
    kind = broker_kind(broker_url)
    broker: Broker
    if kind is BrokerKind.RABBITMQ:
        from dramatiq.brokers.rabbitmq import RabbitmqBroker  # noqa: PLC0415

        # Publisher confirms: the relay marks a row sent only once RabbitMQ has the message.
        broker = RabbitmqBroker(url=broker_url, confirm_delivery=True)
        parameters = broker.parameters if isinstance(broker.parameters, list) else [broker.parameters]
        for each in parameters:
            if each.blocked_connection_timeout is None:
                each.blocked_connection_timeout = _BLOCKED_CONNECTION_TIMEOUT
    elif kind is BrokerKind.REDIS:
        import redis  # noqa: PLC0415
        from dramatiq.brokers.redis import RedisBroker  # noqa: PLC0415

        client = redis.Redis.from_url(
            str(broker_url), socket_timeout=_SOCKET_TIMEOUT, socket_connect_timeout=_SOCKET_TIMEOUT
        )
        broker = RedisBroker(client=client)  # type: ignore[no-untyped-call]
    else:
        broker = StubBroker()
    # First, so that its span encloses the other middleware's work and it sees their verdict.
    broker.add_middleware(JobTracing(telemetry), before=type(broker.middleware[0]))
    broker.add_middleware(CurrentMessage())
    return BrokerLink(kind, broker)
