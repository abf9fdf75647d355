"""Where a person may be sent back to after a login or a language switch."""

from __future__ import annotations


def safe_return_path(candidate: str | None) -> str:
    """A local path to return to; anything else (another site, a scheme) becomes the start page."""
    if candidate and candidate.startswith("/") and not candidate.startswith(("//", "/\\")):
        return candidate
    return "/"
