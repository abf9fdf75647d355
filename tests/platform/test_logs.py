"""Log lines are JSON with the request id, and an exception is logged without its message."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import pytest
import structlog

from avhopp.platform.logs import configure_logging

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging binds the root handler to the captured stderr, which closes after the test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def test_an_exception_is_logged_by_type_and_frames_only(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    log = structlog.get_logger("avhopp.test")
    try:
        raise ValueError("Key (personnummer)=(19850101-1234) already exists")  # noqa: TRY301
    except ValueError:
        with structlog.contextvars.bound_contextvars(request_id="req-12345678"):
            log.exception("failed")

    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["event"] == "failed"
    assert line["request_id"] == "req-12345678"
    assert line["exception_type"] == "ValueError"
    assert any("test_an_exception_is_logged" in frame for frame in line["stack"])
    assert "19850101" not in json.dumps(line)


def test_library_logs_are_json_too_and_their_exceptions_lose_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    try:
        raise RuntimeError("Anna Andersson")  # noqa: TRY301
    except RuntimeError:
        logging.getLogger("some.library").exception("library failed")

    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["event"] == "library failed"
    assert line["exception_type"] == "RuntimeError"
    assert "Anna" not in json.dumps(line)
