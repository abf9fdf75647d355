"""The Litestar application factory."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from litestar import Litestar, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, RedocRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from avhopp.platform.database import create_app_engine, session_factory, verify_runtime_role
from avhopp.platform.jobs import JobRuntime
from avhopp.platform.telemetry import configure_telemetry, trace_engine
from avhopp.platform.web.errors import EXCEPTION_HANDLERS
from avhopp.platform.web.health import PUBLIC, live, ready
from avhopp.platform.web.observe import RequestObserver

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from litestar.types import ControllerRouterHandler
    from sqlalchemy.engine import URL

    from avhopp.platform.settings import Settings
    from avhopp.platform.telemetry import Telemetry

_WEB = Path(__file__).parent
STATIC_PATH = "/static"


@get("/", opt={"permission": PUBLIC}, include_in_schema=False, sync_to_thread=False)
def home() -> Template:
    """The start page."""
    return Template(template_name="home.html")


def create_app(
    settings: Settings,
    app_url: URL,
    *,
    route_handlers: Sequence[ControllerRouterHandler] = (),
    telemetry: Telemetry | None = None,
) -> Litestar:
    """Build the web application with the modules' `route_handlers`; it connects as the runtime role."""
    telemetry = telemetry or configure_telemetry(settings.otlp_endpoint)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = create_app_engine(app_url)
        trace_engine(engine.sync_engine, telemetry)
        await verify_runtime_role(engine)
        sessions = session_factory(engine)
        jobs = JobRuntime(settings.broker_url, sessions, telemetry)
        app.state.update(engine=engine, sessions=sessions, jobs=jobs, telemetry=telemetry)
        await jobs.start()
        try:
            yield
        finally:
            await jobs.stop()
            await engine.dispose()

    app = Litestar(
        route_handlers=[
            home,
            live,
            ready,
            create_static_files_router(path=STATIC_PATH, directories=[_WEB / "static"], opt={"permission": PUBLIC}),
            *route_handlers,
        ],
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,
        logging_config=None,  # avhopp.platform.logs owns logging
        template_config=TemplateConfig(directory=_WEB / "templates", engine=JinjaTemplateEngine),
        openapi_config=OpenAPIConfig(
            title="Avhopp",
            version="1",
            description="Nationell samordningsplattform för stöd till avhoppare.",
            path="/api/docs",
            render_plugins=[
                # Everything from the app itself: no CDN, no web fonts, no remote favicon.
                RedocRenderPlugin(
                    js_url=f"{STATIC_PATH}/vendor/redoc/redoc.standalone.js", google_fonts=False, favicon=""
                ),
                JsonRenderPlugin(path="/openapi.json"),
            ],
        ),
    )
    # Outermost, around routing, so that requests to unknown routes are observed too.
    app.asgi_handler = RequestObserver(app.asgi_handler, telemetry)
    return app
