"""The app as the benchmarks reach it: in-process on their own event loop, or `avhopp serve` as production runs it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, cast

import httpx

from avhopp.bench.startup import free_port, ready

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator, Sequence

    from httpx._transports.asgi import _ASGIApp
    from litestar import Litestar
    from sqlalchemy.engine import URL

    from avhopp.platform.settings import Settings

_READY_TIMEOUT_S = 120.0


@contextlib.asynccontextmanager
async def in_process(app: Litestar, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to `app`, which runs (with its lifespan) on this event loop, as a server runs it on its own.

    Litestar's test client would run the app on a loop in another thread, and every request would
    wait for the two threads to hand over, which no server does: on the directory's search, the
    API's p50 over its service layer went from 5.4 to 4.0 ms without that hand-over.
    """
    transport = httpx.ASGITransport(cast("_ASGIApp", app))
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


@contextlib.contextmanager
def web_process(owner_url: URL, settings: Settings, data_dir: Path) -> Iterator[tuple[str, int]]:
    """One `avhopp serve` on the database; yields its base URL and process id, stops it with SIGTERM."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": owner_url.render_as_string(hide_password=False),
        "AVHOPP_SECRET_KEY": settings.secret_key,
        "AVHOPP_PUBLIC_URL": settings.public_url,
        "AVHOPP_DATA_DIR": str(data_dir),
        "AVHOPP_PORT": str(port),
        "AVHOPP_LOG_LEVEL": "WARNING",
    }
    for name in ("DATABASE_APP_URL", "BROKER_URL"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "avhopp", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        started = time.perf_counter()
        while not ready(port):
            if process.poll() is not None:
                msg = f"avhopp serve ended with {process.returncode} before it was ready"
                raise RuntimeError(msg)
            if time.perf_counter() - started > _READY_TIMEOUT_S:
                msg = f"avhopp serve was not ready in {_READY_TIMEOUT_S:.0f} s"
                raise RuntimeError(msg)
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def cpu_seconds(pids: Sequence[int]) -> float:
    """User and system CPU of the processes so far (Linux's /proc: fields 14 and 15, in clock ticks)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")
