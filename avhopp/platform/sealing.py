"""Secrets at rest and in cookies: AES-GCM under keys derived from the platform's secret key.

Each purpose gets its own key (HKDF-SHA256 with the purpose as `info`), and each sealed value
is bound to its context (for example the account id) as associated data, so a value copied to
another row or another cookie does not open.

A new AVHOPP_SECRET_KEY is taken into use with the old one as AVHOPP_PREVIOUS_SECRET_KEY: values
still sealed under the old key keep opening (`accept_previous_key`) while `avhopp keys rekey`
seals every stored value again under the new key (`avhopp.platform.rekey`); then the old key is
retired. A column that holds sealed values says so with `sealed_column(purpose, context)`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

if TYPE_CHECKING:
    from collections.abc import Mapping

_VERSION = b"\x01"
_NONCE_BYTES = 12
_TAG_BYTES = 16
SEALING_OVERHEAD = len(_VERSION) + _NONCE_BYTES + _TAG_BYTES
"""How many bytes a sealed value is longer than what it seals (AES-GCM's tag included)."""
# The module's first home; the salt stays, or every value sealed so far would no longer open.
_SALT = b"avhopp.platform.idp"


class SealError(ValueError):
    """A sealed value was tampered with, belongs elsewhere, or was sealed under another secret key."""


@dataclass(frozen=True, slots=True)
class SealedColumn:
    """How a column's values are sealed: the purpose, and the column of the row that is the context."""

    purpose: str
    context: str | None
    """A UUID column (its 16 bytes) or a text column (UTF-8); None for no context."""


_SEALED = "avhopp.sealed"
# Secret keys being retired, by the key that replaces them (set from the settings at start).
_previous_keys: dict[str, str] = {}


def sealed_column(purpose: str, context: str | None) -> dict[str, SealedColumn]:
    """The `info` of a mapped column that holds values sealed for `purpose`, bound to the row's `context` column."""
    return {_SEALED: SealedColumn(purpose, context)}


def sealed_info(info: Mapping[str, object]) -> SealedColumn | None:
    """How the column with this `info` is sealed; None for a column that is not."""
    found = info.get(_SEALED)
    return found if isinstance(found, SealedColumn) else None


def accept_previous_key(secret_key: str, previous: str) -> None:
    """From now on, a value that does not open under `secret_key` is tried under `previous`."""
    _previous_keys[secret_key] = previous


@cache
def derived_key(secret_key: str, purpose: str) -> bytes:
    """A 256-bit key for one purpose, derived from the platform's secret key."""
    return HKDF(algorithm=SHA256(), length=32, salt=_SALT, info=purpose.encode()).derive(secret_key.encode())


def seal(secret_key: str, purpose: str, plaintext: bytes, context: bytes = b"") -> bytes:
    """Encrypt and authenticate `plaintext` for `purpose`, bound to `context`."""
    nonce = os.urandom(_NONCE_BYTES)
    return _VERSION + nonce + AESGCM(derived_key(secret_key, purpose)).encrypt(nonce, plaintext, context)


def unseal(secret_key: str, purpose: str, sealed: bytes, context: bytes = b"") -> bytes:
    """The plaintext of a value from `seal` with the same purpose and context; SealError otherwise.

    A value still under the key that `secret_key` replaces opens too, until it is re-keyed.
    """
    try:
        return unseal_with(secret_key, purpose, sealed, context)
    except SealError:
        previous = _previous_keys.get(secret_key)
        if previous is None:
            raise
        return unseal_with(previous, purpose, sealed, context)


def unseal_with(secret_key: str, purpose: str, sealed: bytes, context: bytes = b"") -> bytes:
    """As `unseal`, under exactly this key."""
    if len(sealed) <= len(_VERSION) + _NONCE_BYTES or not sealed.startswith(_VERSION):
        raise SealError("unknown format")
    nonce = sealed[len(_VERSION) : len(_VERSION) + _NONCE_BYTES]
    try:
        return AESGCM(derived_key(secret_key, purpose)).decrypt(nonce, sealed[len(_VERSION) + _NONCE_BYTES :], context)
    except InvalidTag:
        raise SealError("does not open") from None


def derived_secret(secret_key: str, purpose: str) -> str:
    """A stable secret for `purpose` (hex HMAC-SHA256), so that it needs no storage of its own."""
    return hmac.new(derived_key(secret_key, purpose), b"avhopp", hashlib.sha256).hexdigest()


def digest(value: str) -> str:
    """Hex SHA-256, for looking up random tokens (codes, session tokens, client secrets) by hash."""
    return hashlib.sha256(value.encode()).hexdigest()
