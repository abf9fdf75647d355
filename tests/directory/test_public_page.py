"""The public page "Hitta stöd": works without login, sets no cookie, logs no query, is rate-limited,
puts the line first, offers a quick way out, speaks plainly and answers where the person is."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import structlog
from litestar.testing import AsyncTestClient

from avhopp.app import build_app
from avhopp.directory.catalogue.web.public import PUBLIC_SEARCH_LIMIT
from avhopp.platform.idp import ensure_identity_provider
from avhopp.platform.logs import configure_logging
from avhopp.platform.times import STOCKHOLM
from tests.platform.auth.conftest import BASE_URL
from tests.support.rate_windows import wait_for_a_fresh_window

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from sqlalchemy import Engine

    from avhopp.platform.settings import Settings
    from tests.support.postgres import TestDatabase

pytestmark = pytest.mark.usefixtures("seeded")
SEARCH = {"home_municipality_code": "1481", "age": "17", "text": "", "needs": "guidance"}


@pytest.fixture
async def visitor(
    product_settings: Settings, database: TestDatabase, owner_engine: Engine
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    with owner_engine.begin() as connection:
        ensure_identity_provider(connection, product_settings, [])
    async with AsyncTestClient(build_app(product_settings, database.app_url), base_url=BASE_URL) as client:
        yield client


async def test_anyone_can_search_and_112_is_always_shown(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    page = await visitor.get("/hitta-stod", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "Ring 112" in page.text
    assert "Ring stödlinjen för avhoppare" in page.text
    results = await visitor.post("/hitta-stod", data=SEARCH, headers={"accept": "text/html"})
    assert results.status_code == 200
    assert "Socialtjänsten, Mölndals kommun" in results.text
    assert "Ring 112" in results.text
    # Only services that can take the person are shown to the public.
    assert "Tar bara emot folkbokförda i Göteborg" not in results.text


async def test_no_cookie_no_cache_and_no_referrer(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    for response in (
        await visitor.get("/hitta-stod", headers={"accept": "text/html"}),
        await visitor.post("/hitta-stod", data=SEARCH, headers={"accept": "text/html"}),
    ):
        assert "set-cookie" not in response.headers
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        # One script, a static file of the platform's own: nothing inline, nothing from elsewhere.
        assert response.text.count("<script") == response.text.count('<script src="/static/') == 1
    assert visitor.cookies == {}


async def test_internal_numbers_stay_off_the_public_page(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    results = await visitor.post(
        "/hitta-stod", data={"home_municipality_code": "1480", "age": "30"}, headers={"accept": "text/html"}
    )
    assert "bara för yrkesverksamma" not in results.text


@pytest.fixture
def platform_logging() -> Iterator[None]:
    """The platform's logging, whatever an earlier test in this process did to structlog.

    (structlog's `capture_logs` misses the loggers an earlier test has cached; the records reach
    pytest's `caplog` through the standard library as they reach the platform's handler.)
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO")
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.mark.usefixtures("platform_logging")
async def test_the_search_is_not_logged(
    visitor: AsyncTestClient,  # type: ignore[type-arg]
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    await visitor.post("/hitta-stod", data=SEARCH | {"text": "hemligtsokord"}, headers={"accept": "text/html"})
    logs = [record.msg for record in caplog.records]
    # The request id, the clock and the duration are random or timed: any digits, "1481" too, may turn up in them.
    generated = {"request_id", "timestamp", "duration_ms"}
    flattened = repr(
        [
            {key: value for key, value in log.items() if key not in generated} if isinstance(log, dict) else log
            for log in logs
        ]
    )
    assert logs, "the request log should still record that a request happened"
    assert "hemligtsokord" not in flattened
    assert "1481" not in flattened
    assert "127.0.0.1" not in flattened
    assert "testclient" not in flattened


async def test_bad_input_names_the_field(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await visitor.post(
        "/hitta-stod", data={"home_municipality_code": "9999", "age": "12"}, headers={"accept": "text/html"}
    )
    assert response.status_code == 400
    assert 'href="#home_municipality_code"' in response.text
    response = await visitor.post(
        "/hitta-stod", data={"home_municipality_code": "1480", "age": "tolv"}, headers={"accept": "text/html"}
    )
    assert 'href="#age"' in response.text


async def test_searches_are_rate_limited_per_address(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    wait_for_a_fresh_window(PUBLIC_SEARCH_LIMIT, needed_seconds=20)
    statuses = [
        (await visitor.post("/hitta-stod", data=SEARCH, headers={"accept": "text/html"})).status_code
        for _ in range(PUBLIC_SEARCH_LIMIT.requests + 1)
    ]
    assert statuses[:-1] == [200] * PUBLIC_SEARCH_LIMIT.requests
    assert statuses[-1] == 429


async def test_the_public_page_asks_about_drugs_and_custody(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    page = await visitor.get("/hitta-stod", headers={"accept": "text/html"})
    assert 'name="substance_use"' in page.text
    assert 'name="custody"' in page.text
    search = {"home_municipality_code": "0180", "age": "30", "text": "kriminalvård frivård"}
    free = await visitor.post("/hitta-stod", data=search, headers={"accept": "text/html"})
    assert "Stöd till avhoppare i häkte, anstalt och frivård" not in free.text
    probation = await visitor.post(
        "/hitta-stod", data={**search, "custody": "on_probation"}, headers={"accept": "text/html"}
    )
    assert "Stöd till avhoppare i häkte, anstalt och frivård" in probation.text
    bad = await visitor.post("/hitta-stod", data={**search, "substance_use": "x"}, headers={"accept": "text/html"})
    assert bad.status_code == 400


def top_of_page(html: str) -> str:
    """What comes before the search form: what a person on a phone sees first."""
    return html.split('id="search-form"', 1)[0]


async def test_the_lines_number_and_hours_come_first(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    page = await visitor.get("/hitta-stod", headers={"accept": "text/html"})
    top = top_of_page(page.text)
    assert 'href="tel:' in top
    assert "måndag–fredag 09:00–21:00" in top
    assert "Ring 112" in top


async def test_a_quick_way_out_without_inline_code(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    page = await visitor.get("/hitta-stod", headers={"accept": "text/html"})
    top = top_of_page(page.text)
    assert "Lämna sidan snabbt" in top
    assert "data-quick-exit" in top
    assert '<script src="/static/public-page.js' in page.text
    # The strict policy refuses inline code: every script has a source, no element is styled inline.
    assert page.text.count("<script") == page.text.count("<script src=")
    assert " style=" not in page.text


PROFESSIONAL_WORDS = ("folkbokförd", "Hotbild", "hotbild", "frivårdens tillsyn", "Latent", "räckvidd", "Kriminalvård")


async def test_plain_words_for_a_person_not_a_professional(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    for response in (
        await visitor.get("/hitta-stod", headers={"accept": "text/html"}),
        await visitor.post("/hitta-stod", data=SEARCH, headers={"accept": "text/html"}),
    ):
        form = response.text.split('id="search-form"', 1)[1].split("</form>", 1)[0]
        assert [word for word in PROFESSIONAL_WORDS if word in form] == []
    visitor.cookies.set("avhopp_lang", "en")
    english = await visitor.get("/hitta-stod", headers={"accept": "text/html"})
    assert "Leave this page quickly" in english.text
    assert "Are you being threatened?" in english.text


async def test_english_by_the_address_without_a_cookie(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    swedish = await visitor.get("/hitta-stod", headers={"accept": "text/html"})
    english = await visitor.get("/hitta-stod?lang=en", headers={"accept": "text/html"})
    searched = await visitor.post("/hitta-stod?lang=en", data=SEARCH, headers={"accept": "text/html"})
    unknown = await visitor.get("/hitta-stod?lang=xx", headers={"accept": "text/html"})

    assert 'href="?lang=en"' in swedish.text
    assert "set-cookie" not in english.headers
    assert '<html lang="en">' in english.text
    assert "Leave this page quickly" in english.text
    assert 'href="?lang=sv"' in english.text
    assert 'action="/hitta-stod?lang=en"' in english.text, "the search stays in English"
    assert 'action="/hitta-stod/ring-mig?lang=en"' in english.text, "the callback's answer too"
    assert "set-cookie" not in searched.headers
    assert '<html lang="en">' in searched.text
    assert '<html lang="sv">' in unknown.text


async def test_feedback_comes_where_the_person_is(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    # Focus moves to what answers the person (autofocus scrolls it into view, with or without script).
    found = await visitor.post("/hitta-stod", data=SEARCH, headers={"accept": "text/html"})
    assert 'id="results-heading" tabindex="-1" autofocus' in found.text
    now = datetime.now(STOCKHOLM)
    callback = {
        "phone_number": "070-765 43 21",
        "window_start": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "window_end": (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
    }
    sent = await visitor.post("/hitta-stod/ring-mig", data=callback, headers={"accept": "text/html"})
    assert 'role="status" tabindex="-1" autofocus' in sent.text
    refused = await visitor.post(
        "/hitta-stod/ring-mig", data=callback | {"phone_number": "nej"}, headers={"accept": "text/html"}
    )
    # The callback's problems are summed up at the callback form, where the person is.
    assert refused.text.index('id="callback-heading"') < refused.text.index('id="error-summary"')
    # A refused search shows its summary above the search form, not above the callback form.
    wrong = await visitor.post("/hitta-stod", data=SEARCH | {"age": "tolv"}, headers={"accept": "text/html"})
    assert wrong.text.index('id="error-summary"') < wrong.text.index('id="search-form"')
