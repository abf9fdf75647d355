"""Health checks, errors in both shapes, request ids, and the start-up role check."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import create_async_engine

from avhopp.platform.app import create_app
from avhopp.platform.database import RuntimeRoleError
from avhopp.tenants.registry.service import People
from tests.platform.web.conftest import platform_settings

if TYPE_CHECKING:
    from pathlib import Path

    from tests.platform.web.conftest import RunningApp
    from tests.support.postgres import TestDatabase

BROWSER = {"accept": "text/html,application/xhtml+xml"}


async def test_live_and_ready_answer_ok(running: RunningApp) -> None:
    live = await running.client.get("/health/live")
    ready = await running.client.get("/health/ready")

    assert live.status_code == 200
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "authorization": "ok"}}


async def test_ready_reports_an_unreachable_database(running: RunningApp) -> None:
    healthy_engine = running.app.state.engine
    running.app.state.engine = create_async_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        response = await running.client.get("/health/ready")
    finally:
        await running.app.state.engine.dispose()
        running.app.state.engine = healthy_engine

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


async def test_api_errors_have_a_stable_json_shape_with_the_request_id(running: RunningApp) -> None:
    response = await running.client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert set(problem) == {"type", "title", "status", "detail", "code", "request_id"}
    assert (problem["status"], problem["code"], problem["type"]) == (404, "not_found", "urn:avhopp:problem:not_found")
    assert problem["title"] == "Sidan finns inte"
    assert problem["request_id"] == response.headers["x-request-id"]


async def test_validation_errors_name_the_field(running: RunningApp) -> None:
    response = await running.client.get("/api/probe/page", params={"size": "många"})

    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "bad_request"
    assert [field["field"] for field in problem["errors"]] == ["size"]
    assert "många" not in response.text


async def test_services_refusals_become_problem_details_naming_each_field(running: RunningApp) -> None:
    refused = await running.client.get("/api/probe/refused")
    foreign = await running.client.get("/api/probe/foreign")
    missing = await running.client.get("/api/v1/no-such-thing")

    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "bad_request"
    assert refused.json()["errors"] == [
        {"field": "age", "message": "Ange en ålder mellan 0 och 120."},
        {"field": "name", "message": "Fyll i."},
    ]
    # Forbidden and missing answer alike: nothing tells a foreign object from one that never was.
    assert foreign.status_code == missing.status_code == 404
    assert {k: v for k, v in foreign.json().items() if k != "request_id"} == {
        k: v for k, v in missing.json().items() if k != "request_id"
    }


async def test_people_get_a_swedish_error_page(running: RunningApp) -> None:
    response = await running.client.get("/finns-inte", headers=BROWSER)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="sv">' in response.text
    assert "Sidan finns inte" in response.text
    assert response.headers["x-request-id"] in response.text


async def test_an_unexpected_error_is_a_500_without_its_message(running: RunningApp) -> None:
    api = await running.client.get("/api/probe/boom")
    page = await running.client.get("/api/probe/boom", headers=BROWSER)

    assert api.status_code == page.status_code == 500
    assert api.json()["code"] == "internal_error"
    for body in (api.text, page.text):
        assert "Anna" not in body
        assert "19850101" not in body


async def test_a_safe_incoming_request_id_is_kept_and_an_unsafe_one_replaced(running: RunningApp) -> None:
    kept = await running.client.get("/health/live", headers={"x-request-id": "lb-0123456789abcdef"})
    replaced = await running.client.get("/health/live", headers={"x-request-id": "<script>alert(1)</script>"})

    assert kept.headers["x-request-id"] == "lb-0123456789abcdef"
    assert replaced.headers["x-request-id"] != "<script>alert(1)</script>"
    assert len(replaced.headers["x-request-id"]) == 36


async def test_openapi_docs_are_served_from_the_app_itself(running: RunningApp) -> None:
    docs = await running.client.get("/api/docs", headers=BROWSER)
    schema = await running.client.get("/api/docs/openapi.json")
    script = await running.client.get("/static/vendor/redoc/redoc.standalone.js")

    assert docs.status_code == 200
    assert "/static/vendor/redoc/redoc.standalone.js" in docs.text
    assert "https://" not in docs.text.split("<body")[0]
    assert "/health/ready" in schema.json()["paths"]
    assert script.status_code == 200


async def test_the_app_refuses_to_start_as_a_role_that_bypasses_rls(database: TestDatabase, tmp_path: Path) -> None:
    app = create_app(platform_settings(database, tmp_path), database.owner_url, people=People())

    with pytest.raises(ExceptionGroup) as raised:
        async with AsyncTestClient(app):
            pass

    assert raised.group_contains(RuntimeRoleError, match="superanvändare|BYPASSRLS", depth=None)
