"""The cases API under /api/v1/cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

API_ROUTES: list[ControllerRouterHandler] = []
