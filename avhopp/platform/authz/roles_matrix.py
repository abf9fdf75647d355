"""What each role may do: permissions as (object, action) pairs, with Swedish descriptions.

ROLE_MATRIX is the single source: migration 0006 seeds `authz_role_permission` from a frozen
copy of it, and the README's roles table is rendered from it. The role names are those of
`avhopp.tenants.registry.roles.Role` (spelled out here because `platform` imports no module above it;
a test keeps the two equal). Routes name a permission as "obj:act", e.g. "tenant:administer".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

_SEPARATOR = ":"


@dataclass(frozen=True, slots=True)
class Permission:
    """May do `act` on `obj`."""

    obj: str
    act: str
    description: str

    @property
    def key(self) -> str:
        """The route form, "obj:act"."""
        return permission(self.obj, self.act)


_DIRECTORY_SEARCH = Permission("directory", "search", "Söka i katalogen utifrån en persons situation och se skälen")

ROLE_MATRIX: dict[str, tuple[Permission, ...]] = {
    "platform_admin": (
        Permission("platform", "administer", "Skapa, ändra och avaktivera organisationer på plattformen"),
    ),
    "tenant_admin": (
        Permission("tenant", "administer", "Bjuda in användare och ge eller ta bort roller i den egna organisationen"),
    ),
    "case_officer": (
        _DIRECTORY_SEARCH,
        Permission("case", "read", "Läsa den egna organisationens ärenden"),
        Permission("case", "write", "Öppna, ändra och avsluta ärenden"),
        Permission("referral", "receive", "Ta emot remisser från stödlinjen: öppna, acceptera eller avböja"),
    ),
    "security_officer": (
        _DIRECTORY_SEARCH,
        Permission("threat_assessment", "read", "Läsa hot- och riskbedömningar"),
        Permission("threat_assessment", "write", "Skriva och uppdatera polisens hot- och riskbedömning"),
    ),
    "placement_coordinator": (
        _DIRECTORY_SEARCH,
        Permission("placement", "request", "Begära placering av en person i en annan kommun"),
        Permission("placement", "offer", "Erbjuda boende och ta emot placeringar i den egna kommunen"),
    ),
    "directory_editor": (
        _DIRECTORY_SEARCH,
        Permission("directory", "edit", "Redigera den egna organisationens uppgifter i den nationella katalogen"),
    ),
    "directory_reviewer": (
        _DIRECTORY_SEARCH,
        Permission(
            "directory", "review", "Granska och publicera ändringar i katalogen (bara hos den nationella samordnaren)"
        ),
    ),
    "line_operator": (
        _DIRECTORY_SEARCH,
        Permission("line_contact", "write", "Registrera samtal och kontakter på stödlinjen"),
    ),
    "line_supervisor": (
        _DIRECTORY_SEARCH,
        Permission("line_contact", "review", "Granska och följa upp vägledarnas kontakter"),
        Permission("line_statistics", "read", "Se stödlinjens statistik"),
    ),
    "network_coordinator": (
        _DIRECTORY_SEARCH,
        Permission("network", "administer", "Leda länsnätverket: medlemmar, möten och gemensamma underlag"),
        Permission("network", "participate", "Delta i länsnätverket och dela underlag"),
    ),
    "network_member": (
        _DIRECTORY_SEARCH,
        Permission("network", "participate", "Delta i länsnätverket och dela underlag"),
    ),
    "auditor": (Permission("audit", "read", "Läsa den egna organisationens granskningslogg"),),
    "national_analyst": (
        Permission("line_statistics", "read", "Se stödlinjens statistik, nationellt och med små tal dolda"),
    ),
}


_KNOWN = frozenset((granted.obj, granted.act) for permissions in ROLE_MATRIX.values() for granted in permissions)


def permission(obj: str, act: str) -> str:
    """The permission a route declares in `opt={"permission": ...}`, e.g. "tenant:administer".

    Raises:
        ValueError: no role has this permission (a typo would otherwise shut a route for everyone).

    """
    if (obj, act) not in _KNOWN:
        raise ValueError(f"not a permission: {obj!r}, {act!r}")
    return f"{obj}{_SEPARATOR}{act}"


def parse_permission(value: str) -> tuple[str, str] | None:
    """(obj, act) of a permission of ROLE_MATRIX; None for anything else ("public", "role:x", typos)."""
    obj, separator, act = value.partition(_SEPARATOR)
    if not separator or (obj, act) not in _KNOWN:
        return None
    return obj, act


def render_roles_table(role_names: Mapping[str, str], matrix: Mapping[str, Iterable[Permission]] = ROLE_MATRIX) -> str:
    """The README's roles table (Markdown): role, Swedish name, permissions and what they allow."""
    lines = ["| role | Swedish | permission | what it allows |", "|---|---|---|---|"]
    for role, permissions in matrix.items():
        # The role and its name on its first row only, so each role reads as one block.
        role_cell, name_cell = f"`{role}`", role_names.get(role, "")
        for granted in permissions:
            lines.append(f"| {role_cell} | {name_cell} | `{granted.key}` | {granted.description} |")
            role_cell = name_cell = ""
    return "\n".join(lines) + "\n"
