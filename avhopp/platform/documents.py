"""What kind of document an upload is, recognised by its first bytes, never by its name or declared type.

An allow-list: PDF, PNG and JPEG. Shared by every part that stores uploaded documents (a case's
signed consent, a county network's documents), so that each refuses the same files the same way.
"""

from __future__ import annotations

DOCUMENT_TYPES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
"""The allowed types, by their first bytes."""


def document_type(content: bytes) -> str | None:
    """The content's type if it is one the allow-list names, else None."""
    return next((kind for magic, kind in DOCUMENT_TYPES.items() if content.startswith(magic)), None)
