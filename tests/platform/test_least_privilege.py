"""What the runtime role may not do, even if an SQL injection let an attacker speak for it (migrations 0018, 0045).

Each test runs as the runtime role, the role the web app and the jobs use.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.idp.accounts import seal_totp_secret
from avhopp.platform.idp.admin import create_account
from avhopp.platform.idp.models import TOTP_PURPOSE
from avhopp.platform.sealing import unseal
from tests.platform.web.conftest import SECRET_KEY

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

INSUFFICIENT_PRIVILEGE, UNIQUE_VIOLATION, CHECK_VIOLATION = "42501", "23505", "23514"
GOTEBORG = "kommun-1480"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - a well-known example seed, sealed as a stand-in


def tenant_id(owner_engine: Engine, slug: str) -> uuid.UUID:
    with owner_engine.connect() as connection:
        found: uuid.UUID = connection.execute(text("SELECT id FROM tenant WHERE slug = :s"), {"s": slug}).scalar_one()
    return found


async def refused(sessions: async_sessionmaker[AsyncSession], context: RequestContext, statement: str) -> str:
    """The SQLSTATE with which the runtime role's statement is refused."""
    with pytest.raises(DBAPIError) as error:
        async with context_session(sessions, context) as session:
            await session.execute(text(statement))
    return str(error.value.orig.sqlstate)  # type: ignore[union-attr]


async def test_a_tenants_kind_cannot_be_changed(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    goteborg = tenant_id(owner_engine, GOTEBORG)
    statement = f"UPDATE tenant SET kind = 'national_coordinator' WHERE id = '{goteborg}'"

    assert await refused(sessions, RequestContext(tenant_id=goteborg), statement) == INSUFFICIENT_PRIVILEGE
    with owner_engine.connect() as connection:
        kind = connection.execute(text("SELECT kind FROM tenant WHERE id = :t"), {"t": goteborg}).scalar_one()
    assert kind == "municipality"


async def test_a_tenant_can_still_be_deactivated(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with context_session(sessions, RequestContext()) as session:
        changed = await session.execute(text("UPDATE tenant SET active = active WHERE slug = :s"), {"s": GOTEBORG})
    assert changed.rowcount == 1  # type: ignore[attr-defined]


async def test_a_login_identity_cannot_be_inserted(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    # What an attacker would do: link an issuer and subject they control to someone who exists.
    statement = (
        "INSERT INTO user_identity (user_id, issuer, subject)"
        " SELECT id, 'https://angripare.example', 'angriparen' FROM app_user LIMIT 1"
    )

    assert await refused(sessions, RequestContext(), statement) == INSUFFICIENT_PRIVILEGE
    with owner_engine.connect() as connection:
        linked = connection.execute(
            text("SELECT count(*) FROM user_identity WHERE issuer = 'https://angripare.example'")
        ).scalar_one()
    assert linked == 0


async def test_a_first_login_links_a_new_person_and_never_takes_over_an_identity(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    issuer, subject = "https://idp.example", f"sub-{uuid.uuid4().hex}"
    first_login = text("SELECT register_first_login(:issuer, :subject, 'Ny Person', NULL)")
    async with context_session(sessions, RequestContext()) as session:
        user_id = await session.scalar(first_login, {"issuer": issuer, "subject": subject})

    with pytest.raises(DBAPIError) as again:
        async with context_session(sessions, RequestContext()) as session:
            await session.scalar(first_login, {"issuer": issuer, "subject": subject})

    assert again.value.orig.sqlstate == UNIQUE_VIOLATION  # type: ignore[union-attr]
    with owner_engine.connect() as connection:
        owners = connection.execute(
            text("SELECT user_id FROM user_identity WHERE issuer = :i AND subject = :s"), {"i": issuer, "s": subject}
        ).scalars()
        assert list(owners) == [user_id]


async def test_audit_links_cannot_be_inserted_directly(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    goteborg = tenant_id(owner_engine, GOTEBORG)
    statement = (
        "INSERT INTO audit_event (chain, seq, tenant_id, occurred_at, action, prev_hash, hash)"
        f" VALUES ('{goteborg}', 999999, '{goteborg}', now(), 'login.succeeded', repeat('0', 64), repeat('0', 64))"
    )

    assert await refused(sessions, RequestContext(tenant_id=goteborg), statement) == INSUFFICIENT_PRIVILEGE


def built_in_account(owner_engine: Engine, *, active: bool = True) -> uuid.UUID:
    """An account of the built-in provider with a password and a TOTP secret sealed as the platform seals it.

    A real seal under the tests' key, because the account stays: the re-keying test opens every sealed value.
    """
    with owner_engine.begin() as connection:
        account_id, _ = create_account(connection, f"lp-{uuid.uuid4().hex[:10]}", "Konto", None)
        connection.execute(
            text("UPDATE idp_account SET totp_secret_encrypted = :sealed, active = :active WHERE id = :a"),
            {"a": account_id, "active": active, "sealed": seal_totp_secret(SECRET_KEY, account_id, TOTP_SECRET)},
        )
    return account_id


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT password_hash FROM idp_account",
        "SELECT totp_secret_encrypted FROM idp_account",
        "SELECT * FROM idp_account",
        "SELECT count(*) FROM idp_account WHERE password_hash LIKE '$argon2id$%'",
        "SELECT private_jwk_encrypted FROM idp_signing_key",
        "UPDATE idp_account SET password_hash = '$argon2id$angripare'",
        "UPDATE idp_account SET totp_secret_encrypted = 'angripare'",
        "UPDATE idp_account SET password_reset_required = false",
        "UPDATE idp_account SET failed_attempts = 0 RETURNING password_hash",
    ],
)
async def test_password_hashes_and_sealed_secrets_cannot_be_read_or_written(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine, statement: str
) -> None:
    built_in_account(owner_engine)

    assert await refused(sessions, RequestContext(), statement) == INSUFFICIENT_PRIVILEGE


async def test_what_signing_in_needs_of_an_account_is_still_readable(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    account_id = built_in_account(owner_engine)
    async with context_session(sessions, RequestContext()) as session:
        row = (
            await session.execute(
                text(
                    "SELECT username, has_authenticator, failed_attempts, password_reset_required, active"
                    " FROM idp_account WHERE id = :a FOR UPDATE"
                ),
                {"a": account_id},
            )
        ).one()
        secrets = (await session.execute(text("SELECT * FROM idp_account_secrets(:a)"), {"a": account_id})).one()
        again = (await session.execute(text("SELECT * FROM idp_account_secrets(:a)"), {"a": account_id})).one()

    assert row.has_authenticator
    assert row.password_reset_required, "a new account's password is temporary"
    assert secrets.password_hash.startswith("$argon2id$")
    assert secrets.totp_secret_encrypted == again.totp_secret_encrypted
    assert unseal(SECRET_KEY, TOTP_PURPOSE, secrets.totp_secret_encrypted, account_id.bytes).decode() == TOTP_SECRET


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT idp_account_secrets(id) FROM idp_account",
        "SELECT s.* FROM idp_account a, LATERAL idp_account_secrets(a.id) s",
        # Releasing every advisory lock it may release, between the two, does not help.
        (
            "SELECT idp_account_secrets(id), pg_advisory_unlock_all(),"
            " set_config('app.tenant_id', '', true) FROM idp_account"
        ),
    ],
)
async def test_the_secrets_function_cannot_enumerate_every_account(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine, statement: str
) -> None:
    built_in_account(owner_engine)
    built_in_account(owner_engine)

    assert await refused(sessions, RequestContext(), statement) == INSUFFICIENT_PRIVILEGE


async def test_a_second_accounts_secrets_are_refused_in_the_same_transaction_but_not_in_the_next(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    first, second = built_in_account(owner_engine), built_in_account(owner_engine)
    secrets = text("SELECT password_hash FROM idp_account_secrets(:a)")

    async def one_then_the_other() -> None:
        async with context_session(sessions, RequestContext()) as session:
            await session.execute(secrets, {"a": first})
            await session.execute(text("SELECT pg_advisory_unlock_all()"))
            await session.execute(secrets, {"a": second})

    with pytest.raises(DBAPIError) as error:
        await one_then_the_other()
    async with context_session(sessions, RequestContext()) as session:
        hash_of_second = await session.scalar(secrets, {"a": second})

    assert error.value.orig.sqlstate == INSUFFICIENT_PRIVILEGE  # type: ignore[union-attr]
    assert hash_of_second is not None


async def test_an_inactive_accounts_secrets_do_not_open(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    inactive = built_in_account(owner_engine, active=False)
    async with context_session(sessions, RequestContext()) as session:
        found = (await session.execute(text("SELECT * FROM idp_account_secrets(:a)"), {"a": inactive})).all()

    assert found == []


async def test_a_stored_password_must_be_an_argon2id_hash(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    account_id = built_in_account(owner_engine)
    statement = f"SELECT idp_store_own_password('{account_id}', 'klartext')"

    assert await refused(sessions, RequestContext(), statement) == CHECK_VIOLATION


async def test_only_the_active_signing_keys_private_part_is_readable(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    retired = f"retired-{uuid.uuid4().hex}"
    with owner_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO idp_signing_key (kid, private_jwk_encrypted, public_jwk, retired_at, published_until)"
                " VALUES (:kid, 'sealed', '{}', now(), now())"
            ),
            {"kid": retired},
        )
    try:
        async with context_session(sessions, RequestContext()) as session:
            readable = (await session.execute(text("SELECT kid FROM idp_active_signing_key()"))).scalars().all()
            public = await session.scalar(
                text("SELECT count(*) FROM idp_signing_key WHERE kid = :kid"), {"kid": retired}
            )
    finally:
        # Its stand-in private part is no seal: the re-keying test opens every sealed value.
        with owner_engine.begin() as connection:
            connection.execute(text("DELETE FROM idp_signing_key WHERE kid = :kid"), {"kid": retired})

    assert retired not in readable
    assert len(readable) <= 1
    assert public == 1, "the public parts stay readable, for the published key set"


async def test_the_secret_functions_run_as_their_owner_for_the_runtime_role_alone(owner_engine: Engine) -> None:
    with owner_engine.connect() as connection:
        functions = connection.execute(
            text(
                "SELECT p.proname, p.prosecdef, p.proconfig, r.rolname AS owner,"
                " ARRAY(SELECT coalesce(g.rolname, 'PUBLIC') FROM aclexplode(p.proacl) e"
                "       LEFT JOIN pg_roles g ON g.oid = e.grantee"
                "       WHERE e.privilege_type = 'EXECUTE' AND e.grantee <> p.proowner) AS callers"
                " FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner"
                " WHERE p.proname IN ('idp_account_secrets', 'idp_store_rehash', 'idp_store_own_password',"
                " 'idp_store_authenticator', 'idp_active_signing_key')"
            )
        ).all()
        runtime = connection.execute(
            text("SELECT grantee FROM information_schema.role_table_grants WHERE table_name = 'idp_client'")
        ).scalars()
        runtime_roles = set(runtime) - {connection.execute(text("SELECT current_user")).scalar_one()}

    assert runtime_roles
    assert len(functions) == 5, "the five of migration 0045"
    for function in functions:
        assert function.prosecdef, function.proname
        assert function.proconfig == ["search_path=pg_catalog, public"], function.proname
        assert set(function.callers) == runtime_roles, function.proname
