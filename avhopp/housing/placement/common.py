"""What the placement part's use cases share: who acts, checked text, sealing of addresses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from avhopp.housing.placement.models import PLACEMENT_ADDRESS, UNIT_ADDRESS
from avhopp.platform.problems import FieldProblem
from avhopp.platform.sealing import seal, unseal
from avhopp.platform.text_input import has_control_character

if TYPE_CHECKING:
    from uuid import UUID

__all__ = ["PLACEMENT_ADDRESS", "UNIT_ADDRESS"]

DESIGNATED_ROLES = ("placement_coordinator",)
"""The receiving side's designated staff: who sees addresses and decides on offers."""


@dataclass(frozen=True, slots=True)
class Actor:
    """A person acting for a tenant."""

    tenant_id: UUID
    user_id: UUID


def checked_text(field: str, value: str, limit: int, problems: list[FieldProblem], *, missing: str | None) -> str:
    """The value trimmed; a problem for control characters, excess length, or absence."""
    value = value.strip()
    if has_control_character(value, line_breaks=True):
        problems.append(FieldProblem(field, "Texten innehåller otillåtna tecken."))
    elif len(value) > limit:
        problems.append(FieldProblem(field, f"Skriv högst {limit} tecken."))
    elif not value and missing is not None:
        problems.append(FieldProblem(field, missing))
    return value


def sealed_address(secret_key: str, purpose: str, row_id: UUID, address: str) -> bytes:
    """The address sealed for one row: copied to another row, it does not open."""
    return seal(secret_key, purpose, address.encode(), row_id.bytes)


def opened_address(secret_key: str, purpose: str, row_id: UUID, sealed: bytes) -> str:
    """The address of one row."""
    return unseal(secret_key, purpose, sealed, row_id.bytes).decode()
