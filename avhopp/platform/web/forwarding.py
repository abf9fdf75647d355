"""What the ASGI server is told about proxies: exactly those of AVHOPP_TRUSTED_PROXIES, or none."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from avhopp.platform.settings import Settings


def server_proxy_options(settings: Settings) -> dict[str, Any]:
    """Uvicorn's options: with no trusted proxy, forwarding headers are ignored (uvicorn would trust 127.0.0.1)."""
    proxies = [str(network) for network in settings.trusted_proxies]
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or None}
