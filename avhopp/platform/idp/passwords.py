"""Passwords: argon2id hashes, temporary passwords, and the rules for a new password.

Hashing is slow on purpose (argon2-cffi's defaults, RFC 9106's second recommended profile:
64 MiB, three passes), so callers run it in a worker thread with `run_hashing`, which also
caps how many hashes run at once: each takes 64 MiB, and a burst of sign-ins must not
exhaust memory.
"""

from __future__ import annotations

import secrets
from contextlib import suppress
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING, TypeVar

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

if TYPE_CHECKING:
    from collections.abc import Callable

MIN_LENGTH = 12
MAX_LENGTH = 256
"""Longer input is refused before hashing; argon2 would take it, but nobody types more."""

_hasher = PasswordHasher()
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    """The result of checking a password; `new_hash` is set when the stored hash should be replaced."""

    ok: bool
    new_hash: str | None = None


def hash_password(password: str) -> str:
    """An argon2id hash in PHC format."""
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> PasswordCheck:
    """Compare `password` with the stored hash; ask for a rehash when the parameters have changed."""
    if len(password) > MAX_LENGTH:
        _burn(password[:MAX_LENGTH])
        return PasswordCheck(ok=False)
    try:
        _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return PasswordCheck(ok=False)
    if _hasher.check_needs_rehash(password_hash):
        return PasswordCheck(ok=True, new_hash=_hasher.hash(password))
    return PasswordCheck(ok=True)


def check_unknown_user(password: str) -> PasswordCheck:
    """Spend the same time as a real check, so that the response time does not reveal unknown usernames."""
    _burn(password[:MAX_LENGTH])
    return PasswordCheck(ok=False)


def _burn(password: str) -> None:
    with suppress(VerificationError):
        _hasher.verify(_dummy_hash(), password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(32))


@dataclass(frozen=True, slots=True)
class TemporaryPassword:
    """A temporary password with its hash, made ahead when hashing can overlap other work."""

    text: str
    hashed: str


def new_temporary_password() -> TemporaryPassword:
    """A temporary password, hashed (a fraction of a second of argon2)."""
    text = temporary_password()
    return TemporaryPassword(text, hash_password(text))


def temporary_password() -> str:
    """A random password to hand over once (about 120 bits, in groups that are easy to type)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    groups = ("".join(secrets.choice(alphabet) for _ in range(6)) for _ in range(4))
    return "-".join(groups)


def new_password_problem(password: str, repeated: str, username: str) -> str | None:
    """What is wrong with a chosen password, as a Swedish message id; None when it is fine."""
    if not password:
        return "Skriv ett nytt lösenord."
    if len(password) < MIN_LENGTH:
        return "Lösenordet behöver vara minst 12 tecken långt."
    if len(password) > MAX_LENGTH:
        return "Lösenordet får vara högst 256 tecken långt."
    if password.strip().lower() == username.lower():
        return "Lösenordet får inte vara samma som användarnamnet."
    if password != repeated:
        return "Lösenorden är inte likadana. Skriv samma lösenord i båda fälten."
    return None


_hashing_slots = anyio.CapacityLimiter(4)


async def run_hashing(function: Callable[..., _T], *args: object) -> _T:
    """Run a hashing function in a worker thread, at most four at a time per process."""
    return await anyio.to_thread.run_sync(partial(function, *args), limiter=_hashing_slots)
