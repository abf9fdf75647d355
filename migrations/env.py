"""Alembic environment: runs on the owner's connection handed over by avhopp.platform.migrate."""

from __future__ import annotations

from alembic import context

from avhopp.all_models import Base
from avhopp.platform.database import app_url_for, create_owner_engine
from avhopp.platform.settings import load_settings

config = context.config


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    # The alembic command line: connect with DATABASE_URL as the owner.
    settings = load_settings()
    if settings.database_url is None:
        raise SystemExit("Sätt DATABASE_URL för att köra alembic direkt; annars: avhopp db migrate.")
    config.attributes["app_role"] = app_url_for(settings.database_url, settings.database_app_url).username
    with create_owner_engine(settings.database_url).connect() as owner_connection:
        _run(owner_connection)
        owner_connection.commit()
