"""The Litestar application factory.

The platform builds the frame (database, jobs, login, sessions, CSRF, security headers,
errors, telemetry); the modules bring their routes and templates through `create_app`'s
arguments, composed in `avhopp.app`.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast

import httpx
from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from avhopp.platform.audit.chain import chain_key
from avhopp.platform.audit.views import AUDIT_WEB
from avhopp.platform.auth.machine import MachineTokens
from avhopp.platform.auth.middleware import PrincipalMiddleware
from avhopp.platform.auth.oidc import OidcClient, client_config
from avhopp.platform.auth.permissions import require_permission
from avhopp.platform.auth.routes import AUTH_ROUTES
from avhopp.platform.auth.sessions import SESSION_COOKIE
from avhopp.platform.auth.sign_in_for_tests import TEST_SIGN_IN_ROUTES, check_test_sign_in_allowed
from avhopp.platform.authz import AuthzEnforcer, PolicyWatcher
from avhopp.platform.database import create_app_engine, session_factory, verify_runtime_role
from avhopp.platform.idp import IDP_TEMPLATES, identity_provider_router, platform_client_secret
from avhopp.platform.jobs import JobRuntime
from avhopp.platform.notifications import configure_mail
from avhopp.platform.notifications.web import NOTIFICATIONS_WEB, UnreadNotices
from avhopp.platform.scope.request import SCOPE_DEPENDENCIES
from avhopp.platform.scope.route_permissions import PUBLIC
from avhopp.platform.telemetry import configure_telemetry, trace_engine
from avhopp.platform.web.api_docs import LocalRedoc
from avhopp.platform.web.csrf import EXCLUDE_FROM_CSRF, CookieCSRFMiddleware
from avhopp.platform.web.errors import EXCEPTION_HANDLERS
from avhopp.platform.web.health import live, ready
from avhopp.platform.web.input_guard import check_every_route_guarded, refuse_unreadable_input
from avhopp.platform.web.language import choose_language
from avhopp.platform.web.observe import RequestObserver
from avhopp.platform.web.openapi_problems import document_platform_refusals
from avhopp.platform.web.openapi_types import TimeOfDaySchema
from avhopp.platform.web.security_headers import SecurityHeaders, origin_of
from avhopp.platform.web.shell import STATIC_DIR, STATIC_PATH, install_globals, register_nav, register_page_link

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from httpx._transports.asgi import _ASGIApp
    from litestar.types import ControllerRouterHandler
    from sqlalchemy.engine import URL

    from avhopp.platform.auth.directory import PeopleDirectory
    from avhopp.platform.settings import Settings
    from avhopp.platform.telemetry import Telemetry
    from avhopp.platform.web.parts import PartWeb

_TEMPLATES = Path(__file__).parent / "web" / "templates"
CSRF_COOKIE = "avhopp_csrf"


def create_app(
    settings: Settings,
    app_url: URL,
    *,
    people: PeopleDirectory,
    parts: Sequence[PartWeb] = (),
    telemetry: Telemetry | None = None,
) -> Litestar:
    """Build the web application; it connects to the database as the runtime role in `app_url`."""
    if settings.test_sign_in:
        check_test_sign_in_allowed(settings.public_url)
    telemetry = telemetry or configure_telemetry(settings.otlp_endpoint)
    parts = (AUDIT_WEB, NOTIFICATIONS_WEB, *parts)
    for part in parts:
        for entry in part.nav:
            register_nav(entry)
        for link in part.page_links:
            register_page_link(link)
    configure_mail(settings)
    built_in_provider = settings.oidc is None
    https = settings.public_url.startswith("https://")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = create_app_engine(app_url)
        trace_engine(engine.sync_engine, telemetry)
        await verify_runtime_role(engine)
        sessions = session_factory(engine, audit_key=chain_key(settings.secret_key))
        jobs = JobRuntime(settings.broker_url, sessions, telemetry, poll_interval=settings.job_poll_interval)
        authz = AuthzEnforcer(engine)
        await authz.refresh()
        policy_watcher = PolicyWatcher(app_url, authz)
        # The built-in provider is this very app: reach it in-process, whatever the network looks like.
        transport = httpx.ASGITransport(app=cast("_ASGIApp", app)) if built_in_provider else None
        oidc = OidcClient(client_config(settings, platform_client_secret(settings)), transport)
        app.state.update(
            settings=settings,
            engine=engine,
            sessions=sessions,
            jobs=jobs,
            telemetry=telemetry,
            people=people,
            oidc=oidc,
            machine_tokens=MachineTokens(sessions, settings),
            authz=authz,
        )
        await policy_watcher.start()
        await jobs.start()
        try:
            yield
        finally:
            await jobs.stop()
            await policy_watcher.stop()
            await engine.dispose()

    handlers: list[ControllerRouterHandler] = [
        live,
        ready,
        choose_language,
        *AUTH_ROUTES,
        # No CSRF cookie with style sheets: the public pages must leave no cookie at all.
        create_static_files_router(
            path=STATIC_PATH, directories=[STATIC_DIR], opt={"permission": PUBLIC, EXCLUDE_FROM_CSRF: True}
        ),
        # Also with an external issuer: machine clients get their tokens from the platform's own endpoint.
        identity_provider_router(settings),
        *(handler for part in parts for handler in part.routes),
        *(TEST_SIGN_IN_ROUTES if settings.test_sign_in else ()),
    ]
    app = Litestar(
        route_handlers=handlers,
        lifespan=[lifespan],
        guards=[require_permission],
        before_request=refuse_unreadable_input,
        dependencies=SCOPE_DEPENDENCIES,
        middleware=[
            # The principal first: the CSRF check lets a request through unchecked only for a machine client.
            DefineMiddleware(PrincipalMiddleware),
            DefineMiddleware(
                CookieCSRFMiddleware,
                config=CSRFConfig(
                    secret=settings.secret_key,
                    cookie_name=CSRF_COOKIE,
                    cookie_secure=https or settings.public_url.startswith(("http://127.0.0.1", "http://localhost")),
                    cookie_httponly=True,
                    cookie_samesite="strict",
                    header_name="x-csrf-token",
                    exclude_from_csrf_key=EXCLUDE_FROM_CSRF,
                ),
                session_cookie=SESSION_COOKIE,
            ),
            DefineMiddleware(UnreadNotices),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        plugins=[TimeOfDaySchema()],
        logging_config=None,  # avhopp.platform.logs owns logging
        template_config=TemplateConfig(
            directory=[*(part.templates for part in parts if part.templates), IDP_TEMPLATES, _TEMPLATES],
            engine=JinjaTemplateEngine,
            engine_callback=lambda engine: install_globals(engine.engine),
        ),
        openapi_config=OpenAPIConfig(
            title="Avhopp",
            version="1",
            description="Nationell samordningsplattform för stöd till avhoppare.",
            path="/api/docs",
            # The document and its viewer are not operations of the API.
            openapi_router=Router(
                path="/api/docs", route_handlers=[], opt={"permission": PUBLIC}, include_in_schema=False
            ),
            render_plugins=[LocalRedoc(), JsonRenderPlugin(path="/openapi.json")],
        ),
    )
    check_every_route_guarded(app)
    document_platform_refusals(app)
    external_issuer = () if settings.oidc is None else (origin_of(settings.oidc.issuer),)
    # Outermost, around routing, so that requests to unknown routes are observed and protected too.
    app.asgi_handler = RequestObserver(
        SecurityHeaders(app.asgi_handler, https=https, form_targets=external_issuer), telemetry
    )
    return app
