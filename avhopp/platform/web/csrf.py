"""CSRF protection for every unsafe request that a browser's cookies could authenticate.

Litestar's signed double-submit check, except for a machine client: a request that a valid
bearer token authenticates (the principal, resolved before this check, is that client) and
that carries no session cookie. Any other request with an Authorization header is checked like
every other, so a header cannot switch the check off for a session's cookies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.connection import ASGIConnection
from litestar.middleware.csrf import CSRFMiddleware

from avhopp.platform.scope.principal import principal_of

if TYPE_CHECKING:
    from litestar.config.csrf import CSRFConfig
    from litestar.types import ASGIApp, Receive, Scope, Send

EXCLUDE_FROM_CSRF = "exclude_from_csrf"
"""A route's `opt` key that exempts it from the check (public forms that no session authorises)."""
CSRF_FORM_FIELD = "_csrf_token"
"""The form field that carries the token (Litestar's CSRF middleware reads this name)."""


class CookieCSRFMiddleware(CSRFMiddleware):
    """CSRFMiddleware that lets requests of a machine client alone through unchecked.

    It must run after the principal is resolved (avhopp.platform.auth.middleware).
    """

    def __init__(self, app: ASGIApp, config: CSRFConfig, *, session_cookie: str) -> None:
        super().__init__(app, config)
        self._session_cookie = session_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Skip the check for a machine client without a session cookie; check everything else."""
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope, receive, send)
        principal = principal_of(connection)
        if principal is not None and principal.client_id is not None and self._session_cookie not in connection.cookies:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
