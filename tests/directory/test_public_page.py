"""The public page "Hitta stöd": works without login, sets no cookie, logs no query, is rate-limited."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import structlog
from litestar.testing import AsyncTestClient

from avhopp.app import build_app
from avhopp.directory.catalogue.web.public import PUBLIC_SEARCH_LIMIT
from avhopp.platform.idp import ensure_identity_provider
from tests.platform.auth.conftest import BASE_URL

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

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
    assert "Stödlinjen för avhoppare" in page.text
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
        assert "<script" not in response.text
    assert visitor.cookies == {}


async def test_internal_numbers_stay_off_the_public_page(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    results = await visitor.post(
        "/hitta-stod", data={"home_municipality_code": "1480", "age": "30"}, headers={"accept": "text/html"}
    )
    assert "bara för yrkesverksamma" not in results.text


async def test_the_search_is_not_logged(visitor: AsyncTestClient) -> None:  # type: ignore[type-arg]
    with structlog.testing.capture_logs() as logs:
        await visitor.post("/hitta-stod", data=SEARCH | {"text": "hemligtsokord"}, headers={"accept": "text/html"})
    flattened = repr(logs)
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
