"""`avhopp serve` as production runs it, on a benchmark's throwaway database, and the CPU its processes use."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from avhopp.bench.startup import free_port, ready

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from sqlalchemy.engine import URL

    from avhopp.platform.settings import Settings

_READY_TIMEOUT_S = 120.0


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
