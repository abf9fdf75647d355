# The benchmark's output is its purpose: printing is allowed here.
# ruff: noqa: T201
"""A benchmark's own PostgreSQL: embedded, in a temporary folder, removed afterwards (never your data)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from avhopp.platform.embedded import embedded_postgres
from avhopp.platform.logs import configure_logging

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from sqlalchemy.engine import URL


def on_throwaway_database(name: str, title: str, run: Callable[[URL, Path], Coroutine[Any, Any, None]]) -> None:
    """Print `title`, then run `run(owner_url, folder)` on a new embedded PostgreSQL in a temporary folder."""
    configure_logging("WARNING")
    folder = Path(tempfile.mkdtemp(prefix=f"avhopp-{name}-benchmark-"))
    print(f"{title}, throwaway database in {folder}")
    try:
        with embedded_postgres(folder) as owner_url:
            asyncio.run(run(owner_url, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
