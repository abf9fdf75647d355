"""Security headers on every response, errors and unknown routes included.

A strict Content-Security-Policy: scripts and styles only from the platform itself (no
inline code, no CDN), no framing, no referrer. The API documentation page is the one
exception: Redoc styles itself inline, so that page alone allows inline styles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from litestar.enums import ScopeType

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

_STRICT = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'{form_targets}; frame-ancestors 'none'; base-uri 'none'"
)
_DOCS_PATH = "/api/docs"


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(form_targets: tuple[str, ...] = (), *, inline_styles: bool = False) -> str:
    """The policy; `form_targets` are origins a form may lead to (an external identity provider)."""
    policy = _STRICT.format(form_targets="".join(f" {origin}" for origin in form_targets))
    if inline_styles:
        policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    return policy


class SecurityHeaders:
    """ASGI middleware around the whole app."""

    def __init__(self, app: ASGIApp, *, https: bool, form_targets: tuple[str, ...] = ()) -> None:
        self.app = app
        self.strict = content_security_policy(form_targets).encode()
        self.docs = content_security_policy(form_targets, inline_styles=True).encode()
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the response start."""
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        policy = self.docs if scope["path"] == _DOCS_PATH else self.strict
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                # A handler that knows better (the identity provider's form) may set its own policy.
                own_policy = any(k.lower() == b"content-security-policy" for k, _ in existing)
                headers = [
                    *([] if own_policy else [(b"content-security-policy", policy)]),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    # Pages may show personal data: never kept by the browser or a proxy. Static files are.
                    (b"cache-control", b"public, max-age=31536000, immutable" if static else b"no-store"),
                ]
                if self.https:
                    headers.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
                message["headers"] = [*existing, *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
