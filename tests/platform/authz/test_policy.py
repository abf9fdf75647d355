"""The loader's checks, on sources given directly (the database cannot hold most of these)."""

from __future__ import annotations

import uuid

import casbin  # type: ignore[import-untyped]
import pytest

from avhopp.platform.authz.enforcer import _Snapshot
from avhopp.platform.authz.policy import PolicyLoadError, RoleGrant, RoleHolding, build_policy

TENANT_A = str(uuid.uuid4())
TENANT_B = str(uuid.uuid4())
GRANTS = [RoleGrant("case_officer", "case", "read"), RoleGrant("auditor", "audit", "read")]


def holding(domain: str, *roles: str, subject: str = "user:1") -> RoleHolding:
    return RoleHolding(subject, domain, roles)


@pytest.mark.parametrize(
    "domain",
    ["*", "", "kommun-0180", TENANT_A.upper(), "{" + TENANT_A + "}"],
    # Named, not by value: the random tenant id in a test's name differs between the suite's processes.
    ids=["star", "empty", "slug", "upper-case", "braced"],
)
def test_a_domain_that_is_not_a_canonical_tenant_id_is_refused(domain: str) -> None:
    with pytest.raises(PolicyLoadError):
        build_policy(1, [TENANT_A], [holding(domain, "case_officer")], GRANTS)


def test_a_domain_of_no_existing_tenant_is_refused() -> None:
    with pytest.raises(PolicyLoadError, match="no tenant"):
        build_policy(1, [TENANT_A], [holding(TENANT_B, "case_officer")], GRANTS)


@pytest.mark.parametrize(
    ("holdings", "grants"),
    [
        ([holding(TENANT_A, "case_officer", subject="*")], GRANTS),
        ([holding(TENANT_A, "*")], GRANTS),
        ([holding(TENANT_A, "case_officer")], [RoleGrant("case_officer", "*", "read")]),
        ([holding(TENANT_A, "case_officer")], [RoleGrant("case_officer", "case", "")]),
    ],
)
def test_wildcards_and_empty_values_are_refused(holdings: list[RoleHolding], grants: list[RoleGrant]) -> None:
    with pytest.raises(PolicyLoadError, match="wildcard"):
        build_policy(1, [TENANT_A], holdings, grants)


def test_permissions_are_expanded_only_where_a_role_is_held() -> None:
    policy = build_policy(
        7, [TENANT_A, TENANT_B], [holding(TENANT_A, "case_officer"), holding(TENANT_B, "auditor")], GRANTS
    )
    assert policy.version == 7
    assert policy.g == (("user:1", "auditor", TENANT_B), ("user:1", "case_officer", TENANT_A))
    assert policy.p == (("auditor", TENANT_B, "audit", "read"), ("case_officer", TENANT_A, "case", "read"))


def test_unknown_roles_and_inactive_tenants_grant_nothing_and_are_counted() -> None:
    policy = build_policy(
        1,
        [TENANT_A, TENANT_B],
        [holding(TENANT_A, "case_officer", "superuser"), holding(TENANT_B, "auditor")],
        [*GRANTS, RoleGrant("superuser", "case", "delete")],
        active_tenants=[TENANT_A],
    )
    assert policy.g == (("user:1", "case_officer", TENANT_A),)
    assert policy.p == (("case_officer", TENANT_A, "case", "read"),)
    assert policy.ignored == {"unknown_role": 1, "inactive_tenant": 1, "unknown_role_permission": 1}


def test_a_snapshot_parses_its_matcher_once_and_a_new_policy_still_decides_anew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[str] = []
    original = casbin.core_enforcer.SimpleEval

    def counting(expr: str, functions: object = None) -> object:
        parsed.append(expr)
        return original(expr, functions)

    monkeypatch.setattr(casbin.core_enforcer, "SimpleEval", counting)
    granted = _Snapshot(build_policy(1, [TENANT_A], [holding(TENANT_A, "case_officer")], GRANTS))
    decisions = [
        granted.decide(subject, TENANT_A, obj, act)
        for subject in ("user:1", "user:2")
        for obj, act in (("case", "read"), ("audit", "read"), ("case", "write"))
    ]
    assert decisions == [True, False, False, False, False, False]
    assert len(parsed) == 1

    revoked = _Snapshot(build_policy(2, [TENANT_A], [holding(TENANT_A, "auditor")], GRANTS))
    assert not revoked.decide("user:1", TENANT_A, "case", "read")
    assert revoked.decide("user:1", TENANT_A, "audit", "read")
    assert len(parsed) == 2
