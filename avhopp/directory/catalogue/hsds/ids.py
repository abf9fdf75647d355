"""Stable identifiers for HSDS objects that have no identity of their own in our entries.

HSDS gives every object a UUID, but our entries have none for a taxonomy term, a catchment area,
a language or an attribute. Name-based UUIDs (version 5) derived from what the object is give the
same id on every export, so consumers can follow an object from one export to the next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, UUID, uuid5

if TYPE_CHECKING:
    from collections.abc import Iterable

NAMESPACE = uuid5(NAMESPACE_URL, "urn:avhopp:hsds")
"""The namespace of every derived id; changing it changes every exported id."""


def derived_id(kind: str, *parts: object) -> UUID:
    """The stable id of the `kind` object (e.g. "service_area") that `parts` identify."""
    return uuid5(NAMESPACE, "/".join((kind, *(str(part) for part in parts))))


def numbered(keys: Iterable[str]) -> list[str]:
    """`keys` with a repeat number added to the second and later occurrence of a key.

    Entries may repeat a value (the same area twice); the repeats still need distinct ids.
    """
    seen: dict[str, int] = {}
    result: list[str] = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        result.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return result
