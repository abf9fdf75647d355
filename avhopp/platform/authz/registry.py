"""The roles and permissions of the whole product, contributed by the modules that own them.

The platform names no domain: each module part declares its permissions and roles in its own
`permissions.py`, and the composition root imports every one of them before anything asks the
registry about roles. A permission is an (object, action) pair that routes name as "obj:act";
a role holds permissions, each with the Swedish description shown in the roles table, and may
be granted only in the tenant kinds it declares (plain strings here: the kinds are the tenant
module's). The registry is the single source of `authz_role_permission` (a test keeps the two
equal) and of the README's roles table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

_SEPARATOR = ":"


@dataclass(frozen=True, slots=True)
class Permission:
    """May do `act` on `obj`; `description` says what that allows, in Swedish."""

    obj: str
    act: str
    description: str

    @property
    def key(self) -> str:
        """The route form, "obj:act"."""
        return f"{self.obj}{_SEPARATOR}{self.act}"


@dataclass(frozen=True, slots=True)
class RoleDefinition:
    """A role: its names, where it may be granted, and everything it may do."""

    name: str
    swedish: str
    english: str
    tenant_kinds: frozenset[str]
    permissions: tuple[Permission, ...]


class RegistryError(RuntimeError):
    """Contributions that contradict each other, or a question asked of an incomplete registry."""


class RoleNotGrantableError(ValueError):
    """A role that does not exist, or that may not be granted in this kind of tenant.

    `message` is Swedish and safe to show; `code` is safe to log.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Registry:
    """Permissions and roles as the modules contribute them (at import of their `permissions.py`)."""

    def __init__(self) -> None:
        self._permissions: dict[tuple[str, str], Permission] = {}
        self._roles: dict[str, RoleDefinition] = {}
        self._grants: dict[str, list[Permission]] = {}

    def permission(self, obj: str, act: str, description: str) -> str:
        """Declare a permission (once, by the module that owns `obj`); returns its route form "obj:act"."""
        declared = self._permissions.setdefault((obj, act), Permission(obj, act, description))
        if declared.description != description:
            raise RegistryError(f"permission {obj}:{act} declared twice")
        return declared.key

    def described(self, key: str, description: str) -> Permission:
        """A declared permission in one role's own words (the roles table shows them)."""
        return replace(self._declared(key), description=description)

    def _declared(self, key: str) -> Permission:
        obj, _, act = key.partition(_SEPARATOR)
        declared = self._permissions.get((obj, act))
        if declared is None:
            raise RegistryError(f"permission {key} is not declared")
        return declared

    def role(
        self,
        name: str,
        *,
        swedish: str,
        english: str,
        tenant_kinds: Collection[str],
        permissions: Iterable[str | Permission],
    ) -> str:
        """Define a role (once, by the module it belongs to); returns its name."""
        if name in self._roles:
            raise RegistryError(f"role {name} defined twice")
        if not tenant_kinds:
            raise RegistryError(f"role {name} may be granted nowhere")
        self._roles[name] = RoleDefinition(name, swedish, english, frozenset(tenant_kinds), ())
        self.grant(name, *permissions)
        return name

    def grant(self, role: str, *permissions: str | Permission) -> None:
        """Give a role, defined here or by another module, more permissions (keys, or `described` ones)."""
        for granted in permissions:
            declared = self._declared(granted if isinstance(granted, str) else granted.key)
            self._grants.setdefault(role, []).append(granted if isinstance(granted, Permission) else declared)

    def is_permission(self, obj: str, act: str) -> bool:
        """Whether (obj, act) has been declared."""
        return (obj, act) in self._permissions

    def permission_keys(self) -> frozenset[str]:
        """Every declared permission, in route form."""
        return frozenset(declared.key for declared in self._permissions.values())

    def roles(self) -> tuple[RoleDefinition, ...]:
        """Every role with all its permissions, by name (import order must not change the README).

        Raises:
            RegistryError: a permission was granted to a role nobody defined (a module's
                `permissions.py` was not imported), or a role has no permission.

        """
        undefined = sorted(set(self._grants) - set(self._roles))
        if undefined:
            raise RegistryError(f"permissions granted to undefined roles: {', '.join(undefined)}")
        complete = tuple(
            replace(role, permissions=tuple(sorted(set(self._grants.get(name, ())), key=lambda p: p.key)))
            for name, role in sorted(self._roles.items())
        )
        empty = [role.name for role in complete if not role.permissions]
        if empty:
            raise RegistryError(f"roles without permissions: {', '.join(empty)}")
        return complete

    def role_names(self) -> frozenset[str]:
        """The names of every defined role."""
        return frozenset(self._roles)

    def definition(self, name: str) -> RoleDefinition | None:
        """One role, with its own names and kinds (its permissions: see `roles`)."""
        return self._roles.get(name)

    def grantable_in(self, tenant_kind: str) -> tuple[str, ...]:
        """The roles that may be granted in a tenant of this kind, by name."""
        return tuple(sorted(name for name, role in self._roles.items() if tenant_kind in role.tenant_kinds))

    def check_grantable(self, roles: Iterable[str], tenant_kind: str) -> None:
        """Refuse roles that do not exist or may not be granted in this kind of tenant.

        Raises:
            RoleNotGrantableError: with a Swedish message naming the first role refused.

        """
        for name in roles:
            role = self._roles.get(name)
            if role is None:
                raise RoleNotGrantableError("unknown_role", "Rollen finns inte.")
            if tenant_kind not in role.tenant_kinds:
                raise RoleNotGrantableError(
                    "role_not_for_tenant_kind",
                    f"Rollen {role.swedish} kan inte ges i den här sortens organisation.",
                )


REGISTRY = Registry()
"""The product's registry; the modules' `permissions.py` fill it, the composition root imports them."""


def permission(obj: str, act: str) -> str:
    """The permission a route declares in `opt={"permission": ...}`, e.g. "tenant:administer".

    Raises:
        ValueError: the permission is not declared (a typo would otherwise shut a route for everyone).

    """
    if not REGISTRY.is_permission(obj, act):
        raise ValueError(f"not a permission: {obj!r}, {act!r}")
    return f"{obj}{_SEPARATOR}{act}"


def parse_permission(value: str) -> tuple[str, str] | None:
    """(obj, act) of a declared permission; None for anything else ("public", "role:x", typos)."""
    obj, separator, act = value.partition(_SEPARATOR)
    if not separator or not REGISTRY.is_permission(obj, act):
        return None
    return obj, act


def render_roles_table(roles: Iterable[RoleDefinition]) -> str:
    """The README's roles table (Markdown): one row per role, where it may be granted, what it allows."""
    lines = ["| role | Swedish | granted in | permissions |", "|---|---|---|---|"]
    for role in roles:
        kinds = ", ".join(sorted(role.tenant_kinds))
        allowed = "<br>".join(f"`{granted.key}` {granted.description}" for granted in role.permissions)
        lines.append(f"| `{role.name}` | {role.swedish} | {kinds} | {allowed} |")
    return "\n".join(lines) + "\n"
