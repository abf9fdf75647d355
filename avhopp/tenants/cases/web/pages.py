"""The case workspace's pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

PAGE_ROUTES: list[ControllerRouterHandler] = []
