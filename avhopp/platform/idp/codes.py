"""Authorization codes: stored by digest, spent once, atomically.

Spending is a single `UPDATE ... WHERE used_at IS NULL`, so of two exchanges of the same code
racing each other exactly one wins; the loser gets `invalid_grant` and its tokens are dropped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update

from avhopp.platform.idp.models import IdpAuthorizationCode
from avhopp.platform.sealing import digest

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

MAX_CODE_LENGTH = 128


@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    """An issued code, without the code itself."""

    code_hash: str
    client_id: str
    account_id: UUID
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str
    code_challenge_method: str
    auth_time: datetime
    expires_at: datetime
    used_at: datetime | None = None


async def find_code(session: AsyncSession, code: str) -> AuthorizationCode | None:
    """The stored code for a presented one, spent or not."""
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    row = (
        (await session.execute(select(IdpAuthorizationCode).where(IdpAuthorizationCode.code_hash == digest(code))))
        .scalars()
        .one_or_none()
    )
    if row is None:
        return None
    return AuthorizationCode(
        code_hash=row.code_hash,
        client_id=row.client_id,
        account_id=row.account_id,
        redirect_uri=row.redirect_uri,
        scope=row.scope,
        nonce=row.nonce,
        code_challenge=row.code_challenge,
        code_challenge_method=row.code_challenge_method,
        auth_time=row.auth_time,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )


async def save_code(session: AsyncSession, code: AuthorizationCode) -> None:
    """Store a newly issued code."""
    await session.execute(insert(IdpAuthorizationCode).values(**asdict(code)))


async def spend_code(session: AsyncSession, code_hash: str, now: datetime) -> bool:
    """Mark the code used; False when it was already used or has expired."""
    result = await session.execute(
        update(IdpAuthorizationCode)
        .where(
            IdpAuthorizationCode.code_hash == code_hash,
            IdpAuthorizationCode.used_at.is_(None),
            IdpAuthorizationCode.expires_at > now,
        )
        .values(used_at=now)
        .returning(IdpAuthorizationCode.code_hash)
    )
    return result.one_or_none() is not None


async def nonce_used(session: AsyncSession, client_id: str, nonce: str) -> bool:
    """True when a code was already issued to this client for this nonce (a replayed request)."""
    found = await session.execute(
        select(IdpAuthorizationCode.code_hash)
        .where(IdpAuthorizationCode.client_id == client_id, IdpAuthorizationCode.nonce == nonce)
        .limit(1)
    )
    return found.one_or_none() is not None
