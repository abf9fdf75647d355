"""How the catalogue's entries are stored: whole, as JSONB documents, decoded with msgspec."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import Text, cast

from avhopp.directory.catalogue.entry import OrganizationEntry, ServiceEntry

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy import Label
    from sqlalchemy.orm import InstrumentedAttribute

STALE_AFTER = timedelta(days=183)
"""Six months: an entry not confirmed for longer is flagged and its owner reminded."""

Entry = OrganizationEntry | ServiceEntry


def as_text(
    document: InstrumentedAttribute[dict[str, Any]] | InstrumentedAttribute[dict[str, Any] | None],
) -> Label[str]:
    """A JSONB document column as text: msgspec decodes that straight into an entry, faster than via dicts."""
    return cast(document, Text).label("document_text")


def to_document(entry: Entry) -> dict[str, Any]:
    """An entry as stored in JSONB."""
    return msgspec.to_builtins(entry)  # type: ignore[no-any-return]


def service_from_document(document: dict[str, Any] | str | bytes) -> ServiceEntry:
    """A stored service document back as an entry."""
    if isinstance(document, dict):
        return msgspec.convert(document, ServiceEntry)
    return msgspec.json.decode(document, type=ServiceEntry)


def organization_from_document(document: dict[str, Any] | str | bytes) -> OrganizationEntry:
    """A stored organisation document back as an entry."""
    if isinstance(document, dict):
        return msgspec.convert(document, OrganizationEntry)
    return msgspec.json.decode(document, type=OrganizationEntry)


def is_stale(entry: ServiceEntry, today: date) -> bool:
    """Whether an entry has not been confirmed for six months (or never)."""
    return entry.verified_on is None or entry.verified_on < today - STALE_AFTER
