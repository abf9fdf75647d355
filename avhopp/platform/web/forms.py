"""What every module's HTML forms share: choices for selects and lists, a form as it was sent."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from avhopp.platform.geography.reference import shipped_geography

if TYPE_CHECKING:
    from litestar.datastructures import FormMultiDict


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a select, radio group or checkbox list."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class ChoiceGroup:
    """Options under a heading (an optgroup)."""

    label: str
    choices: tuple[Choice, ...]


def form_values(form: FormMultiDict) -> dict[str, list[str]]:
    """A submitted form as name -> values, to fill the form in again."""
    return {name: [str(value) for value in form.getall(name)] for name in form}


@cache
def municipality_groups() -> tuple[ChoiceGroup, ...]:
    """Municipalities grouped by county, both by name."""
    geography = shipped_geography()
    return tuple(
        ChoiceGroup(
            county.name,
            tuple(
                Choice(m.code, m.name)
                for m in sorted(geography.municipalities, key=lambda m: m.name)
                if m.county_code == county.code
            ),
        )
        for county in sorted(geography.counties, key=lambda c: c.name)
    )


@cache
def county_choices() -> tuple[Choice, ...]:
    """Counties by name."""
    return tuple(Choice(c.code, c.name) for c in sorted(shipped_geography().counties, key=lambda c: c.name))


@cache
def police_region_choices() -> tuple[Choice, ...]:
    """Police regions by name."""
    regions = shipped_geography().police_regions
    return tuple(Choice(code, f"Polisregion {name}") for code, name in sorted(regions.items(), key=lambda i: i[1]))
