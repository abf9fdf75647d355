"""Signing keys: creation and rotation (owner), signing and the published key set (runtime).

One key signs at a time (RSA 3072, RS256). Rotation makes a new key the signer and retires
the old one, which stays published until every token it signed has expired: the token
lifetime plus the clock leeway plus a minute for requests in flight. Keys past that are
pruned. Private keys are sealed with AES-GCM (see `avhopp.platform.sealing`), bound to
their kid; the runtime role reads only the active one's.

`KeyStore` serves resource servers and the JWKS: it caches the published public keys for a
minute and reloads them when a token names a kid it does not know, so a key that another
process has just rotated in is found without waiting; but at most once every ten seconds, so
that tokens with made-up kids cannot send every request to the database.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from joserfc.jwk import RSAKey
from sqlalchemy import delete, insert, or_, select, text, update

from avhopp.platform.idp.claims import CLOCK_LEEWAY, SIGNING_ALGORITHM, TOKEN_LIFETIME
from avhopp.platform.idp.models import SIGNING_KEY_PURPOSE, IdpSigningKey
from avhopp.platform.sealing import SealError, seal, unseal

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

KEY_BITS = 3072
RETIREMENT_GRACE = TOKEN_LIFETIME + CLOCK_LEEWAY + timedelta(minutes=1)
_ROTATION_LOCK = 0x1D9_5161  # pg_advisory_xact_lock key: one rotation at a time


class NoSigningKeyError(RuntimeError):
    """No active signing key: `ensure_identity_provider` has not run."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    """The active private key and its kid."""

    kid: str
    private: RSAKey


@dataclass(frozen=True, slots=True)
class Rotation:
    """What `rotate_signing_keys` did."""

    new_kid: str
    retired: tuple[str, ...]
    pruned: tuple[str, ...]


def create_signing_key(connection: Connection, secret_key: str) -> str:
    """Generate a key, store it as the active signer, and return its kid (its RFC 7638 thumbprint)."""
    key = RSAKey.generate_key(KEY_BITS, parameters={"alg": SIGNING_ALGORITHM, "use": "sig"}, auto_kid=True)
    kid = key.kid
    if kid is None:  # auto_kid sets it; the check keeps the type honest
        raise RuntimeError("key without kid")
    private = json.dumps(key.as_dict(private=True)).encode()
    connection.execute(
        insert(IdpSigningKey).values(
            kid=kid,
            private_jwk_encrypted=seal(secret_key, SIGNING_KEY_PURPOSE, private, kid.encode()),
            public_jwk=dict(key.as_dict(private=False)),
        )
    )
    return kid


class SecretKeyChangedError(RuntimeError):
    """The signing keys were sealed with another AVHOPP_SECRET_KEY; the message is safe to print."""

    def __init__(self) -> None:
        super().__init__(
            "AVHOPP_SECRET_KEY är inte densamma som när inloggningstjänstens nycklar skapades. Använd den"
            " tidigare nyckeln, eller ange den i AVHOPP_PREVIOUS_SECRET_KEY och kör `avhopp keys rekey`."
        )


def ensure_signing_key(connection: Connection, secret_key: str) -> str:
    """The active key's kid, creating the first key when there is none.

    Raises:
        SecretKeyChangedError: the active key cannot be opened with `secret_key`; found at start,
            rather than as a failing token endpoint later.

    """
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ROTATION_LOCK})
    row = connection.execute(
        select(IdpSigningKey.kid, IdpSigningKey.private_jwk_encrypted)
        .where(IdpSigningKey.retired_at.is_(None))
        .order_by(IdpSigningKey.created_at.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return create_signing_key(connection, secret_key)
    try:
        unseal(secret_key, SIGNING_KEY_PURPOSE, row.private_jwk_encrypted, row.kid.encode())
    except SealError:
        raise SecretKeyChangedError from None
    return str(row.kid)


def rotate_signing_keys(connection: Connection, secret_key: str, now: datetime | None = None) -> Rotation:
    """Make a new key the signer, retire the others (still published for a while), prune expired ones."""
    now = now or datetime.now(UTC)
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ROTATION_LOCK})
    new_kid = create_signing_key(connection, secret_key)
    retired = connection.execute(
        update(IdpSigningKey)
        .where(IdpSigningKey.retired_at.is_(None), IdpSigningKey.kid != new_kid)
        .values(retired_at=now, published_until=now + RETIREMENT_GRACE)
        .returning(IdpSigningKey.kid)
    ).scalars()
    retired_kids = tuple(retired)
    pruned = connection.execute(
        delete(IdpSigningKey).where(IdpSigningKey.published_until < now).returning(IdpSigningKey.kid)
    ).scalars()
    return Rotation(new_kid=new_kid, retired=retired_kids, pruned=tuple(pruned))


class Signer:
    """The active signing key, read per use so a rotation takes effect at once, decrypted once per kid."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], secret_key: str) -> None:
        self._sessions = sessions
        self._secret_key = secret_key
        self._current: SigningKey | None = None

    async def active_key(self) -> SigningKey:
        """The key to sign with now."""
        async with self._sessions() as session:
            # The runtime role reads no private key but the active one, through this function (migration 0045).
            row = (await session.execute(text("SELECT * FROM idp_active_signing_key()"))).one_or_none()
        if row is None:
            raise NoSigningKeyError
        if self._current is None or self._current.kid != row.kid:
            private = unseal(self._secret_key, SIGNING_KEY_PURPOSE, row.private_jwk_encrypted, row.kid.encode())
            self._current = SigningKey(kid=row.kid, private=RSAKey.import_key(json.loads(private)))
        return self._current


@dataclass(frozen=True, slots=True)
class _Published:
    key: RSAKey
    published_until: datetime | None


class KeyStore:
    """The issuer's published public keys, for verifying its tokens; cached per process.

    Use one per process and issuer: `KeyStore(app.state.sessions, issuer_for(settings))`.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        issuer: str,
        *,
        cache_seconds: float = 60.0,
        unknown_kid_seconds: float = 10.0,
    ) -> None:
        self.issuer = issuer
        self._sessions = sessions
        self._cache_seconds = cache_seconds
        self._unknown_kid_seconds = unknown_kid_seconds
        self._keys: dict[str, _Published] = {}
        self._loaded_at: float | None = None
        self._unknown_kid_reload_at: float | None = None
        self._reload = asyncio.Lock()

    async def verification_key(self, kid: str) -> RSAKey | None:
        """The published key with this kid; an unknown kid reloads the keys, at most once per interval."""
        if self._stale():
            await self._load()
        found = self._usable(kid)
        if found is None and kid not in self._keys and self._may_reload_for_unknown_kid():
            self._unknown_kid_reload_at = time.monotonic()
            await self._load()
            found = self._usable(kid)
        return found

    def _may_reload_for_unknown_kid(self) -> bool:
        last = self._unknown_kid_reload_at
        return last is None or time.monotonic() - last >= self._unknown_kid_seconds

    async def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public keys as a JSON Web Key Set, for /idp/jwks."""
        if self._stale():
            await self._load()
        now = datetime.now(UTC)
        return {
            "keys": [
                dict(published.key.as_dict(private=False))
                for published in self._keys.values()
                if published.published_until is None or published.published_until > now
            ]
        }

    def _stale(self) -> bool:
        return self._loaded_at is None or time.monotonic() - self._loaded_at > self._cache_seconds

    def _usable(self, kid: str) -> RSAKey | None:
        published = self._keys.get(kid)
        if published is None:
            return None
        if published.published_until is not None and published.published_until <= datetime.now(UTC):
            return None
        return published.key

    async def _load(self) -> None:
        # Concurrent requests with the same unknown kid share one query.
        loaded_before = self._loaded_at
        async with self._reload:
            if self._loaded_at != loaded_before:
                return
            async with self._sessions() as session:
                rows = (
                    await session.execute(
                        select(IdpSigningKey.kid, IdpSigningKey.public_jwk, IdpSigningKey.published_until).where(
                            or_(IdpSigningKey.published_until.is_(None), IdpSigningKey.published_until > text("now()"))
                        )
                    )
                ).all()
            self._keys = {
                row.kid: _Published(RSAKey.import_key(row.public_jwk), row.published_until)
                for row in rows
                if row.public_jwk.get("kty") == "RSA"
            }
            self._loaded_at = time.monotonic()
