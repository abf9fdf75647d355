"""The job that e-mails a person about one new notification, after the commit that made it.

Idempotent per notification: the notification records when its e-mail went out, in the same
transaction, so a later delivery of the job finds it sent; two jobs for one notification take
turns on an advisory lock (never a row lock, which would hold up the person marking it read
while the SMTP server answers). Only if the server accepts the message and the commit then
fails can the person get it twice; the Message-ID, one per notification, lets their mail
server recognise that. A server that is down or refuses for now makes the attempt fail and
roll back; the job is retried with exponential back-off (twelve more times, from 30 seconds:
about a day and a half in all).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import UUID

import structlog
from sqlalchemy import select, text

from avhopp.platform.jobs import job
from avhopp.platform.notifications.mail import notice_message, outgoing_mail, send
from avhopp.platform.notifications.models import Notification
from avhopp.platform.notifications.preferences import email_wanted

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

_log = structlog.get_logger("avhopp.notifications")
# The people module's table, read by name: the platform may not import the modules above it.
_ADDRESS = text("SELECT email FROM app_user WHERE id = :user AND active")
_ACT_AS = text("SELECT set_config('app.user_id', :user, true)")
# The two-key form keeps these locks apart from other users of advisory locks.
_LOCK_SPACE = 0x4E4F5449  # "NOTI"
_ONE_SENDER = text(f"SELECT pg_advisory_xact_lock({_LOCK_SPACE}, hashtext(:notification))")
SMTP_RETRIES = 12
SMTP_FIRST_BACKOFF_MS = 30_000


@job(max_retries=SMTP_RETRIES, min_backoff_ms=SMTP_FIRST_BACKOFF_MS)
async def send_notice_email(session: AsyncSession, *, notification_id: str, user_id: str) -> None:
    """E-mail the recipient that there is something new, unless read already, turned off or without an address."""
    outgoing = outgoing_mail()
    if outgoing is None:
        return
    recipient = UUID(user_id)
    # A notification is readable only by its recipient: the job acts as them for the rest of it.
    await session.execute(_ACT_AS, {"user": str(recipient)})
    await session.execute(_ONE_SENDER, {"notification": notification_id})
    notification = await session.scalar(
        select(Notification).where(Notification.id == UUID(notification_id), Notification.user_id == recipient)
    )
    if notification is None or notification.emailed_at is not None or notification.read_at is not None:
        return
    if not await email_wanted(session, recipient):
        return
    address = await session.scalar(_ADDRESS, {"user": recipient})
    if not address:
        return
    await send(outgoing.smtp, notice_message(outgoing, notification.id, address, notification.link))
    notification.emailed_at = datetime.now(UTC)
    _log.info("notification e-mailed", notification_id=notification_id)
