"""The suite's named people, one per kind of user the platform serves, and signing them in.

Each is a real platform user with real memberships, created once per test session; `sign_in`
gives a test a browser-like client with a real server session for one of them, started by the
app's test sign-in (avhopp.platform.auth.sign_in_for_tests) instead of the OIDC + TOTP round trip.
The full login keeps its own tests (tests/platform/auth, tests/e2e).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from avhopp.platform.auth.sign_in_for_tests import TEST_SIGN_IN_PATH
from avhopp.tenants.registry.models import Tenant
from avhopp.tenants.registry.people import AppUser, Membership
from avhopp.tenants.registry.roles import Role

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy import Connection

_NAMESPACE = uuid.UUID("0b7e3c52-5d0e-4f7e-9a0c-7a3f62d1c0de")


@dataclass(frozen=True, slots=True)
class NamedPerson:
    """A test person: who they are, and their roles in each tenant (by slug), first tenant first."""

    key: str
    display_name: str
    memberships: tuple[tuple[str, frozenset[Role]], ...] = ()

    @property
    def user_id(self) -> uuid.UUID:
        """Derived from the key, so a test can name the person's id without asking the database."""
        return uuid.uuid5(_NAMESPACE, self.key)

    @property
    def anonymous(self) -> bool:
        """A visitor who never signs in."""
        return not self.memberships

    @property
    def tenant(self) -> str:
        """The tenant the person acts for after signing in."""
        return self.memberships[0][0]


def person_in(tenant: str, *roles: Role, key: str | None = None) -> NamedPerson:
    """A person for one test's unusual combination of tenant and roles (the table names the usual ones)."""
    name = key or f"{tenant}-{'-'.join(sorted(roles))}"
    return NamedPerson(name, f"Testperson {name}", ((tenant, frozenset(roles)),))


def _one(tenant: str, *roles: Role) -> tuple[tuple[str, frozenset[Role]], ...]:
    return ((tenant, frozenset(roles)),)


GOTEBORG, MALMO, LINE, NATIONAL, KC = "kommun-1480", "kommun-1280", "stodlinjen", "bra", "kc-goteborg"

GOTEBORG_SOCIALSEKRETERARE = NamedPerson(
    "goteborg-socialsekreterare", "Gunilla Göteborg (test)", _one(GOTEBORG, Role.CASE_OFFICER)
)
MALMO_SOCIALSEKRETERARE = NamedPerson("malmo-socialsekreterare", "Mats Malmö (test)", _one(MALMO, Role.CASE_OFFICER))
GOTEBORG_ERSATTARE = NamedPerson("goteborg-ersattare", "Erik Ersättare (test)", _one(GOTEBORG, Role.CASE_OFFICER))
GOTEBORG_ENHETSCHEF = NamedPerson("goteborg-enhetschef", "Ella Enhetschef (test)", _one(GOTEBORG, Role.CASE_UNIT_HEAD))
KC_HANDLAGGARE = NamedPerson("kc-handlaggare", "Kim Verksamhet (test)", _one(KC, Role.CASE_OFFICER))
GOTEBORG_ADMIN = NamedPerson("goteborg-admin", "Gösta Administratör (test)", _one(GOTEBORG, Role.TENANT_ADMIN))
GOTEBORG_GRANSKARE = NamedPerson("goteborg-granskare", "Greta Granskare (test)", _one(GOTEBORG, Role.AUDITOR))
LINE_OPERATOR = NamedPerson("line-operator", "Omar Vägledare (test)", _one(LINE, Role.LINE_OPERATOR))
LINE_SUPERVISOR = NamedPerson("line-supervisor", "Eva Arbetsledare (test)", _one(LINE, Role.LINE_SUPERVISOR))
VASTRA_GOTALAND_SAMORDNARE = NamedPerson(
    "vastra-gotaland-samordnare", "Karin Samordnare (test)", _one("lansstyrelsen-14", Role.NETWORK_COORDINATOR)
)
POLIS_KONTAKT = NamedPerson("polis-kontakt", "Johan Polis (test)", _one("polisen-bergslagen", Role.SECURITY_OFFICER))
NATIONELL_SAMORDNARE = NamedPerson(
    "nationell-samordnare",
    "Lina Nationell (test)",
    _one(NATIONAL, Role.DIRECTORY_REVIEWER, Role.NATIONAL_ANALYST),
)
MALMO_PLACERING = NamedPerson("malmo-placering", "Petra Placering (test)", _one(MALMO, Role.PLACEMENT_COORDINATOR))
KONSULTATION_PLACERING = NamedPerson(
    "konsultation-placering",
    "Viktor Verksamhetsboende (test)",
    _one("konsultationsteamet-malmo", Role.PLACEMENT_COORDINATOR),
)
NATIONELL_PLACERING = NamedPerson(
    "nationell-placering", "Nora Nationell placering (test)", _one(NATIONAL, Role.PLACEMENT_NATIONAL)
)
PLATTFORMSADMIN = NamedPerson("plattformsadmin", "Maria Plattform (test)", _one(NATIONAL, Role.PLATFORM_ADMIN))
KC_REDAKTOR = NamedPerson("kc-redaktor", "Sara Redaktör (test)", _one(KC, Role.DIRECTORY_EDITOR))
ANONYM = NamedPerson("anonym", "Anonym besökare")

PEOPLE = (
    GOTEBORG_SOCIALSEKRETERARE,
    MALMO_SOCIALSEKRETERARE,
    GOTEBORG_ERSATTARE,
    GOTEBORG_ENHETSCHEF,
    KC_HANDLAGGARE,
    GOTEBORG_ADMIN,
    GOTEBORG_GRANSKARE,
    LINE_OPERATOR,
    LINE_SUPERVISOR,
    VASTRA_GOTALAND_SAMORDNARE,
    POLIS_KONTAKT,
    NATIONELL_SAMORDNARE,
    MALMO_PLACERING,
    KONSULTATION_PLACERING,
    NATIONELL_PLACERING,
    PLATTFORMSADMIN,
    KC_REDAKTOR,
    ANONYM,
)


@dataclass(frozen=True, slots=True)
class NamedClient:
    """A test machine client (an integration): made by the test that uses it, since its secret is shown once."""

    name: str
    tenant: str
    roles: tuple[Role, ...]


GOTEBORG_VERKSAMHETSSYSTEM = NamedClient("Verksamhetssystem Göteborg (test)", GOTEBORG, (Role.CASE_OFFICER,))
GOTEBORG_JOURNALKOPPLING = NamedClient("Journalkoppling Göteborg (test)", GOTEBORG, (Role.CASE_OFFICER,))
"""A second integration of the same tenant with the same role: on no team of the first's."""
GOTEBORG_LEDNINGSSTOD = NamedClient("Ledningsstöd Göteborg (test)", GOTEBORG, (Role.CASE_UNIT_HEAD,))
GOTEBORG_LOGGLASARE = NamedClient("Loggläsare Göteborg (test)", GOTEBORG, (Role.AUDITOR,))
MALMO_VERKSAMHETSSYSTEM = NamedClient("Verksamhetssystem Malmö (test)", MALMO, (Role.CASE_OFFICER,))


def create_people(connection: Connection, people: Iterable[NamedPerson]) -> None:
    """Make the people real: a user and a membership per tenant, as tenant administration would. Idempotent."""
    tenant_ids = {row.slug: row.id for row in connection.execute(select(Tenant.slug, Tenant.id))}
    for person in people:
        if person.anonymous:
            continue
        connection.execute(
            insert(AppUser)
            .values(id=person.user_id, display_name=person.display_name)
            .on_conflict_do_nothing(index_elements=["id"])
        )
        for slug, roles in person.memberships:
            # The owner is bound by the tenant's row-level security like everyone else.
            connection.execute(
                text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_ids[slug])}
            )
            connection.execute(
                insert(Membership)
                .values(tenant_id=tenant_ids[slug], user_id=person.user_id, roles=sorted(roles))
                .on_conflict_do_nothing(index_elements=["tenant_id", "user_id"])
            )


def sign_in_form(person: NamedPerson, tenant_id: uuid.UUID | None = None) -> tuple[str, dict[str, str]]:
    """The test sign-in's path and form for the person, acting for `tenant_id` (else their first tenant)."""
    form = {"user_id": str(person.user_id)}
    if tenant_id is not None:
        form["tenant_id"] = str(tenant_id)
    return TEST_SIGN_IN_PATH, form
