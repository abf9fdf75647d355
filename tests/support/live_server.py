"""The real app served by uvicorn on a free port, over a database of its own made as `avhopp serve` makes it."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

from avhopp.app import build_app
from avhopp.directory.catalogue.cli import seed_directory
from avhopp.identity_setup import set_up_built_in_identity
from avhopp.platform.database import create_owner_engine
from avhopp.platform.geography.load import load_geography
from avhopp.platform.migrate import migrate
from avhopp.platform.settings import load_settings
from avhopp.platform.web.forwarding import server_proxy_options
from avhopp.tenants.registry.provisioning import demo_tenants, geographic_tenants, provision_tenants
from tests.support.postgres import create_database, drop_database

if TYPE_CHECKING:
    from collections.abc import Iterator

    from litestar import Litestar
    from sqlalchemy.engine import URL

    from avhopp.platform.settings import Settings
    from tests.support.postgres import TestDatabase


@dataclass(frozen=True)
class LiveServer:
    url: str
    passwords: dict[str, str]
    """The demo accounts' passwords, by username."""
    database: TestDatabase
    settings_environ: dict[str, str]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server_on(admin_url: URL, prefix: str) -> Iterator[LiveServer]:
    """A database with the reference data, the demo accounts and the directory's seed; the app serving it."""
    db = create_database(admin_url, prefix=prefix)
    data_dir = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    port = free_port()
    environ = {
        "DATABASE_URL": db.owner_url.render_as_string(hide_password=False),
        "AVHOPP_SECRET_KEY": "e" * 40,
        "AVHOPP_DATA_DIR": str(data_dir),
        # A test client names an address of its own in X-Forwarded-For, as behind a proxy.
        "AVHOPP_TRUSTED_PROXIES": "127.0.0.1",
    }
    settings = load_settings(environ | {"AVHOPP_PORT": str(port)})
    migrate(db.owner_url, db.app_url)
    engine = create_owner_engine(db.owner_url)
    with engine.begin() as connection:
        load_geography(connection)
        provision_tenants(connection, geographic_tenants() + demo_tenants())
    engine.dispose()
    created = set_up_built_in_identity(db.owner_url, settings, demo=True)
    seed_directory(db.app_url)
    try:
        with serving(build_app(settings, db.app_url), settings):
            yield LiveServer(
                url=f"http://127.0.0.1:{port}",
                passwords={a.username: a.password for a in created},
                database=db,
                settings_environ=environ,
            )
    finally:
        drop_database(admin_url, db)
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def serving(app: Litestar, settings: Settings) -> Iterator[None]:
    """Serve `app` with uvicorn on 127.0.0.1 at the settings' port in a thread, trusting the settings' proxies."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=settings.port, log_config=None, access_log=False, **server_proxy_options(settings)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=30)
