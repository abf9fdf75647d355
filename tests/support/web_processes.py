"""`avhopp serve` processes behind Debian's HAProxy, started as production starts them.

Without /usr/sbin/haproxy the tests that need it are skipped, unless AVHOPP_REQUIRE_PROXY=1
(set by .ci/run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
_START_SECONDS = 60


def require_haproxy() -> str:
    """The haproxy binary; skip (or, in CI, fail) without it."""
    if not os.path.exists(HAPROXY):  # noqa: PTH110 - a path from `which`
        if os.environ.get("AVHOPP_REQUIRE_PROXY") == "1":
            pytest.fail("haproxy saknas; CI kräver testet bakom en proxy (apt-get install haproxy).")
        pytest.skip("haproxy is not installed (apt-get install haproxy)")
    return HAPROXY


def serve_command(port: int) -> list[str]:
    """`avhopp serve` on `port`."""
    return [sys.executable, "-m", "avhopp", "serve", "--port", str(port)]


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    """Poll `url` until it answers 200; fail if the process ends or a minute passes."""
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{url} stopped with {process.returncode}"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not start")


@contextmanager
def running(command: list[str], env: dict[str, str], health: str | None) -> Iterator[subprocess.Popen[bytes]]:
    """A process, up once `health` answers 200, terminated (or killed) at the end."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if health:
            wait_until_up(health, process)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def write_haproxy_config(path: Path, bind: str, ports: Sequence[int], *, failover: bool = False) -> None:
    """Round robin over the web processes on `ports`, naming the server in X-Served-By.

    With `failover`, a server that refuses connections is retried on the other one and taken out
    of rotation by health checks, as a production load balancer does.
    """
    check = " check inter 300ms fall 1 rise 2" if failover else ""
    retry = "  retries 3\n  option redispatch 1\n" if failover else ""
    path.write_text(
        "defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
        f"frontend web\n  bind {bind}\n  option forwardfor\n  default_backend avhopp\n"
        "backend avhopp\n  balance roundrobin\n  http-response set-header X-Served-By %[srv_name]\n"
        + (retry + "  option httpchk GET /health/live\n" if failover else "")
        + "".join(f"  server web{index} 127.0.0.1:{port}{check}\n" for index, port in enumerate(ports))
    )


def wait_for_proxy(url: str) -> None:
    """Poll until the proxy accepts connections."""
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{url}/health/live", timeout=1)
        except httpx.TransportError:
            assert time.monotonic() < deadline, "haproxy did not start"
            time.sleep(0.1)
        else:
            return
