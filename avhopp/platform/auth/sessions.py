"""Server-side web sessions and the logins under way, stored by the hash of their cookie token.

A session ends at logout, after the idle and the absolute time-outs of the settings, and at once,
with every other session of the person, when what vouched for it changes: a password or
authenticator reset or a deactivation at the provider (`avhopp.platform.idp.admin`), a role
taken away or a membership removed (`end_sessions_of`, called by tenant administration).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, select, update

from avhopp.platform.auth.models import LoginAttempt, WebSession
from avhopp.platform.database import act_as, act_for_tenant, context_of, publishing_read, read_publishing_then

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.auth.oidc import LoginRequest, VerifiedIdentity
    from avhopp.platform.database import FollowingRead
    from avhopp.platform.scope.principal import Principal

SESSION_COOKIE = "avhopp_session"
LOGIN_COOKIE = "avhopp_login"
LOGIN_TIMEOUT = timedelta(minutes=10)
# Writing last_seen_at on every request would make every page view a write.
_TOUCH_INTERVAL = timedelta(minutes=1)


def token_hash(token: str) -> str:
    """The stored form of a cookie token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """A login's state, nonce and PKCE verifier, taken back when the provider returns."""

    state: str
    nonce: str
    code_verifier: str
    return_to: str


async def remember_login(session: AsyncSession, token: str, login: LoginRequest, return_to: str) -> None:
    """Keep what the callback needs to verify the provider's answer; forget logins that were never finished."""
    await session.execute(delete(LoginAttempt).where(LoginAttempt.expires_at < datetime.now(UTC)))
    session.add(
        LoginAttempt(
            token_hash=token_hash(token),
            state=login.state,
            nonce=login.nonce,
            code_verifier=login.code_verifier,
            return_to=return_to,
            expires_at=datetime.now(UTC) + LOGIN_TIMEOUT,
        )
    )


async def take_login(session: AsyncSession, token: str) -> PendingLogin | None:
    """The pending login for this browser, removed so that it can be used once only."""
    row = (
        await session.execute(
            delete(LoginAttempt).where(LoginAttempt.token_hash == token_hash(token)).returning(LoginAttempt)
        )
    ).scalar_one_or_none()
    if row is None or row.expires_at < datetime.now(UTC):
        return None
    return PendingLogin(row.state, row.nonce, row.code_verifier, row.return_to)


async def start_session(  # noqa: PLR0913 - the session's whole origin
    session: AsyncSession,
    token: str,
    identity: VerifiedIdentity,
    user_id: UUID,
    acting_tenant_id: UUID | None,
    *,
    lifetime: timedelta,
) -> None:
    """A new session under a new token, so no token from before the login survives it; it ends after `lifetime`."""
    session.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user_id,
            issuer=identity.issuer,
            subject=identity.subject,
            id_token=identity.id_token,
            acting_tenant_id=acting_tenant_id,
            expires_at=datetime.now(UTC) + lifetime,
        )
    )


@dataclass(frozen=True, slots=True)
class LiveSession:
    """Who a live web session's person is, and the tenant they act for."""

    user_id: UUID
    acting_tenant_id: UUID | None


_SESSION_BY_TOKEN = publishing_read(
    select(
        WebSession.user_id,
        WebSession.acting_tenant_id,
        WebSession.ended_at,
        WebSession.expires_at,
        WebSession.last_seen_at,
    ).where(WebSession.token_hash == bindparam("token_hash", type_=WebSession.token_hash.type)),
    tenant_id=WebSession.acting_tenant_id,
    user_id=WebSession.user_id,
)


async def active_session(
    session: AsyncSession, token: str, idle: timedelta, then: FollowingRead
) -> tuple[LiveSession, Sequence[Row[Any]]] | None:
    """The live session for this token (not ended, used within `idle`, before its absolute end) and `then`'s rows.

    Read in the statement that makes the rest of the transaction act as the session's person for
    its tenant, with `then` (the person's principal) behind it in the same message, so as them; a
    session found no longer live gives that back at once, and `then`'s rows with it.
    """
    now = datetime.now(UTC)
    before = context_of(session)
    hashed = token_hash(token)
    row, following = await read_publishing_then(session, _SESSION_BY_TOKEN, {"token_hash": hashed}, then)
    if row is None:
        return None
    if row.ended_at is not None or row.expires_at <= now or row.last_seen_at + idle <= now:
        await act_as(session, before)
        return None
    if now - row.last_seen_at > _TOUCH_INTERVAL:
        await session.execute(update(WebSession).where(WebSession.token_hash == hashed).values(last_seen_at=now))
    return LiveSession(user_id=row.user_id, acting_tenant_id=row.acting_tenant_id), following


async def act_for(session: AsyncSession, token: str, principal: Principal, tenant_id: UUID) -> bool:
    """Act for another tenant the person belongs to, from now on; False (and no change) for any other.

    The rest of the transaction acts for the new tenant, so that what is recorded about the
    switch belongs to that tenant's trail.
    """
    if principal.person_id is None or tenant_id not in {choice.id for choice in principal.tenants}:
        return False
    await act_for_tenant(session, tenant_id)
    await session.execute(
        update(WebSession).where(WebSession.token_hash == token_hash(token)).values(acting_tenant_id=tenant_id)
    )
    return True


async def end_session(session: AsyncSession, token: str) -> str | None:
    """End the session now and return its ID token for the provider's logout; the row stays."""
    live = (WebSession.token_hash == token_hash(token), WebSession.ended_at.is_(None))
    id_token = (await session.execute(select(WebSession.id_token).where(*live))).scalar_one_or_none()
    await session.execute(update(WebSession).where(*live).values(ended_at=datetime.now(UTC), id_token=None))
    return id_token


async def end_sessions_of(session: AsyncSession, user_id: UUID) -> None:
    """End every live session of the person now, in every browser; the rows stay."""
    await session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=datetime.now(UTC), id_token=None)
    )
