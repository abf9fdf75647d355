"""The README's start command on a machine with no database: start, serve, stop cleanly, keep the data."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

MARKER = "kvarstar-efter-omstart"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "AVHOPP_", "BROKER_"))}
    env |= {"AVHOPP_DATA_DIR": str(data_dir), "AVHOPP_PORT": str(port)}
    return subprocess.Popen(
        [sys.executable, "-m", "avhopp", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_ready(process: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "the platform exited during start"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the platform did not become ready")


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    return stderr


def owner_connection(data_dir: Path) -> psycopg.Connection[tuple[object, ...]]:
    socket_dir = (data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()[4]
    return psycopg.connect(host=socket_dir, user="avhopp_owner", dbname="avhopp", autocommit=True)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """Outside pytest's temporary folders, which a concurrent pytest session may delete."""
    folder = Path(tempfile.mkdtemp(prefix="avhopp-quickstart-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_start_serve_stop_and_start_again_keeping_the_data(data_dir: Path) -> None:
    port = free_port()
    first = start(data_dir, port)
    try:
        wait_until_ready(first, port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert "Avhopp" in response.read().decode()
        with owner_connection(data_dir) as connection:
            tenants = connection.execute("SELECT count(*) FROM tenant").fetchone()
            connection.execute(
                "INSERT INTO tenant (slug, kind, name) VALUES (%s, 'other_authority', 'Markör')", (MARKER,)
            )
    finally:
        output = stop(first)

    assert first.returncode == 0, output
    assert f"Avhopp är igång: http://127.0.0.1:{port}/" in output
    assert "Traceback" not in output
    assert tenants == (290 + 21 + 6,)
    assert not (data_dir / "pgdata" / "postmaster.pid").exists(), "the embedded server was not stopped"

    second = start(data_dir, port)
    try:
        wait_until_ready(second, port)
        with owner_connection(data_dir) as connection:
            kept = connection.execute("SELECT count(*) FROM tenant WHERE slug = %s", (MARKER,)).fetchone()
    finally:
        stop(second)

    assert kept == (1,)
    assert second.returncode == 0
