"""A running app on the session's database, with telemetry kept in memory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec
import pytest
from litestar import get, post
from litestar.datastructures import State
from litestar.params import FromQuery, JSONBody
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text

from avhopp.platform.app import create_app
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.settings import load_settings
from avhopp.platform.telemetry import configure_telemetry
from avhopp.platform.web.parts import PartWeb
from avhopp.tenants.registry.service import People

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from litestar import Litestar

    from avhopp.platform.settings import Settings
    from tests.support.postgres import TestDatabase

PUBLIC = {"permission": "public"}
# The telemetry probes post without a browser page; CSRF is tested elsewhere.
PROBE = {"permission": "public", "exclude_from_csrf": True}
# One key for every app on the session's database: the identity provider's signing keys are sealed with it.
SECRET_KEY = "s" * 40


class Probe(msgspec.Struct):
    name: str


@post("/api/probe/echo", opt=PROBE)
async def echo(data: JSONBody[Probe], state: State) -> dict[str, int]:
    """Send a body value to the database as a bound parameter."""
    async with context_session(state.sessions, RequestContext()) as session:
        length = (await session.execute(text("SELECT length(CAST(:name AS text))"), {"name": data.name})).scalar_one()
    return {"length": length}


@post("/api/probe/duplicate", opt=PROBE)
async def duplicate(data: JSONBody[Probe], state: State) -> None:
    """Fail in the database with an error that quotes the refused value."""
    async with context_session(state.sessions, RequestContext()) as session:
        await session.execute(text("SELECT CAST(:name AS integer)"), {"name": data.name})


@get("/api/probe/boom", opt=PUBLIC)
async def boom() -> None:
    """Fail in application code with personal data in the exception message."""
    msg = "Anna Andersson 19850101-1234"
    raise RuntimeError(msg)


@get("/api/probe/refused", opt=PUBLIC)
async def refused() -> None:
    """A service refuses input: each field with its Swedish message."""
    raise InvalidInputError([FieldProblem("age", "Ange en ålder mellan 0 och 120."), FieldProblem("name", "Fyll i.")])


@get("/api/probe/foreign", opt=PUBLIC)
async def foreign() -> None:
    """A service answers for another tenant's object as for a missing one."""
    raise NotFoundError


@get("/api/probe/page", opt=PUBLIC)
async def page(size: FromQuery[int]) -> dict[str, int]:
    """Take a typed query parameter."""
    return {"size": size}


@dataclass
class RunningApp:
    app: Litestar
    client: AsyncTestClient[Litestar]
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader


def platform_settings(database: TestDatabase, tmp_path: Path) -> Settings:
    environ = {
        "DATABASE_URL": database.owner_url.render_as_string(hide_password=False),
        "AVHOPP_SECRET_KEY": SECRET_KEY,
        "AVHOPP_DATA_DIR": str(tmp_path),
    }
    if os.environ.get("BROKER_URL"):
        environ["BROKER_URL"] = os.environ["BROKER_URL"]
    return load_settings(environ)


@pytest.fixture
async def running(database: TestDatabase, tmp_path: Path) -> AsyncIterator[RunningApp]:
    spans = InMemorySpanExporter()
    metrics = InMemoryMetricReader()
    telemetry = configure_telemetry(None, span_processor=SimpleSpanProcessor(spans), metric_reader=metrics)
    app = create_app(
        platform_settings(database, tmp_path),
        database.app_url,
        people=People(),
        parts=[PartWeb(name="test", routes=[echo, duplicate, boom, page, refused, foreign])],
        telemetry=telemetry,
    )
    async with AsyncTestClient(app) as client:
        yield RunningApp(app, client, spans, metrics)
