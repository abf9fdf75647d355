"""Each person's choice of e-mail about new notifications: on unless they turned it off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from avhopp.platform.notifications.models import NotificationPreference

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession


async def email_wanted(session: AsyncSession, user_id: UUID) -> bool:
    """Whether the person wants e-mail about new notifications."""
    chosen = await session.scalar(select(NotificationPreference.email).where(NotificationPreference.user_id == user_id))
    return True if chosen is None else bool(chosen)


async def choose_email(session: AsyncSession, user_id: UUID, *, wanted: bool) -> None:
    """Turn the person's e-mail about new notifications on or off (their own row: row-level security)."""
    statement = insert(NotificationPreference).values(user_id=user_id, email=wanted)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[NotificationPreference.user_id], set_={"email": wanted, "updated_at": func.now()}
        )
    )
