"""What a part adds to the web app: its routes, its menu entries, its links on other pages and its templates.

Each part of a module declares one `PartWeb` in its `web/routes.py`; the composition root
(`avhopp.app`) hands them all to the app factory. The platform knows parts only by this shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from litestar.types import ControllerRouterHandler

    from avhopp.platform.web.shell import NavEntry, PageLink


@dataclass(frozen=True, slots=True)
class PartWeb:
    """One part's contribution to the web app."""

    name: str
    routes: Sequence[ControllerRouterHandler]
    templates: Path | None = None
    nav: Sequence[NavEntry] = field(default=())
    page_links: Sequence[PageLink] = field(default=())
    """Links this part offers on other parts' pages."""
