"""The policy, read from PostgreSQL and checked before Casbin sees it.

Design: the grants are not stored as Casbin rows. Who holds which role where is `membership`
(people) and `idp_client` (machine clients, scoped to one tenant); what a role may do is the
platform-wide template `authz_role_permission`. The loader expands the template into `p` rows
only for the (tenant, role) pairs somebody holds, so every `p` and every `g` row names one real
tenant and the canonical matcher's `r.dom == p.dom` applies unchanged. No row ever carries a
wildcard or placeholder domain: the loader refuses any domain that is not the id of an existing
tenant, and any value containing "*".

Reading memberships of every tenant is the one cross-tenant read of the authorization layer: a
decision for tenant B must not depend on which tenant the process last served. The loader sets
`app.authz_loader = 'on'` for its own read-only transaction, and migration 0006 adds a SELECT-only
policy on `membership` for that flag (the way the job relay reads the outbox). Nothing else sets
it; writes still need the tenant policy.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import text

from avhopp.platform.authz.model import MODEL_TEXT
from avhopp.platform.authz.registry import REGISTRY

if TYPE_CHECKING:
    from collections.abc import Iterable
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncEngine

_log = structlog.get_logger("avhopp.authz")

LOADER_SETTING = "app.authz_loader"
USER_PREFIX = "user:"
CLIENT_PREFIX = "client:"


class PolicyLoadError(RuntimeError):
    """The policy in the database cannot be enforced as it stands; nothing is allowed."""


@dataclass(frozen=True, slots=True)
class RoleHolding:
    """`subject` holds `roles` in tenant `domain` (as read; not yet checked)."""

    subject: str
    domain: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """`role` may do `act` on `obj` wherever it is held."""

    role: str
    obj: str
    act: str


@dataclass(frozen=True, slots=True)
class Policy:
    """Casbin rows built from one consistent snapshot of the database."""

    version: int
    p: tuple[tuple[str, str, str, str], ...]
    g: tuple[tuple[str, str, str], ...]
    ignored: dict[str, int] = field(default_factory=dict)
    """Reason → how many role holdings were left out (unknown role, inactive tenant or user)."""


def user_subject(user_id: UUID) -> str:
    """The Casbin subject of a person."""
    return f"{USER_PREFIX}{user_id}"


def client_subject(client_id: str) -> str:
    """The Casbin subject of a machine client."""
    return f"{CLIENT_PREFIX}{client_id}"


def build_policy(
    version: int,
    tenants: Iterable[str],
    holdings: Iterable[RoleHolding],
    grants: Iterable[RoleGrant],
    *,
    active_tenants: Iterable[str] | None = None,
) -> Policy:
    """Check the sources and expand them into Casbin rows.

    Args:
        version: the policy version the sources were read at.
        tenants: ids of every existing tenant; any other domain is refused.
        holdings: role holdings; unknown roles and inactive tenants are left out and counted.
        grants: the role → permission template.
        active_tenants: tenants whose roles count; None means all of `tenants`.

    Raises:
        PolicyLoadError: a domain is not a tenant's id, or a value is empty or contains "*".

    """
    known_roles = REGISTRY.role_names()
    existing = {_domain(value) for value in tenants}
    active = existing if active_tenants is None else {_domain(value) for value in active_tenants}
    ignored: Counter[str] = Counter()
    g: set[tuple[str, str, str]] = set()
    for holding in holdings:
        domain = _domain(holding.domain)
        if domain not in existing:
            raise PolicyLoadError("a role is held in a domain that is no tenant")
        _plain(holding.subject, *holding.roles)
        for role in holding.roles:
            if role not in known_roles:
                ignored["unknown_role"] += 1
            elif domain not in active:
                ignored["inactive_tenant"] += 1
            else:
                g.add((holding.subject, role, domain))
    by_role: dict[str, list[RoleGrant]] = {}
    for grant in grants:
        _plain(grant.role, grant.obj, grant.act)
        if grant.role not in known_roles:
            ignored["unknown_role_permission"] += 1
            continue
        by_role.setdefault(grant.role, []).append(grant)
    held = {(role, domain) for _, role, domain in g}
    p = {(role, domain, grant.obj, grant.act) for role, domain in held for grant in by_role.get(role, ())}
    return Policy(version=version, p=tuple(sorted(p)), g=tuple(sorted(g)), ignored=dict(ignored))


def _domain(value: str) -> str:
    try:
        parsed = uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        raise PolicyLoadError("a domain is not a tenant id (UUID)") from None
    if str(parsed) != value:
        # Only the canonical form: two spellings of one tenant would be two Casbin domains.
        raise PolicyLoadError("a domain is not a tenant id in canonical form")
    return value


def _plain(*values: str) -> None:
    for value in values:
        if not value or "*" in value:
            raise PolicyLoadError("an empty or wildcard value in the policy")


_VERSION = text("SELECT version FROM authz_policy_version WHERE id = 1")
_MODEL = text("SELECT model FROM authz_model WHERE id = 1")
_TENANTS = text("SELECT id::text AS id, active FROM tenant")
_GRANTS = text("SELECT role, obj, act FROM authz_role_permission")
_MEMBERSHIPS = text(
    "SELECT m.user_id, m.tenant_id::text AS tenant_id, m.roles FROM membership m"
    " JOIN app_user u ON u.id = m.user_id WHERE u.active"
)
_CLIENTS = text(
    "SELECT client_id, scope_tenant_id::text AS tenant_id, roles FROM idp_client"
    " WHERE scope_tenant_id IS NOT NULL AND 'client_credentials' = ANY (grant_types)"
)
_LOADER_ON = text(f"SELECT set_config('{LOADER_SETTING}', 'on', true)")


async def read_version(engine: AsyncEngine) -> int:
    """The policy version in the database (one indexed single-row read)."""
    async with engine.connect() as connection:
        version = (await connection.execute(_VERSION)).scalar_one()
    return int(version)


async def load_policy(engine: AsyncEngine) -> Policy:
    """Read every source in one read-only snapshot and build the policy.

    Raises:
        PolicyLoadError: the sources cannot be enforced (see `build_policy`), or the model
            stored in the database is not the one this code enforces.

    """
    async with engine.connect() as base:
        connection = await base.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        async with connection.begin():
            await connection.execute(_LOADER_ON)
            version = int((await connection.execute(_VERSION)).scalar_one())
            if (await connection.execute(_MODEL)).scalar_one_or_none() != MODEL_TEXT:
                raise PolicyLoadError("the model in authz_model is not the model this code enforces")
            tenant_rows = (await connection.execute(_TENANTS)).all()
            grants = [RoleGrant(row.role, row.obj, row.act) for row in await connection.execute(_GRANTS)]
            holdings = [
                RoleHolding(user_subject(row.user_id), row.tenant_id, tuple(row.roles))
                for row in await connection.execute(_MEMBERSHIPS)
            ]
            holdings += [
                RoleHolding(client_subject(row.client_id), row.tenant_id, tuple(row.roles))
                for row in await connection.execute(_CLIENTS)
            ]
    policy = build_policy(
        version,
        [row.id for row in tenant_rows],
        holdings,
        grants,
        active_tenants=[row.id for row in tenant_rows if row.active],
    )
    for reason, count in policy.ignored.items():
        _log.warning("authz.grants_ignored", reason=reason, count=count, version=version)
    return policy
