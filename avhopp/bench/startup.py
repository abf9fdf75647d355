# The benchmark's output is its purpose: printing is allowed here.
# ruff: noqa: T201
"""Benchmark of `avhopp serve` on the embedded database: the first start and a later one.

Run: `uv run python -m avhopp.bench.startup` (see `--help` for the number of rounds).

Each round uses a new temporary data folder (never your data):

- the first start: `avhopp serve` from the command to the first 200 of `/health/ready`, then
  SIGTERM and the wait until the process has ended;
- a later start in the same folder, timed the same way;
- a baseline measured in the same round: a Python process that only creates and starts the
  embedded PostgreSQL cluster in a third folder (what any first start must do), then one that
  starts it again; the ratios say what the platform adds to that floor.

Targets (issue 12): ready in under 6 s on a first start and under 3 s on a later one.
It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

_READY_TIMEOUT_S = 120.0

# Creates (or joins) a cluster and stops it: the work pgserver does before the platform's own.
_CLUSTER_ONLY = """
import sys, warnings
from pathlib import Path
warnings.simplefilter("ignore")
import pgserver
pgdata = Path(sys.argv[1])
pgdata.mkdir(parents=True, exist_ok=True)
server = pgserver.get_server(pgdata, cleanup_mode="stop")
server.psql("SELECT 1")
server.cleanup()
"""


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ready(port: int) -> bool:
    """Whether `avhopp serve` on `port` answers 200 on /health/ready."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1) as response:
            return bool(response.status == 200)  # noqa: PLR2004 - HTTP OK
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _time_serve(data_dir: Path) -> float:
    """Seconds from the command to ready; the server is then stopped with SIGTERM and awaited."""
    port = free_port()
    env = {**os.environ, "AVHOPP_DATA_DIR": str(data_dir), "AVHOPP_PORT": str(port)}
    for name in ("DATABASE_URL", "DATABASE_APP_URL", "BROKER_URL"):
        env.pop(name, None)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "avhopp", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while not ready(port):
            if process.poll() is not None:
                msg = f"avhopp serve ended with {process.returncode} before it was ready"
                raise RuntimeError(msg)
            if time.perf_counter() - started > _READY_TIMEOUT_S:
                msg = f"avhopp serve was not ready in {_READY_TIMEOUT_S:.0f} s"
                raise RuntimeError(msg)
            time.sleep(0.02)
        return time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def _time_cluster(pgdata: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", _CLUSTER_ONLY, str(pgdata)], check=True)  # noqa: S603 - our own interpreter
    return time.perf_counter() - started


def _summary(label: str, seconds: list[float], baseline: list[float], target: float) -> str:
    median, base = statistics.median(seconds), statistics.median(baseline)
    spread = f"{min(seconds):.2f}–{max(seconds):.2f} s"
    verdict = "met" if max(seconds) < target else "NOT met"
    return (
        f"{label:<13} median {median:5.2f} s ({spread}); cluster alone {base:4.2f} s; "
        f"ratio {median / base:4.2f}×; target < {target:.0f} s: {verdict}"
    )


def main(argv: list[str] | None = None) -> None:
    """Time the rounds and print each start, its median and its ratio to the cluster alone."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds",
        type=int,
        choices=range(1, 21),
        default=3,
        metavar="1..20",
        help="fresh data folders to start in (default 3)",
    )
    rounds = parser.parse_args(argv).rounds
    first, later, cluster_first, cluster_later = [], [], [], []
    print(f"load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    for round_number in range(1, rounds + 1):
        with tempfile.TemporaryDirectory(prefix="avhopp-bench-start-") as folder:
            root = Path(folder)
            first.append(_time_serve(root / "platform"))
            later.append(_time_serve(root / "platform"))
            cluster_first.append(_time_cluster(root / "cluster"))
            cluster_later.append(_time_cluster(root / "cluster"))
        print(
            f"round {round_number}: first {first[-1]:.2f} s, later {later[-1]:.2f} s "
            f"(cluster alone {cluster_first[-1]:.2f} s, {cluster_later[-1]:.2f} s)"
        )
    print(_summary("first start", first, cluster_first, 6.0))
    print(_summary("later start", later, cluster_later, 3.0))
    print(f"load average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
