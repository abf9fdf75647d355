"""The provider's own sign-in session in a browser, for single sign-on and end_session.

The browser holds a random token in an HttpOnly cookie scoped to /idp; the database holds
only its SHA-256. A session ends after 30 minutes without use or 8 hours after sign-in,
whichever comes first, and at end_session. The platform keeps its own, separate session.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update

from avhopp.platform.idp.models import IdpBrowserSession
from avhopp.platform.sealing import digest

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=8)
_MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True, slots=True)
class BrowserSession:
    """A live session; `created_at` is when the person authenticated."""

    id: str
    account_id: UUID
    created_at: datetime


async def start_session(session: AsyncSession, account_id: UUID, now: datetime) -> str:
    """Open a session for a complete sign-in; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    await session.execute(
        insert(IdpBrowserSession).values(id=digest(token), account_id=account_id, created_at=now, last_seen_at=now)
    )
    return token


async def current_session(session: AsyncSession, token: str | None, now: datetime) -> BrowserSession | None:
    """The live session for a cookie's token, marked as used now; None when missing, ended or timed out."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    row = (
        await session.execute(
            select(IdpBrowserSession.id, IdpBrowserSession.account_id, IdpBrowserSession.created_at).where(
                IdpBrowserSession.id == digest(token),
                IdpBrowserSession.ended_at.is_(None),
                IdpBrowserSession.last_seen_at > now - IDLE_TIMEOUT,
                IdpBrowserSession.created_at > now - ABSOLUTE_TIMEOUT,
            )
        )
    ).one_or_none()
    if row is None:
        return None
    await session.execute(update(IdpBrowserSession).where(IdpBrowserSession.id == row.id).values(last_seen_at=now))
    return BrowserSession(id=row.id, account_id=row.account_id, created_at=row.created_at)


async def end_session(session: AsyncSession, session_id: str, now: datetime) -> None:
    """End one session."""
    await session.execute(
        update(IdpBrowserSession)
        .where(IdpBrowserSession.id == session_id, IdpBrowserSession.ended_at.is_(None))
        .values(ended_at=now)
    )
