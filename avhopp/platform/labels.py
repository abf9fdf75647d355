"""One registry of labels: every code a person may read is registered once, with its Swedish label.

Modules register their vocabularies when imported (`register_labels`); pages, exports, the review
diff and statistics all ask `label` (or `labels_of` for a whole vocabulary). The English UI
translates the Swedish label through the Babel catalogue, as it does all other text.
Keys are the vocabulary and the value, since two vocabularies may share a value ("none", "unknown").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from enum import StrEnum

_LABELS: dict[tuple[type[StrEnum], str], str] = {}


def register_labels(labels: Iterable[tuple[StrEnum, str]]) -> None:
    """Register Swedish labels; registering one code twice with another text is a programming error."""
    for member, text in labels:
        key = (type(member), member.value)
        if _LABELS.setdefault(key, text) != text:
            raise ValueError(f"{type(member).__name__}.{member.name} has two labels")


def label(value: StrEnum) -> str:
    """The Swedish label of a code."""
    return _LABELS[type(value), value.value]


def labels_of(values: type[StrEnum]) -> dict[str, str]:
    """A whole vocabulary as value -> label, for templates."""
    return {member.value: label(member) for member in values}
