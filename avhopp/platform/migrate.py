"""Schema changes, run as the owner: the runtime role, Alembic upgrades and downgrades."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from psycopg import sql
from sqlalchemy import text

from avhopp.platform.database import create_owner_engine

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.engine import URL

_ROOT = Path(__file__).resolve().parents[2]
# Any constant works; it only has to be the same in every process that migrates.
_MIGRATION_LOCK = 4_915_733_001


class RuntimeRoleMissingError(RuntimeError):
    """The runtime role does not exist and the owner may not create it."""


def alembic_config(connection: Connection, app_role: str) -> Config:
    """An Alembic configuration that runs on `connection` and grants to `app_role`."""
    config = Config(str(_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(_ROOT / "migrations"))
    config.attributes["connection"] = connection
    config.attributes["app_role"] = app_role
    return config


def ensure_runtime_role(connection: Connection, app_url: URL) -> None:
    """Create the runtime role if it is missing: it may log in, and nothing else."""
    role = str(app_url.username)
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
    if exists is None:
        can_create = connection.execute(
            text("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")
        ).scalar_one()
        if not can_create:
            msg = f"Databasrollen {role} saknas; be databasadministratören skapa den (LOGIN, inget annat)."
            raise RuntimeRoleMissingError(msg)
        statement = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE").format(
            sql.Identifier(role)
        )
        if app_url.password:
            statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(app_url.password))
        connection.exec_driver_sql(statement.as_string())
    connection.exec_driver_sql(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}")
        .format(sql.Identifier(str(app_url.database)), sql.Identifier(role))
        .as_string()
    )
    connection.exec_driver_sql(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(role)).as_string())


def migrate(owner_url: URL, app_url: URL, revision: str = "head") -> None:
    """Bring the schema to `revision`; concurrent callers wait for each other."""
    _run(owner_url, app_url, lambda config: command.upgrade(config, revision))


def downgrade(owner_url: URL, app_url: URL, revision: str = "base") -> None:
    """Take the schema back to `revision` (all the way down by default)."""
    _run(owner_url, app_url, lambda config: command.downgrade(config, revision))


def current_revision(owner_url: URL) -> str | None:
    """The revision the database is at, or None for an empty database."""
    engine = create_owner_engine(owner_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def _run(owner_url: URL, app_url: URL, step: object) -> None:
    engine = create_owner_engine(owner_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
            try:
                ensure_runtime_role(connection, app_url)
                connection.commit()
                step(alembic_config(connection, str(app_url.username)))  # type: ignore[operator]
                connection.commit()
            finally:
                connection.rollback()  # a failed step leaves the transaction aborted; unlocking needs a fresh one
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
                connection.commit()
    finally:
        engine.dispose()
