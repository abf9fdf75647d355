"""TOTP second factor (RFC 6238): 6 digits, 30-second steps, one step of clock drift either way.

A code is accepted once: the caller stores the step it matched and refuses that step and
earlier ones afterwards, so a code seen over someone's shoulder cannot be used again.
"""

from __future__ import annotations

import hmac
import re

import pyotp
import segno

ISSUER_NAME = "Avhopp"
STEP_SECONDS = 30
_DRIFT_STEPS = 1
_CODE = re.compile(r"^[0-9]{6}$")


def new_secret() -> str:
    """A random 160-bit secret in base32, as authenticator apps expect."""
    return pyotp.random_base32()


def normalise_code(raw: str) -> str:
    """The code as typed, without the spaces some apps show in the middle."""
    return "".join(raw.split())


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step that `code` belongs to (within the allowed drift), or None."""
    code = normalise_code(code)
    if not _CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = totp.timecode(now)
    for step in range(current - _DRIFT_STEPS, current + _DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=username, issuer_name=ISSUER_NAME)


def qr_code_svg(uri: str, title: str) -> str:
    """The QR code as inline SVG: no script and no style attribute, so it passes a strict CSP."""
    code = segno.make(uri, error="m")
    return str(code.svg_inline(scale=4, border=4, dark="#000", light="#fff", title=title, svgclass="app-qr-code"))


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
