"""The registry's background job: e-mail a national invitation's link after the commit that made it.

The job's arguments are the invitation's token hash alone (the outbox keeps only ids and codes);
the address and the link are read from the invitation, sealed under the platform's key, and the
link is erased once the server has accepted the message. A job that finds the link gone, the
invitation used, revoked or expired, sends nothing. Only if the server accepts the message and
the commit then fails can the invitee get it twice; the Message-ID, one per invitation, lets
their mail server recognise that. A server that is down makes the job fail and be retried.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import select

from avhopp.platform.jobs import job
from avhopp.platform.notifications.jobs import SMTP_FIRST_BACKOFF_MS, SMTP_RETRIES
from avhopp.platform.notifications.mail import invitation_message, outgoing_mail, send
from avhopp.platform.sealing import unseal
from avhopp.platform.times import swedish_time
from avhopp.tenants.registry.people import INVITATION_LINK, INVITEE_ADDRESS, Invitation

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

_log = structlog.get_logger("avhopp.tenants")


@job(max_retries=SMTP_RETRIES, min_backoff_ms=SMTP_FIRST_BACKOFF_MS)
async def send_invitation_email(session: AsyncSession, *, token_hash: str) -> None:
    """Send the invitation's link to the invitee, once, while the invitation can still be used."""
    outgoing = outgoing_mail()
    if outgoing is None:
        return
    # The job runs for the invited tenant, whose row-level security lets it read the invitation.
    invitation = (
        await session.execute(select(Invitation).where(Invitation.token_hash == token_hash).with_for_update())
    ).scalar_one_or_none()
    now = datetime.now(UTC)
    if (
        invitation is None
        or invitation.link_sealed is None
        or invitation.email_sealed is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now
    ):
        return
    context = token_hash.encode()
    address = unseal(outgoing.secret_key, INVITEE_ADDRESS, invitation.email_sealed, context).decode()
    link = unseal(outgoing.secret_key, INVITATION_LINK, invitation.link_sealed, context).decode()
    message = invitation_message(outgoing, token_hash[:32], address, link, swedish_time(invitation.expires_at))
    await send(outgoing.smtp, message)
    invitation.link_sealed = None
    invitation.emailed_at = now
    _log.info("tenants.invitation_emailed", tenant_id=str(invitation.tenant_id))


JOBS = (send_invitation_email,)
