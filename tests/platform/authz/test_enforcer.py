"""Decisions against the real database, as the runtime role."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from avhopp.authorization import complete_registry
from avhopp.platform.authz import REGISTRY
from avhopp.platform.authz import enforcer as enforcer_module
from avhopp.platform.authz.enforcer import AuthzEnforcer, AuthzUnavailableError
from avhopp.platform.authz.model import MODEL_TEXT
from avhopp.platform.authz.policy import client_subject, load_policy, user_subject
from avhopp.platform.database import create_app_engine
from avhopp.platform.scope.principal import Principal
from tests.platform.authz.conftest import new_user, set_roles

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from tests.support.postgres import TestDatabase


@pytest.fixture
def enforcer(app_engine: AsyncEngine) -> AuthzEnforcer:
    # Every decision checks the version, so a change made here applies to the next one.
    return AuthzEnforcer(app_engine, check_interval=0)


def test_the_database_holds_the_matrix_and_the_model_in_force(owner_engine: Engine) -> None:
    with owner_engine.connect() as connection:
        rows = set(connection.execute(text("SELECT role, obj, act, description FROM authz_role_permission")).all())
        model = connection.execute(text("SELECT model FROM authz_model")).scalar_one()
    assert rows == {(role.name, p.obj, p.act, p.description) for role in complete_registry() for p in role.permissions}
    assert model == MODEL_TEXT


def test_no_wildcard_can_be_stored_as_a_permission(owner_engine: Engine) -> None:
    with pytest.raises(IntegrityError), owner_engine.begin() as connection:
        connection.execute(text("INSERT INTO authz_role_permission VALUES ('case_officer', '*', 'read', 'allt')"))


async def test_a_role_in_one_tenant_grants_nothing_in_another(
    enforcer: AuthzEnforcer, sessions: async_sessionmaker[AsyncSession], two_tenants: tuple[uuid.UUID, uuid.UUID]
) -> None:
    tenant_a, tenant_b = two_tenants
    person = user_subject(await new_user(sessions))
    await set_roles(sessions, tenant_a, uuid.UUID(person.removeprefix("user:")), ["case_officer"])

    assert await enforcer.enforce(person, tenant_a, "case", "read")
    assert not await enforcer.enforce(person, tenant_b, "case", "read")
    assert not await enforcer.enforce(person, tenant_a, "audit", "read")
    # A role name is never a subject of its own.
    assert not await enforcer.enforce("case_officer", tenant_a, "case", "read")


async def test_granting_and_revoking_a_role_through_the_membership_changes_the_decision(
    enforcer: AuthzEnforcer, sessions: async_sessionmaker[AsyncSession], two_tenants: tuple[uuid.UUID, uuid.UUID]
) -> None:
    tenant, _ = two_tenants
    user_id = await new_user(sessions)
    principal = Principal(user_id=user_id, display_name="", tenant_id=tenant, tenant_name="", roles=frozenset())

    assert not await enforcer.allows(principal, "tenant:administer")
    await set_roles(sessions, tenant, user_id, ["tenant_admin"])
    assert await enforcer.allows(principal, "tenant:administer")
    await set_roles(sessions, tenant, user_id, ["auditor"])
    assert not await enforcer.allows(principal, "tenant:administer")
    assert await enforcer.allows(principal, "audit:read")
    await set_roles(sessions, tenant, user_id, [])
    assert not await enforcer.allows(principal, "audit:read")


async def test_an_unknown_role_in_a_membership_is_ignored_and_reported(
    app_engine: AsyncEngine,
    enforcer: AuthzEnforcer,
    sessions: async_sessionmaker[AsyncSession],
    two_tenants: tuple[uuid.UUID, uuid.UUID],
) -> None:
    tenant, _ = two_tenants
    user_id = await new_user(sessions)
    await set_roles(sessions, tenant, user_id, ["auditor", "superuser"])

    policy = await load_policy(app_engine)
    assert policy.ignored.get("unknown_role", 0) >= 1
    assert all(role != "superuser" for _, role, _ in policy.g)
    assert await enforcer.enforce(user_subject(user_id), tenant, "audit", "read")
    assert not await enforcer.enforce(user_subject(user_id), tenant, "superuser", "read")


async def test_a_machine_client_gets_the_roles_of_its_tenant_scope(
    owner_engine: Engine, enforcer: AuthzEnforcer, two_tenants: tuple[uuid.UUID, uuid.UUID]
) -> None:
    tenant_a, tenant_b = two_tenants
    client_id = f"telefoni-{uuid.uuid4().hex[:8]}"
    with owner_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO idp_client (client_id, client_secret_hash, name, grant_types, scope_tenant_id, roles)"
                " VALUES (:c, :h, 'Telefoni', ARRAY['client_credentials'], :t, ARRAY['line_operator'])"
            ),
            {"c": client_id, "h": "0" * 64, "t": tenant_a},
        )
    principal = Principal(
        user_id=None, display_name="", tenant_id=tenant_a, tenant_name="", roles=frozenset(), client_id=client_id
    )

    assert await enforcer.allows(principal, "line_contact:write")
    assert not await enforcer.enforce(client_subject(client_id), tenant_b, "line_contact", "write")
    assert not await enforcer.allows(principal, "line_contact:review")


async def test_a_principal_acting_for_no_tenant_or_a_route_without_an_obj_act_permission_is_denied(
    enforcer: AuthzEnforcer, sessions: async_sessionmaker[AsyncSession], two_tenants: tuple[uuid.UUID, uuid.UUID]
) -> None:
    tenant, _ = two_tenants
    user_id = await new_user(sessions)
    await set_roles(sessions, tenant, user_id, ["auditor"])
    acting = Principal(user_id=user_id, display_name="", tenant_id=tenant, tenant_name="", roles=frozenset())
    not_acting = Principal(user_id=user_id, display_name="", tenant_id=None, tenant_name="", roles=frozenset())

    assert await enforcer.allows(acting, "audit:read")
    assert not await enforcer.allows(not_acting, "audit:read")
    assert not await enforcer.allows(acting, "role:auditor")
    assert not await enforcer.enforce(user_subject(user_id), tenant, "*", "read")


async def test_the_permissions_a_person_holds_are_the_enforcer_s_decisions_in_the_tenant_acted_for(
    enforcer: AuthzEnforcer, sessions: async_sessionmaker[AsyncSession], two_tenants: tuple[uuid.UUID, uuid.UUID]
) -> None:
    tenant_a, tenant_b = two_tenants
    user_id = await new_user(sessions)
    await set_roles(sessions, tenant_a, user_id, ["case_officer"])
    every = REGISTRY.permission_keys() | {"public", "role:case_officer", "case:*"}

    def acting_for(tenant: uuid.UUID) -> Principal:
        return Principal(user_id=user_id, display_name="", tenant_id=tenant, tenant_name="", roles=frozenset())

    assert await enforcer.permissions_of(acting_for(tenant_a), every) == {
        "case:read",
        "case:write",
        "directory:search",
        "placement:request",
        "referral:receive",
    }
    assert await enforcer.permissions_of(acting_for(tenant_b), every) == frozenset()


async def test_an_unreachable_database_denies_everything(database: TestDatabase) -> None:
    engine = create_app_engine(database.app_url.set(host="127.0.0.1", port=1, query={}), pool_size=1)
    try:
        enforcer = AuthzEnforcer(engine, check_interval=0)
        assert not await enforcer.enforce(user_subject(uuid.uuid4()), uuid.uuid4(), "case", "read")
        with pytest.raises(AuthzUnavailableError):
            await enforcer.refresh()
    finally:
        await engine.dispose()


async def test_losing_the_database_after_loading_denies_until_it_is_back(
    enforcer: AuthzEnforcer,
    sessions: async_sessionmaker[AsyncSession],
    two_tenants: tuple[uuid.UUID, uuid.UUID],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant, _ = two_tenants
    user_id = await new_user(sessions)
    await set_roles(sessions, tenant, user_id, ["auditor"])
    assert await enforcer.enforce(user_subject(user_id), tenant, "audit", "read")

    async def unreachable(_engine: AsyncEngine) -> int:
        raise OperationalError("SELECT version", {}, ConnectionRefusedError())

    with monkeypatch.context() as patch:
        patch.setattr(enforcer_module, "read_version", unreachable)
        assert not await enforcer.enforce(user_subject(user_id), tenant, "audit", "read")
    assert await enforcer.enforce(user_subject(user_id), tenant, "audit", "read")


async def test_a_model_in_the_database_other_than_the_enforced_one_denies_everything(
    owner_engine: Engine,
    enforcer: AuthzEnforcer,
    sessions: async_sessionmaker[AsyncSession],
    two_tenants: tuple[uuid.UUID, uuid.UUID],
) -> None:
    tenant, _ = two_tenants
    user_id = await new_user(sessions)
    await set_roles(sessions, tenant, user_id, ["auditor"])
    assert await enforcer.enforce(user_subject(user_id), tenant, "audit", "read")

    weakened = MODEL_TEXT.replace(" && r.dom == p.dom", "")
    with owner_engine.begin() as connection:
        connection.execute(text("UPDATE authz_model SET model = :m"), {"m": weakened})
    try:
        assert not await enforcer.enforce(user_subject(user_id), tenant, "audit", "read")
        with pytest.raises(AuthzUnavailableError):
            await enforcer.refresh()
    finally:
        with owner_engine.begin() as connection:
            connection.execute(text("UPDATE authz_model SET model = :m"), {"m": MODEL_TEXT})
    assert await enforcer.enforce(user_subject(user_id), tenant, "audit", "read")


async def test_every_change_bumps_the_version(
    owner_engine: Engine, sessions: async_sessionmaker[AsyncSession], two_tenants: tuple[uuid.UUID, uuid.UUID]
) -> None:
    def version() -> int:
        with owner_engine.connect() as connection:
            return int(connection.execute(text("SELECT version FROM authz_policy_version")).scalar_one())

    tenant, _ = two_tenants
    before = version()
    user_id = await new_user(sessions)
    assert version() == before
    await set_roles(sessions, tenant, user_id, ["auditor"])
    granted = version()
    assert granted > before
    # A login must not make every process reload.
    with owner_engine.begin() as connection:
        connection.execute(text("UPDATE app_user SET last_login_at = now() WHERE id = :u"), {"u": user_id})
    assert version() == granted
    with owner_engine.begin() as connection:
        connection.execute(text("UPDATE app_user SET active = false WHERE id = :u"), {"u": user_id})
    assert version() > granted


async def test_a_deactivated_person_loses_every_role(
    owner_engine: Engine,
    enforcer: AuthzEnforcer,
    sessions: async_sessionmaker[AsyncSession],
    two_tenants: tuple[uuid.UUID, uuid.UUID],
) -> None:
    tenant, _ = two_tenants
    user_id = await new_user(sessions)
    await set_roles(sessions, tenant, user_id, ["auditor"])
    assert await enforcer.enforce(user_subject(user_id), tenant, "audit", "read")
    with owner_engine.begin() as connection:
        connection.execute(text("UPDATE app_user SET active = false WHERE id = :u"), {"u": user_id})
    assert not await enforcer.enforce(user_subject(user_id), tenant, "audit", "read")
