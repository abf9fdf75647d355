"""Liveness and readiness for the load balancer and the orchestrator."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.datastructures import State
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text

from avhopp.platform.scope.route_permissions import PUBLIC


class Health(msgspec.Struct):
    """`ok` or `unavailable`, with each check's own result."""

    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


@get("/health/live", opt={"permission": PUBLIC}, tags=["health"], sync_to_thread=False)
def live() -> Health:
    """The process answers; nothing else is checked."""
    return Health(status="ok")


@get("/health/ready", opt={"permission": PUBLIC}, tags=["health"])
async def ready(state: State) -> Response[Health]:
    """The database answers, the job broker is reachable and the authorization policy is loaded."""
    checks = {
        "database": await _database_ok(state),
        "broker": "ok" if await state.jobs.ready() else "unavailable",
        "authorization": "ok" if state.authz.version is not None else "unavailable",
    }
    healthy = all(result == "ok" for result in checks.values())
    return Response(
        Health(status="ok" if healthy else "unavailable", checks=checks),
        status_code=HTTP_200_OK if healthy else HTTP_503_SERVICE_UNAVAILABLE,
    )


async def _database_ok(state: State) -> str:
    try:
        async with state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready
        return "unavailable"
    return "ok"
