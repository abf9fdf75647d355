"""CSRF protection for every unsafe request that a browser's cookies could authenticate.

Litestar's signed double-submit check, except for requests that carry an Authorization
header: those authenticate by the header alone (avhopp.platform.auth.middleware ignores the
session cookie for them), and a cross-site form cannot set one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.middleware.csrf import CSRFMiddleware

if TYPE_CHECKING:
    from litestar.types import Receive, Scope, Send

EXCLUDE_FROM_CSRF = "exclude_from_csrf"
"""A route's `opt` key that exempts it from the check (public forms that no session authorises)."""


class CookieCSRFMiddleware(CSRFMiddleware):
    """CSRFMiddleware that lets bearer-authenticated requests through unchecked."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Skip the check for a request with an Authorization header."""
        if any(name == b"authorization" for name, _ in scope.get("headers", [])):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
