"""The runtime role owns nothing, cannot bypass row-level security, and is refused if it could."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from avhopp.platform.database import RuntimeRoleError, create_app_engine, verify_runtime_role

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncEngine

    from tests.support.postgres import TestDatabase


async def test_the_runtime_role_passes_the_start_check(app_engine: AsyncEngine) -> None:
    await verify_runtime_role(app_engine)


async def test_the_owner_is_refused_as_runtime_role(database: TestDatabase) -> None:
    engine = create_app_engine(database.owner_url, pool_size=1)
    try:
        with pytest.raises(RuntimeRoleError):
            await verify_runtime_role(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def role_that_owns_a_table(owner_engine: Engine, database: TestDatabase) -> Iterator[str]:
    role = f"avhopp_test_owner_{uuid.uuid4().hex[:8]}"
    ident = sql.Identifier(role).as_string()
    with owner_engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {ident} LOGIN NOSUPERUSER NOBYPASSRLS")
        connection.exec_driver_sql(
            f"GRANT CONNECT ON DATABASE {sql.Identifier(database.owner_url.database or '').as_string()} TO {ident}"
        )
        connection.exec_driver_sql(f"CREATE TABLE {role}_table (id int)")
        connection.exec_driver_sql(f"ALTER TABLE {role}_table OWNER TO {ident}")
    yield role
    with owner_engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {role}_table")
        connection.exec_driver_sql(
            f"REVOKE ALL ON DATABASE {sql.Identifier(database.owner_url.database or '').as_string()} FROM {ident}"
        )
        connection.exec_driver_sql(f"DROP ROLE {ident}")


async def test_a_role_that_owns_a_table_is_refused(database: TestDatabase, role_that_owns_a_table: str) -> None:
    engine = create_app_engine(database.owner_url.set(username=role_that_owns_a_table, password=None), pool_size=1)
    try:
        with pytest.raises(RuntimeRoleError, match="äger tabeller"):
            await verify_runtime_role(engine)
    finally:
        await engine.dispose()


async def test_the_runtime_role_cannot_change_reference_data(app_engine: AsyncEngine) -> None:
    async with app_engine.connect() as connection:
        count = (await connection.execute(text("SELECT count(*) FROM municipality"))).scalar_one()
        assert count == 290
        with pytest.raises(ProgrammingError, match="permission denied"):
            await connection.execute(text("UPDATE municipality SET population = 1 WHERE code = '1480'"))
