from __future__ import annotations

import pytest

from avhopp.platform.authz.roles_matrix import ROLE_MATRIX, parse_permission, permission, render_roles_table
from avhopp.tenants.roles import ROLE_NAMES, Role


def test_the_matrix_covers_exactly_the_tenant_roles() -> None:
    assert set(ROLE_MATRIX) == {role.value for role in Role}
    assert all(ROLE_MATRIX.values())


def test_permission_strings_round_trip() -> None:
    assert permission("tenant", "administer") == "tenant:administer"
    assert parse_permission("line_statistics:read") == ("line_statistics", "read")
    for granted in (p for permissions in ROLE_MATRIX.values() for p in permissions):
        assert parse_permission(granted.key) == (granted.obj, granted.act)


@pytest.mark.parametrize(
    "value", ["public", "signed_in", "role:auditor", "*:read", "case:*", "case:", ":read", "case:read:x", "case:delete"]
)
def test_anything_else_is_not_a_permission(value: str) -> None:
    assert parse_permission(value) is None


@pytest.mark.parametrize(("obj", "act"), [("*", "read"), ("case", "*"), ("case", "delete"), ("role", "auditor")])
def test_permission_refuses_anything_no_role_has(obj: str, act: str) -> None:
    with pytest.raises(ValueError, match="not a permission"):
        permission(obj, act)


def test_the_readme_table_names_every_role_and_permission() -> None:
    table = render_roles_table({role.value: name for role, name in ROLE_NAMES.items()})
    for role, permissions in ROLE_MATRIX.items():
        assert f"| `{role}` | {ROLE_NAMES[Role(role)]} |" in table
        for granted in permissions:
            assert f"`{granted.key}` | {granted.description} |" in table
