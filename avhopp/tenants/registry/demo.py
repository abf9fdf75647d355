"""Demo people, one per main role, in the demo tenants: for trying the platform, never in production.

Their accounts live in the built-in identity provider; here they become platform users with
memberships. Their ids are derived from the username, so a new issuer URL (another port)
links the same person again instead of creating a second one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from avhopp.tenants.registry.models import Tenant
from avhopp.tenants.registry.people import AppUser, Membership, UserIdentity
from avhopp.tenants.registry.roles import Role

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection

_NAMESPACE = uuid.UUID("6f0c2a4e-6a59-4b8e-9a53-6d1f2a6f7c11")


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """A demo account and the tenants (by slug) it belongs to, with roles."""

    username: str
    display_name: str
    memberships: tuple[tuple[str, frozenset[Role]], ...]

    @property
    def user_id(self) -> uuid.UUID:
        """Stable across restarts and issuers."""
        return uuid.uuid5(_NAMESPACE, self.username)


DEMO_PEOPLE = (
    DemoPerson(
        "handlaggare",
        "Anna Lind (demo)",
        (
            ("kommun-1480", frozenset({Role.CASE_OFFICER, Role.PLACEMENT_COORDINATOR})),
            ("kc-goteborg", frozenset({Role.CASE_OFFICER})),
        ),
    ),
    DemoPerson("vagledare", "Omar Said (demo)", (("stodlinjen", frozenset({Role.LINE_OPERATOR})),)),
    DemoPerson("arbetsledare", "Eva Berg (demo)", (("stodlinjen", frozenset({Role.LINE_SUPERVISOR})),)),
    DemoPerson("samordnare", "Karin Ek (demo)", (("lansstyrelsen-14", frozenset({Role.NETWORK_COORDINATOR})),)),
    DemoPerson("polis", "Johan Nord (demo)", (("polisen-bergslagen", frozenset({Role.SECURITY_OFFICER})),)),
    DemoPerson("redaktor", "Sara Holm (demo)", (("kc-goteborg", frozenset({Role.DIRECTORY_EDITOR})),)),
    DemoPerson("granskare", "Lars Ahl (demo)", (("bra", frozenset({Role.AUDITOR})),)),
    DemoPerson("katalog", "Lina Vik (demo)", (("bra", frozenset({Role.DIRECTORY_REVIEWER, Role.NATIONAL_ANALYST})),)),
    DemoPerson(
        "admin",
        "Maria Falk (demo)",
        (("bra", frozenset({Role.PLATFORM_ADMIN, Role.NATIONAL_ADMIN, Role.TENANT_ADMIN})),),
    ),
)


def link_demo_people(connection: Connection, issuer: str, subjects: Mapping[str, str]) -> None:
    """Create the demo people and memberships, and link them to their accounts at `issuer`.

    Runs as the owner at start; idempotent.
    """
    tenant_ids = {row.slug: row.id for row in connection.execute(select(Tenant.slug, Tenant.id))}
    for person in DEMO_PEOPLE:
        connection.execute(
            insert(AppUser)
            .values(id=person.user_id, display_name=person.display_name)
            .on_conflict_do_nothing(index_elements=["id"])
        )
        connection.execute(
            insert(UserIdentity)
            .values(user_id=person.user_id, issuer=issuer, subject=subjects[person.username])
            .on_conflict_do_nothing(index_elements=["issuer", "subject"])
        )
        for slug, roles in person.memberships:
            # Memberships are tenant data: even the owner writes them inside the tenant's context.
            connection.execute(
                text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_ids[slug])}
            )
            connection.execute(
                insert(Membership)
                .values(tenant_id=tenant_ids[slug], user_id=person.user_id, roles=sorted(roles))
                .on_conflict_do_nothing(index_elements=["tenant_id", "user_id"])
            )
