"""The embedded PostgreSQL (pgserver) for a machine with no database server.

It keeps its data under the user's data directory, listens on a Unix socket only, and is
stopped cleanly when the last process using it exits. The platform never runs as the
server's superuser: the first start creates the owner role and the runtime role, just as a
database administrator would on a real server.
"""

from __future__ import annotations

import os
import signal
import warnings
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from avhopp.platform.settings import APP_ROLE_DEFAULT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

OWNER_ROLE = "avhopp_owner"
DATABASE_NAME = "avhopp"


def embedded_cluster_exists(data_dir: Path) -> bool:
    """Whether a start in `data_dir` joins a database cluster rather than creating one."""
    return (data_dir / "pgdata" / "PG_VERSION").exists()


@contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[URL]:
    """Start (or join) the embedded server, yield the owner's URL, stop it on the way out.

    The server stops when the last process using it leaves; a second Ctrl-C or SIGTERM while
    it stops is ignored so that the stop completes.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; pgserver then uses /tmp, which is fine.
        warnings.simplefilter("ignore")
        import pgserver  # noqa: PLC0415 - only the embedded path needs it

        pgdata = data_dir / "pgdata"
        pgdata.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
    try:
        superuser_url = server.get_uri()
        _bootstrap(superuser_url)
        base = make_url(superuser_url).set(drivername="postgresql+psycopg")
        yield base.set(username=OWNER_ROLE, password=None, database=DATABASE_NAME)
    finally:
        previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            _forget_dead_processes(server)
            server.cleanup()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def _forget_dead_processes(server: Any) -> None:  # noqa: ANN401 - pgserver's PostgresServer has no type hints
    """Drop processes that died without leaving from pgserver's list of the server's users.

    pgserver stops the server only when the leaving process is the last one listed. A process
    killed before its cleanup ran stays listed for ever, and every later stop would then leave
    the server running.
    """
    with server._lock:  # noqa: SLF001 - the lock pgserver itself holds while it changes the list
        users = server.global_process_id_list
        users.put([pid for pid in users.get() if _running(pid)])


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def _bootstrap(superuser_url: str) -> None:
    """Create the two roles and the database once; later starts find them and do nothing."""
    with psycopg.connect(superuser_url, autocommit=True) as connection:
        roles = {row[0] for row in connection.execute("SELECT rolname FROM pg_roles")}
        if OWNER_ROLE not in roles:
            connection.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS CREATEROLE").format(sql.Identifier(OWNER_ROLE))
            )
        if APP_ROLE_DEFAULT not in roles:
            connection.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE").format(
                    sql.Identifier(APP_ROLE_DEFAULT)
                )
            )
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
        if exists is None:
            connection.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(DATABASE_NAME), sql.Identifier(OWNER_ROLE)
                )
            )
