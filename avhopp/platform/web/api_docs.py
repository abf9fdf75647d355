"""OpenAPI documentation at /api/docs, served entirely by the app (no CDN, no inline script)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.openapi.plugins import RedocRenderPlugin

from avhopp.platform.web.shell import static_url

if TYPE_CHECKING:
    from litestar import Request


class LocalRedoc(RedocRenderPlugin):
    """Redoc from the vendored bundle, started by a small script file."""

    def __init__(self) -> None:
        super().__init__(path="/", js_url=static_url("vendor/redoc/redoc.standalone.js"), google_fonts=False)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:  # noqa: ARG002 - the interface
        """A page that loads Redoc and points it at the JSON schema."""
        title = openapi_schema["info"]["title"]
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title} API</title>"
            f'<script src="{self.js_url}" defer></script>'
            f'<script src="{static_url("redoc-init.js")}" defer></script>'
            '</head><body><div id="redoc-container" data-spec-url="/api/docs/openapi.json"></div></body></html>'
        ).encode()
