"""Browser tests: the real app served by uvicorn on a free port, driven in Debian's Chromium.

Without Chromium the tests are skipped with the reason; with AVHOPP_REQUIRE_BROWSER=1 (set
by .ci/run) a missing browser fails the run instead, so CI never skips them. Every page the
tests visit is checked with axe-core; a serious or critical violation fails the test.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, sync_playwright

from tests.support.live_server import LiveServer, live_server_on

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import URL

CHROMIUM = Path("/usr/bin/chromium")
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING_IMPACTS = {"serious", "critical"}
# Each browser context is one person at their own address, as behind the production proxy:
# the sign-in rate limit counts per address, and eleven people signing in from one address
# within a minute would reach it.
_ADDRESSES = (f"192.0.2.{n}" for n in itertools.count(1))


@pytest.fixture(scope="session")
def live_server(admin_url: URL) -> Iterator[LiveServer]:
    with live_server_on(admin_url, "avhopp_e2e") as server:
        yield server


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


_CONSOLE_ERRORS: list[str] = []
"""Errors any page wrote to the browser's console during the running test (a CSP refusal is one)."""


def _note_console_error(message: ConsoleMessage) -> None:
    if message.type != "error":
        return
    # A page the test opens on purpose to see a refusal (403, 404) is no error of the page.
    if message.text.startswith("Failed to load resource") and "/static/" not in message.location["url"]:
        return
    _CONSOLE_ERRORS.append(f"{message.location['url']}: {message.text}")


def person_context(browser: Browser, **options: Any) -> BrowserContext:
    """A browser context in Swedish, coming from an address of its own (RFC 5737 documentation range)."""
    context = browser.new_context(locale="sv-SE", extra_http_headers={"X-Forwarded-For": next(_ADDRESSES)}, **options)
    context.on("console", _note_console_error)
    return context


@pytest.fixture(autouse=True)
def no_console_errors() -> Iterator[None]:
    """Every browser test ends with a clean console: no script error, no CSP refusal, no missing file."""
    _CONSOLE_ERRORS.clear()
    yield
    assert _CONSOLE_ERRORS == []


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = person_context(browser)
    page = context.new_page()
    yield page
    context.close()


def follow(page: Page, link: Locator) -> None:
    """Click a link and wait until the page it leads to has loaded (axe on a page being replaced finds no document)."""
    with page.expect_navigation():
        link.click()


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
