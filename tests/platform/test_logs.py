"""Log lines: JSON with the request id, readable on a terminal, and exceptions without their messages."""

from __future__ import annotations

import io
import json
import logging
import re
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


class Terminal(io.StringIO):
    """What stderr is when a person runs the command in a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_readable_lines_and_still_no_exception_message() -> None:
    terminal = Terminal()
    configure_logging("INFO", terminal)
    log = structlog.get_logger("avhopp.test")
    log.info("job runtime started", broker="in-process")
    try:
        raise ValueError("Key (personnummer)=(19850101-1234) already exists")  # noqa: TRY301
    except ValueError:
        log.exception("failed")

    text = re.sub(r"\x1b\[[0-9;]*m", "", terminal.getvalue())  # without the colours
    started = next(line for line in text.splitlines() if "job runtime started" in line)
    assert "broker=in-process" in started
    assert not started.lstrip().startswith("{")
    assert "exception_type=ValueError" in text
    assert "test_a_terminal_gets_readable_lines" in text, "the stack frames are shown below the line"
    assert "19850101" not in text


def test_the_authorization_policy_is_not_logged_at_info(capsys: pytest.CaptureFixture[str]) -> None:
    # Each Casbin enforcer an earlier test built switched Casbin's loggers off; this test is about ours.
    for name in ("casbin.policy", "casbin.enforcer"):
        logging.getLogger(name).disabled = False
    configure_logging("INFO")
    logging.getLogger("casbin.policy").info("Policy: [['user:1', 'case_officer', 'tenant']]")
    logging.getLogger("casbin.enforcer").warning("no model")

    err = capsys.readouterr().err
    assert "case_officer" not in err
    assert "no model" in err
