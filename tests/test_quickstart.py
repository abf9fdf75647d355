"""The README's start command on a machine with no database: start, serve, stop cleanly, keep the data.

Stopping is what a service manager does (SIGTERM) the first time and Ctrl-C (SIGINT) the second;
either must leave no PostgreSQL process behind.
"""

from __future__ import annotations

import json
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
    env |= {"AVHOPP_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "avhopp", "serve", "--port", str(port)],
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


def stop(process: subprocess.Popen[str], signum: signal.Signals) -> str:
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    return stderr


def postgres_processes(data_dir: Path) -> list[int]:
    """Live processes whose command line names the data folder: the postmaster runs with `-D <pgdata>`."""
    pgdata = str(data_dir / "pgdata").encode()
    found = []
    for process in Path("/proc").iterdir():
        try:
            named = pgdata in (process / "cmdline").read_bytes()
            state = (process / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # not a process, or it ended meanwhile
            continue
        if named and state != "Z":
            found.append(int(process.name))
    return found


def assert_no_postgres_left(data_dir: Path) -> None:
    deadline = time.monotonic() + 5  # the postmaster removes its pid file just before it exits
    while postgres_processes(data_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert postgres_processes(data_dir) == [], "the embedded server was not stopped"
    assert not (data_dir / "pgdata" / "postmaster.pid").exists()


def dead_process_id() -> int:
    """The id of a process that has ended and been reaped."""
    process = subprocess.Popen([sys.executable, "-c", ""])
    process.wait()
    return process.pid


def owner_connection(data_dir: Path) -> psycopg.Connection[tuple[object, ...]]:
    socket_dir = (data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()[4]
    return psycopg.connect(host=socket_dir, user="avhopp_owner", dbname="avhopp", autocommit=True)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """Outside pytest's temporary folders, which a concurrent pytest session may delete."""
    folder = Path(tempfile.mkdtemp(prefix="avhopp-quickstart-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_start_stop_by_sigterm_start_again_keeping_the_data_and_stop_by_ctrl_c(data_dir: Path) -> None:
    port = free_port()
    first = start(data_dir, port)
    try:
        wait_until_ready(first, port)
        assert postgres_processes(data_dir), "the check below would find a running embedded server"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert "Avhopp" in response.read().decode()
        with owner_connection(data_dir) as connection:
            tenants = connection.execute("SELECT count(*) FROM tenant").fetchone()
            connection.execute(
                "INSERT INTO tenant (slug, kind, name) VALUES (%s, 'other_authority', 'Markör')", (MARKER,)
            )
            connection.execute("UPDATE tenant SET active = false WHERE slug = 'passus'")
    finally:
        output = stop(first, signal.SIGTERM)

    assert first.returncode == 0, output
    assert f"Avhopp är igång: http://127.0.0.1:{port}/" in output
    assert "Demokonton" in output
    assert "Katalogen: 616 nya uppgifter" in output
    assert "Traceback" not in output
    assert tenants == (290 + 21 + 6,)
    assert_no_postgres_left(data_dir)

    # A process killed before its cleanup stays in pgserver's list of the server's users.
    (data_dir / "pgdata" / ".handle_pids.json").write_text(json.dumps([dead_process_id()]))
    second = start(data_dir, port)
    try:
        wait_until_ready(second, port)
        with owner_connection(data_dir) as connection:
            kept = connection.execute("SELECT count(*) FROM tenant WHERE slug = %s", (MARKER,)).fetchone()
            deactivated = connection.execute("SELECT active FROM tenant WHERE slug = 'passus'").fetchone()
    finally:
        output = stop(second, signal.SIGINT)

    assert second.returncode == 0, output
    assert kept == (1,)
    assert deactivated == (False,)
    assert "Demokonton" not in output, "the demo accounts exist; nothing to show"
    assert "Katalogen:" not in output, "the directory's seed has not changed; nothing to write"
    assert_no_postgres_left(data_dir)
