"""The e-mail that tells a person there is something new: no names, no case detail, one link.

The process's outgoing mail is set once at start (`configure_mail`, by the web app and the
worker command), because jobs receive a database session and nothing else.

Sent with the standard library's smtplib on a thread of its own, so a slow SMTP server
holds up neither the job's event loop nor, ever, a web request.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING

from avhopp.platform.settings import SmtpSecurity

if TYPE_CHECKING:
    from uuid import UUID

    from avhopp.platform.settings import Settings, SmtpSettings

SMTP_TIMEOUT_SECONDS = 20.0
SUBJECT = "Ny notis i Avhopp"
_BODY = """\
Hej!

Du har en ny notis i Avhopp. Logga in för att se den:
{url}

Det här meddelandet skickas automatiskt och går inte att svara på. Du kan stänga av
e-post om notiser på sidan Notiser i Avhopp.

--
You have a new notification in Avhopp. Sign in to see it:
{url}
"""


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """Where notification e-mail goes and the address its links start with."""

    smtp: SmtpSettings
    public_url: str
    secret_key: str
    """Opens what a job must send but may not keep in the clear, such as an invitation's link."""


class _Configured:
    current: OutgoingMail | None = None


def configure_mail(settings: Settings) -> None:
    """Use the settings' SMTP server from now on in this process (none: in-app notifications only)."""
    _Configured.current = (
        None if settings.smtp is None else OutgoingMail(settings.smtp, settings.public_url, settings.secret_key)
    )


def outgoing_mail() -> OutgoingMail | None:
    """The SMTP server this process sends through, if one is set."""
    return _Configured.current


def notice_message(outgoing: OutgoingMail, notification_id: UUID, address: str, link: str) -> EmailMessage:
    """The message about one notification: that there is something new, and where."""
    message = EmailMessage()
    message["From"] = outgoing.smtp.sender
    message["To"] = address
    message["Subject"] = SUBJECT
    message["Date"] = format_datetime(datetime.now(UTC))
    # One id per notification, so that a receiving server can recognise a repeated delivery.
    message["Message-ID"] = f"<{notification_id}@{outgoing.smtp.sender.rpartition('@')[2]}>"
    # RFC 3834: no out-of-office replies to an automatic message.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_BODY.format(url=f"{outgoing.public_url}{link}"))
    return message


INVITATION_SUBJECT = "Inbjudan till Avhopp"
_INVITATION_BODY = """\
Hej!

Du är inbjuden att bli administratör för en organisation i Avhopp, den nationella
samordningsplattformen för stöd till avhoppare. Öppna länken och logga in för att ta emot
inbjudan. Länken gäller till {expires} och kan användas en gång:
{url}

Har du inte väntat dig det här meddelandet kan du bortse från det.

--
You are invited to administer an organisation in Avhopp. Open the link and sign in to accept;
it works once, until {expires}:
{url}
"""


def invitation_message(outgoing: OutgoingMail, message_key: str, address: str, url: str, expires: str) -> EmailMessage:
    """The message that carries an invitation's link (the link is the only thing in it that is secret)."""
    message = EmailMessage()
    message["From"] = outgoing.smtp.sender
    message["To"] = address
    message["Subject"] = INVITATION_SUBJECT
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = f"<{message_key}@{outgoing.smtp.sender.rpartition('@')[2]}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_INVITATION_BODY.format(url=url, expires=expires))
    return message


async def send(smtp: SmtpSettings, message: EmailMessage) -> None:
    """Hand the message to the SMTP server; raises whatever smtplib or the network raises."""
    await asyncio.to_thread(_send_blocking, smtp, message)


def _send_blocking(smtp: SmtpSettings, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    client = (
        smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
        if smtp.security is SmtpSecurity.TLS
        else smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS)
    )
    with client:
        if smtp.security is SmtpSecurity.STARTTLS:
            client.starttls(context=context)
        if smtp.user is not None and smtp.password is not None:
            client.login(smtp.user, smtp.password)
        client.send_message(message)
