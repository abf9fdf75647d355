"""Structured logs with a request id, and never personal data: JSON lines, or readable lines on a terminal.

Exceptions are logged by type and stack frames only. Their messages are dropped because
database errors quote the values they refused ("Key (x)=(...) already exists").
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any, TextIO

import structlog

# casbin logs the whole policy at INFO whenever it loads it.
_QUIET = ("uvicorn.access", "httpx", "pika", "sqlalchemy.engine", "pgserver", "casbin")


def _exception_without_message(_logger: object, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    exc_info = event.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if exc_info and exc_info[0] is not None:
        event["exception_type"] = exc_info[0].__qualname__
        event["stack"] = [
            f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(exc_info[2])
        ]
    return event


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    """Send the platform's and libraries' logs to `stream` (stderr): readable on a terminal, else JSON lines."""
    stream = stream or sys.stderr
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _exception_without_message,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *_rendering(stream)],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def _rendering(stream: TextIO) -> list[structlog.typing.Processor]:
    if stream.isatty():
        return [_stack_as_lines, structlog.dev.ConsoleRenderer(colors=True)]
    return [structlog.processors.JSONRenderer()]


def _stack_as_lines(_logger: object, _name: str, event: structlog.typing.EventDict) -> structlog.typing.EventDict:
    """The console renderer prints `stack` below the line, as text."""
    if isinstance(event.get("stack"), list):
        event["stack"] = "\n".join(event["stack"])
    return event
