"""The notifications' pages, the header's unread count and their templates."""

from pathlib import Path

from avhopp.platform.notifications.web.controller import NotificationsController
from avhopp.platform.notifications.web.unread import UnreadNotices

NOTIFICATION_TEMPLATES = Path(__file__).parent / "templates"

__all__ = ["NOTIFICATION_TEMPLATES", "NotificationsController", "UnreadNotices"]
