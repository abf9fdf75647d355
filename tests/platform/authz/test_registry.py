from __future__ import annotations

from pathlib import Path

import pytest

from avhopp.authorization import complete_registry
from avhopp.platform.authz.registry import (
    REGISTRY,
    Registry,
    RegistryError,
    RoleNotGrantableError,
    parse_permission,
    permission,
    render_roles_table,
)
from avhopp.platform.web.i18n import translations
from avhopp.tenants.registry.demo import DEMO_PEOPLE
from avhopp.tenants.registry.models import TenantKind
from avhopp.tenants.registry.provisioning import demo_tenants, geographic_tenants
from avhopp.tenants.registry.roles import Role

README = Path(__file__).parents[3] / "README.md"


def test_the_registry_defines_exactly_the_tenant_roles_each_with_permissions_and_kinds() -> None:
    roles = complete_registry()

    assert {role.name for role in roles} == {role.value for role in Role}
    assert all(role.permissions for role in roles)
    assert all(role.tenant_kinds <= {kind.value for kind in TenantKind} for role in roles)


def test_the_english_catalogue_names_each_role_as_the_registry_does() -> None:
    english = translations("en")

    assert {role.name: english.gettext(role.swedish) for role in complete_registry()} == {
        role.name: role.english for role in complete_registry()
    }


def test_the_readme_shows_the_registry_s_roles_table() -> None:
    assert render_roles_table(complete_registry()) in README.read_text(encoding="utf-8")


def test_permission_strings_round_trip() -> None:
    assert permission("tenant", "administer") == "tenant:administer"
    assert parse_permission("line_statistics:read") == ("line_statistics", "read")
    for granted in (p for role in complete_registry() for p in role.permissions):
        assert parse_permission(granted.key) == (granted.obj, granted.act)


@pytest.mark.parametrize(
    "value", ["public", "signed_in", "role:auditor", "*:read", "case:*", "case:", ":read", "case:read:x", "case:delete"]
)
def test_anything_else_is_not_a_permission(value: str) -> None:
    assert parse_permission(value) is None


@pytest.mark.parametrize(("obj", "act"), [("*", "read"), ("case", "*"), ("case", "delete"), ("role", "auditor")])
def test_permission_refuses_anything_not_declared(obj: str, act: str) -> None:
    with pytest.raises(ValueError, match="not a permission"):
        permission(obj, act)


@pytest.mark.parametrize(
    ("roles", "kind"),
    [
        (["directory_reviewer"], "municipality"),
        (["case_officer", "national_analyst"], "municipality"),
        (["line_operator"], "operation"),
        (["line_supervisor"], "national_coordinator"),
        (["network_coordinator"], "municipality"),
        (["platform_admin"], "municipality"),
        (["case_officer"], "guidance_line"),
        (["superuser"], "municipality"),
    ],
)
def test_a_role_is_refused_outside_its_kinds_of_tenant(roles: list[str], kind: str) -> None:
    with pytest.raises(RoleNotGrantableError):
        REGISTRY.check_grantable(roles, kind)


def test_the_demo_people_hold_only_roles_their_tenants_may_grant() -> None:
    kinds = {spec.slug: spec.kind for spec in [*geographic_tenants(), *demo_tenants()]}
    for person in DEMO_PEOPLE:
        for slug, roles in person.memberships:
            REGISTRY.check_grantable(roles, kinds[slug])


def test_contributions_that_contradict_each_other_are_refused() -> None:
    registry = Registry()
    read = registry.permission("case", "read", "Läsa")
    registry.role("reader", swedish="Läsare", english="Reader", tenant_kinds={"municipality"}, permissions=[read])

    with pytest.raises(RegistryError, match="declared twice"):
        registry.permission("case", "read", "Något annat")
    with pytest.raises(RegistryError, match="defined twice"):
        registry.role("reader", swedish="L", english="R", tenant_kinds={"municipality"}, permissions=[read])
    with pytest.raises(RegistryError, match="granted nowhere"):
        registry.role("nowhere", swedish="I", english="N", tenant_kinds=set(), permissions=[read])
    with pytest.raises(RegistryError, match="not declared"):
        registry.grant("reader", "case:delete")
    registry.grant("writer", read)
    with pytest.raises(RegistryError, match="undefined roles: writer"):
        registry.roles()
