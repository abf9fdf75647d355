"""Accounts as signing in sees them: look-up, failed attempts and lockout, TOTP and password changes.

The runtime role reads no password hash or TOTP secret with the account: `password_hash_of` and
`open_totp_secret` open them through `idp_account_secrets`, which opens one account's per
transaction, and new ones are stored through functions as well (migration 0045).

Lockout: five failed passwords or codes in a row lock the account for 15 minutes. Usernames
without an account are counted the same way, in memory, so that "temporarily locked" does
not tell an attacker which usernames exist (see `UnknownUsernameLockout` for the limits).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text, update

from avhopp.platform.idp.models import TOTP_PURPOSE, IdpAccount
from avhopp.platform.sealing import digest, seal, unseal

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncSession

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MAX_USERNAME_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Account:
    """An account row, as read inside the transaction that acts on it."""

    id: UUID
    username: str
    display_name: str
    email: str | None
    has_authenticator: bool
    totp_last_step: int | None
    failed_attempts: int
    locked_until: datetime | None
    password_reset_required: bool
    active: bool

    def locked(self, now: datetime) -> bool:
        """True while a lockout lasts."""
        return self.locked_until is not None and self.locked_until > now


def normalise_username(raw: str) -> str:
    """Usernames compare without case and surrounding spaces."""
    return raw.strip().lower()


def seal_totp_secret(secret_key: str, account_id: UUID, secret: str) -> bytes:
    """The TOTP secret encrypted for this account only."""
    return seal(secret_key, TOTP_PURPOSE, secret.encode(), account_id.bytes)


async def open_totp_secret(session: AsyncSession, secret_key: str, account_id: UUID) -> str | None:
    """The account's TOTP secret, or None when none is enrolled."""
    sealed = (await _secrets(session, account_id)).totp_secret_encrypted
    if sealed is None:
        return None
    return unseal(secret_key, TOTP_PURPOSE, sealed, account_id.bytes).decode()


async def password_hash_of(session: AsyncSession, account_id: UUID) -> str:
    """The account's password hash, to verify a password typed for it."""
    found: str = (await _secrets(session, account_id)).password_hash
    return found


async def _secrets(session: AsyncSession, account_id: UUID) -> Row[Any]:
    # Refused for a second account in the same transaction; an active account read for update is there.
    return (await session.execute(text("SELECT * FROM idp_account_secrets(:account)"), {"account": account_id})).one()


async def find_account(
    session: AsyncSession, *, username: str | None = None, account_id: UUID | None = None, for_update: bool = False
) -> Account | None:
    """The account by username or by id; `for_update` locks the row until the transaction ends."""
    query = select(*(getattr(IdpAccount, field.name) for field in fields(Account)))
    if username is not None:
        if len(username) > MAX_USERNAME_LENGTH:
            return None
        query = query.where(IdpAccount.username == username)
    elif account_id is not None:
        query = query.where(IdpAccount.id == account_id)
    else:
        raise ValueError("username or account_id")
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).mappings().one_or_none()
    return Account(**row) if row is not None else None


async def record_failure(session: AsyncSession, account: Account, now: datetime) -> bool:
    """Count one failed password or code; the fifth in a row locks the account. True when it locked."""
    attempts = account.failed_attempts + 1
    if attempts >= MAX_FAILED_ATTEMPTS:
        await _update(session, account.id, failed_attempts=0, locked_until=now + LOCKOUT)
        return True
    await _update(session, account.id, failed_attempts=attempts)
    return False


async def record_sign_in(session: AsyncSession, account_id: UUID, totp_step: int) -> None:
    """A complete sign-in (password and code): clear the failures and remember the code's step."""
    await _update(session, account_id, failed_attempts=0, locked_until=None, totp_last_step=totp_step)


async def store_rehash(session: AsyncSession, account_id: UUID, password_hash: str) -> None:
    """Replace the hash of the same password with one made with the current parameters."""
    await session.execute(
        text("SELECT idp_store_rehash(:account, :hash)"), {"account": account_id, "hash": password_hash}
    )


async def store_new_password(session: AsyncSession, account_id: UUID, password_hash: str) -> None:
    """The password the person chose (in place of a temporary one, or through a reset link)."""
    await session.execute(
        text("SELECT idp_store_own_password(:account, :hash)"), {"account": account_id, "hash": password_hash}
    )


async def enrol_totp(session: AsyncSession, account_id: UUID, sealed_secret: bytes, totp_step: int) -> bool:
    """Store the first TOTP secret, confirmed by a code for `totp_step`; False if one was enrolled meanwhile."""
    return await _store_authenticator(session, account_id, sealed_secret, totp_step, first=True)


async def replace_totp(session: AsyncSession, account_id: UUID, sealed_secret: bytes, totp_step: int) -> None:
    """Store a new TOTP secret in place of the one before (a reset link), confirmed by a code for `totp_step`."""
    await _store_authenticator(session, account_id, sealed_secret, totp_step, first=False)


async def _store_authenticator(
    session: AsyncSession, account_id: UUID, sealed_secret: bytes, totp_step: int, *, first: bool
) -> bool:
    stored: bool = await session.scalar(
        text("SELECT idp_store_authenticator(:account, :sealed, :step, :first)"),
        {"account": account_id, "sealed": sealed_secret, "step": totp_step, "first": first},
    )
    return stored


async def _update(session: AsyncSession, account_id: UUID, **values: object) -> None:
    await session.execute(update(IdpAccount).where(IdpAccount.id == account_id).values(**values))


@dataclass(slots=True)
class _Failures:
    count: int
    locked_until: datetime | None


class UnknownUsernameLockout:
    """Failed attempts for usernames without an account, kept in this process only (no rows are created).

    Unknown usernames then lock after five attempts just as real ones do. With several web
    processes behind a balancer that spreads requests, an unknown username may take more
    than five attempts to lock; the per-address rate limit bounds that probing. Usernames are
    kept as SHA-256 digests, and only the most recent `max_entries`.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: OrderedDict[str, _Failures] = OrderedDict()
        self._max_entries = max_entries

    def locked(self, username: str, now: datetime) -> bool:
        """True while this unknown username is locked."""
        entry = self._entries.get(digest(username))
        return entry is not None and entry.locked_until is not None and entry.locked_until > now

    def record_failure(self, username: str, now: datetime) -> bool:
        """Count one failure; True when this one locked the username."""
        key = digest(username)
        entry = self._entries.pop(key, None) or _Failures(count=0, locked_until=None)
        entry.count += 1
        locked = entry.count >= MAX_FAILED_ATTEMPTS
        if locked:
            entry.count, entry.locked_until = 0, now + LOCKOUT
        self._entries[key] = entry
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return locked
