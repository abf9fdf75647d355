"""The declarative base every module's tables derive from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from collections.abc import Iterable
    from enum import StrEnum

# Stable constraint names, so migrations and models compare equal and can be dropped by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of all tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def one_of(column: str, values: Iterable[StrEnum]) -> str:
    """A CHECK expression: `column` holds one of the vocabulary's values."""
    return f"{column} IN ({', '.join(repr(member.value) for member in values)})"


def all_of(column: str, values: Iterable[StrEnum]) -> str:
    """A CHECK expression: every element of the text array `column` is one of the vocabulary's values."""
    return f"{column} <@ ARRAY[{', '.join(repr(member.value) for member in values)}]::text[]"
