"""A RabbitMQ node of a test's own (Debian's rabbitmq-server), which the test may stop and start.

Its data (durable queues, persistent messages) lives in a folder of its own and outlives a
restart, as a production broker's does. It runs as the current user, with the cookie in that folder.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import IO, Self

from tests.support.live_server import free_port

RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
_START_SECONDS = 60
_STOP_SECONDS = 30


class PrivateRabbitMQ:
    """A node in `folder`, listening on 127.0.0.1 only; `outage()` stops it, `restore()` starts it again."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        (folder / "rabbitmq.conf").write_text(f"listeners.tcp.1 = 127.0.0.1:{self.port}\n")
        (folder / "rabbitmq-env.conf").write_text("")
        (folder / "enabled_plugins").write_text("[].\n")
        self._env = {
            **os.environ,
            "HOME": str(folder),
            "RABBITMQ_NODENAME": f"avhopp{uuid.uuid4().hex[:8]}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(folder / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(folder / "log"),
        }
        self._output: IO[bytes] = (folder / "output.log").open("ab")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Its BROKER_URL."""
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def __enter__(self) -> Self:
        self.restore()
        return self

    def __exit__(self, *_: object) -> None:
        self.outage()
        self._output.close()

    def restore(self) -> None:
        """Start the node and wait until it accepts connections."""
        # A session of its own: the script, the Erlang VM and its helpers are stopped together.
        process = subprocess.Popen(
            [str(RABBITMQ_SERVER)], env=self._env, stdout=self._output, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._process = process
        deadline = time.monotonic() + _START_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"rabbitmq-server stopped with {process.returncode}") from None
                if time.monotonic() > deadline:
                    raise TimeoutError("rabbitmq-server did not start") from None
                time.sleep(0.1)
            else:
                return

    def outage(self) -> None:
        """Stop the node as a restart does (SIGTERM: connections closed, data kept); wait until it is down."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        # Down once every process of its session has ended, the Erlang VM included, not only the script.
        if not _ended(process, _STOP_SECONDS):
            os.killpg(process.pid, signal.SIGKILL)
            _ended(process, _STOP_SECONDS)


def _ended(process: subprocess.Popen[bytes], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _group_alive(process):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _group_alive(process: subprocess.Popen[bytes]) -> bool:
    process.poll()
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True
