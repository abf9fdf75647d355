"""Machine clients registered before their system accounts existed get one each in the migration."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from avhopp.platform.database import create_owner_engine
from avhopp.platform.migrate import downgrade, migrate
from tests.support.postgres import create_database, drop_database

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import URL

    from tests.support.postgres import TestDatabase

ACCOUNTS = "0020"


@pytest.fixture
def empty_database(admin_url: URL) -> Iterator[TestDatabase]:
    db = create_database(admin_url, prefix="avhopp_machine_accounts")
    yield db
    drop_database(admin_url, db)


def test_each_existing_machine_client_gets_a_system_account_in_its_tenant(empty_database: TestDatabase) -> None:
    db = empty_database
    migrate(db.owner_url, db.app_url, f"{ACCOUNTS}-1")
    engine = create_owner_engine(db.owner_url)
    try:
        with engine.begin() as connection:
            tenant = connection.execute(
                text("INSERT INTO tenant (slug, kind, name) VALUES ('kc-test', 'operation', 'KC') RETURNING id")
            ).scalar_one()
            for client_id, name, grants in (
                ("m2m-telefoni", "Telefoni", "{client_credentials}"),
                ("web", "Webben", "{authorization_code}"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO idp_client (client_id, client_secret_hash, name, grant_types, scope_tenant_id,"
                        " roles) VALUES (:id, :hash, :name, CAST(:grants AS text[]), :tenant, '{case_officer}')"
                    ),
                    {"id": client_id, "hash": "0" * 64, "name": name, "grants": grants, "tenant": tenant},
                )
        migrate(db.owner_url, db.app_url)
        with engine.begin() as connection:
            connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant)})
            accounts = connection.execute(
                text(
                    "SELECT u.machine_client_id, u.display_name, m.tenant_id, m.roles FROM app_user u"
                    " JOIN membership m ON m.user_id = u.id"
                )
            ).all()
        assert [tuple(account) for account in accounts] == [("m2m-telefoni", "Telefoni", tenant, [])]

        # Down again, the account that did nothing goes with its membership; up again, it is made anew.
        downgrade(db.owner_url, db.app_url, f"{ACCOUNTS}-1")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM app_user")).scalar_one() == 0
            assert connection.execute(text("SELECT count(*) FROM membership")).scalar_one() == 0
        migrate(db.owner_url, db.app_url)
        with engine.connect() as connection:
            names = connection.execute(text("SELECT display_name FROM app_user")).scalars().all()
        assert names == ["Telefoni"]
    finally:
        engine.dispose()
