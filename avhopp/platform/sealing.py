"""Secrets at rest and in cookies: AES-GCM under keys derived from the platform's secret key.

Each purpose gets its own key (HKDF-SHA256 with the purpose as `info`), and each sealed value
is bound to its context (for example the account id) as associated data, so a value copied to
another row or another cookie does not open. Changing AVHOPP_SECRET_KEY makes sealed values
unreadable: people then enrol their authenticator app again and the signing keys are replaced.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"
_NONCE_BYTES = 12
# The module's first home; the salt stays, or every value sealed so far would no longer open.
_SALT = b"avhopp.platform.idp"


class SealError(ValueError):
    """A sealed value was tampered with, belongs elsewhere, or was sealed under another secret key."""


@cache
def derived_key(secret_key: str, purpose: str) -> bytes:
    """A 256-bit key for one purpose, derived from the platform's secret key."""
    return HKDF(algorithm=SHA256(), length=32, salt=_SALT, info=purpose.encode()).derive(secret_key.encode())


def seal(secret_key: str, purpose: str, plaintext: bytes, context: bytes = b"") -> bytes:
    """Encrypt and authenticate `plaintext` for `purpose`, bound to `context`."""
    nonce = os.urandom(_NONCE_BYTES)
    return _VERSION + nonce + AESGCM(derived_key(secret_key, purpose)).encrypt(nonce, plaintext, context)


def unseal(secret_key: str, purpose: str, sealed: bytes, context: bytes = b"") -> bytes:
    """The plaintext of a value from `seal` with the same purpose and context; SealError otherwise."""
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
