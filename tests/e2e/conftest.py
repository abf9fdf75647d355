"""Browser tests: the real app served by uvicorn on a free port, driven in Debian's Chromium.

Without Chromium the tests are skipped with the reason; with AVHOPP_REQUIRE_BROWSER=1 (set
by .ci/run) a missing browser fails the run instead, so CI never skips them. Every page the
tests visit is checked with axe-core; a serious or critical violation fails the test.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

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

CHROMIUM = Path("/usr/bin/chromium")
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING_IMPACTS = {"serious", "critical"}
# Each browser context is one person at their own address, as behind the production proxy:
# the sign-in rate limit counts per address, and eleven people signing in from one address
# within a minute would reach it.
_ADDRESSES = (f"192.0.2.{n}" for n in itertools.count(1))


@dataclass(frozen=True)
class LiveServer:
    url: str
    passwords: dict[str, str]
    database: TestDatabase
    settings_environ: dict[str, str]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(admin_url: URL) -> Iterator[LiveServer]:
    db = create_database(admin_url, prefix="avhopp_e2e")
    data_dir = Path(tempfile.mkdtemp(prefix="avhopp-e2e-"))
    port = free_port()
    environ = {
        "DATABASE_URL": db.owner_url.render_as_string(hide_password=False),
        "AVHOPP_SECRET_KEY": "e" * 40,
        "AVHOPP_DATA_DIR": str(data_dir),
        # Each person's browser context names an address of its own in X-Forwarded-For, as behind a proxy.
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
    with serving(build_app(settings, db.app_url), settings):
        yield LiveServer(
            url=f"http://127.0.0.1:{port}",
            passwords={a.username: a.password for a in created},
            database=db,
            settings_environ=environ,
        )
    drop_database(admin_url, db)
    shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def serving(app: Litestar, settings: Settings) -> Iterator[None]:
    """Serve `app` with uvicorn on 127.0.0.1 at the settings' port in a thread, trusting the settings' proxies."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=settings.port,
        log_config=None,
        access_log=False,
        **server_proxy_options(settings),
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


# Module scope: Playwright's sync API keeps its own event loop running while it is open, which
# would stop the asynchronous tests that pytest runs after the browser tests.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("AVHOPP_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium saknas ({CHROMIUM}); CI kräver webbläsartesterna.")
        pytest.skip(f"Chromium saknas ({CHROMIUM}): installera Debians paket chromium för webbläsartesterna.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update"],
        )
        yield browser
        browser.close()


def person_context(browser: Browser, **options: Any) -> BrowserContext:
    """A browser context in Swedish, coming from an address of its own (RFC 5737 documentation range)."""
    return browser.new_context(locale="sv-SE", extra_http_headers={"X-Forwarded-For": next(_ADDRESSES)}, **options)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = person_context(browser)
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page; fail on serious or critical violations, naming them."""
    page.evaluate(AXE)
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], f"{page.url}: {json.dumps(blocking, ensure_ascii=False)}"
