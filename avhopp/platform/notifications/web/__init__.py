"""The notifications' pages, the header's unread count and their templates."""

from pathlib import Path

from avhopp.platform.notifications.web.controller import NotificationsController
from avhopp.platform.notifications.web.unread import UnreadNotices
from avhopp.platform.web.parts import PartWeb

NOTIFICATIONS_WEB = PartWeb(
    name="platform.notifications",
    routes=[NotificationsController],
    templates=Path(__file__).parent / "templates",
)

__all__ = ["NOTIFICATIONS_WEB", "UnreadNotices"]
