"""The header's unread count: one count query, only for a page a signed-in person acts for a tenant on.

The page shell renders synchronously, so the count is read before the handler runs and left
in the request's state (`UNREAD_NOTICES_KEY`), where `page_shell` finds it. It is read in the
transaction that resolved the principal when the handler's scope continues that one, so a page
is still one transaction. API calls, static files, htmx fragments and anonymous visitors cost
nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.datastructures import Headers
from litestar.enums import ScopeType

from avhopp.platform.database import RequestContext, act_as, context_of, context_session
from avhopp.platform.notifications.service import unread_count
from avhopp.platform.scope.principal import PRINCIPAL_STATE_KEY, Principal
from avhopp.platform.scope.request import OPEN_SESSION_STATE_KEY
from avhopp.platform.web.shell import STATIC_PATH, UNREAD_NOTICES_KEY

if TYPE_CHECKING:
    from uuid import UUID

    from litestar.types import ASGIApp, Receive, Scope, Send


class UnreadNotices:
    """Litestar middleware, after the principal's: counts the acting person's unread notifications."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count when a page will be shown, then pass on."""
        principal = scope.get("state", {}).get(PRINCIPAL_STATE_KEY)
        if (
            scope["type"] == ScopeType.HTTP
            and isinstance(principal, Principal)
            and principal.person_id is not None
            and principal.tenant_id is not None
            and _is_page(scope)
        ):
            scope["state"][UNREAD_NOTICES_KEY] = await _count(scope, principal.tenant_id, principal.person_id)
        await self.app(scope, receive, send)


async def _count(scope: Scope, tenant_id: UUID, person_id: UUID) -> int:
    context = RequestContext(tenant_id=tenant_id, user_id=person_id)
    handed_over = scope["state"].get(OPEN_SESSION_STATE_KEY)
    if handed_over is None:
        async with context_session(scope["app"].state.sessions, context) as session:
            return await unread_count(session, tenant_id, person_id)
    # The handler's scope commits this transaction, or rolls it back, after the handler.
    if context_of(handed_over) != context:
        await act_as(handed_over, context)
    return await unread_count(handed_over, tenant_id, person_id)


def _is_page(scope: Scope) -> bool:
    if scope["path"].startswith(f"{STATIC_PATH}/"):
        return False
    headers = Headers.from_scope(scope)
    return "text/html" in headers.get("accept", "") and "hx-request" not in headers
