"""Notifications, one service for every module: an in-app list with an unread count, and e-mail.

    RECEIVED = register_kind("referral_received", "Ny remiss från stödlinjen")

    async with context_session(sessions, context) as session:
        ...  # the change itself
        await notify(session, tenant_id, recipients, RECEIVED, f"/remisser/{referral.id}")

The notifications commit with the change; e-mail (when AVHOPP_SMTP_HOST is set) follows from
a job after the commit and says only that there is something new, with a link. Each person
sees only their own, and may turn e-mail off.
"""

from avhopp.platform.notifications.mail import configure_mail
from avhopp.platform.notifications.service import NoticeKind, notify, register_kind

__all__ = ["NoticeKind", "configure_mail", "notify", "register_kind"]
