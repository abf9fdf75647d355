"""Notifications' use cases: notify, list, count, mark as read. No HTTP.

Any module notifies through `notify`: recipients by user id, the tenant they get it in, a
registered kind and a local link. A notification carries nothing else, so nothing personal
can reach it; the e-mail about it says only that there is something new, with the link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import uuid4

from sqlalchemy import func, insert, select, update

from avhopp.platform.jobs import enqueue
from avhopp.platform.notifications.jobs import send_notice_email
from avhopp.platform.notifications.mail import outgoing_mail
from avhopp.platform.notifications.models import KIND_PATTERN, Notification

if TYPE_CHECKING:
    from collections.abc import Collection
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

LIST_LIMIT = 100
MAX_LINK = 500
_KIND = re.compile(KIND_PATTERN)
_LINK = re.compile(r"^/([^/\\\s][^\\\s]*)?$")
UNKNOWN_KIND_TITLE = "Ny notis"


@dataclass(frozen=True, slots=True)
class NoticeKind:
    """A kind of notification: a code, and its title as a Swedish message id (English in the catalogue)."""

    code: str
    title: str


_kinds: dict[str, NoticeKind] = {}


def register_kind(code: str, title: str) -> NoticeKind:
    """Declare a kind of notification once, at import; its title is all the list shows of it.

    Raises:
        ValueError: the code is not a lower-case code, or is registered with another title.

    """
    if not _KIND.fullmatch(code):
        raise ValueError(f"a notification kind is a lower-case code: {code!r}")
    kind = NoticeKind(code, title)
    if _kinds.setdefault(code, kind) != kind:
        raise ValueError(f"the notification kind {code!r} is already registered with another title")
    return kind


def kind_title(code: str) -> str:
    """The Swedish title of a kind (a generic one for a kind no longer registered)."""
    kind = _kinds.get(code)
    return kind.title if kind is not None else UNKNOWN_KIND_TITLE


def _checked_link(link: str) -> str:
    if len(link) > MAX_LINK or not link.isascii() or not _LINK.fullmatch(link):
        raise ValueError("a notification links to a path on this platform, such as /remisser")
    return link


async def notify(
    session: AsyncSession, tenant_id: UUID, recipients: Collection[UUID], kind: NoticeKind, link: str
) -> list[UUID]:
    """Tell each recipient, in the tenant, that something of `kind` is at `link`.

    Runs in the caller's transaction, which must act for `tenant_id` (row-level security
    refuses anything else): the notifications and their e-mail jobs commit with the change
    that caused them, or not at all. The e-mail goes out after the commit, from a job, when
    an SMTP server is set; nothing here waits for it.

    Returns:
        The new notifications' ids, one per distinct recipient.

    Raises:
        ValueError: an unregistered kind, or a link that is not a path on this platform.

    """
    if _kinds.get(kind.code) != kind:
        raise ValueError(f"unregistered notification kind {kind.code!r}")
    link = _checked_link(link)
    # Made here, not by the database: INSERT ... RETURNING would need to read colleagues' rows.
    created = {user_id: uuid4() for user_id in recipients}
    if not created:
        return []
    await session.execute(
        insert(Notification),
        [
            {"id": notification_id, "tenant_id": tenant_id, "user_id": user_id, "kind": kind.code, "link": link}
            for user_id, notification_id in created.items()
        ],
    )
    if outgoing_mail() is not None:
        for user_id, notification_id in created.items():
            await enqueue(session, send_notice_email, notification_id=str(notification_id), user_id=str(user_id))
    return list(created.values())


async def unread_count(session: AsyncSession, tenant_id: UUID, user_id: UUID) -> int:
    """How many of the person's notifications in the tenant are unread."""
    count = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.tenant_id == tenant_id, Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


async def notices_of(session: AsyncSession, tenant_id: UUID, user_id: UUID) -> list[Notification]:
    """The person's latest notifications in the tenant, newest first."""
    return list(
        await session.scalars(
            select(Notification)
            .where(Notification.tenant_id == tenant_id, Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id)
            .limit(LIST_LIMIT)
        )
    )


async def mark_read(session: AsyncSession, tenant_id: UUID, user_id: UUID, notification_id: UUID) -> bool:
    """Mark one of the person's notifications read; False if it is not theirs in this tenant."""
    marked = await session.scalar(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.tenant_id == tenant_id,
            Notification.user_id == user_id,
        )
        .values(read_at=func.coalesce(Notification.read_at, func.now()))
        .returning(Notification.id)
    )
    return marked is not None


async def mark_all_read(session: AsyncSession, tenant_id: UUID, user_id: UUID) -> int:
    """Mark all the person's notifications in the tenant read; returns how many were unread."""
    marked = await session.scalars(
        update(Notification)
        .where(Notification.tenant_id == tenant_id, Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=func.now())
        .returning(Notification.id)
    )
    return len(marked.all())
