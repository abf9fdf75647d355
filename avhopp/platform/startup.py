"""Finding the database before anything else runs, with one clear line when it is not there."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from avhopp.platform.database import app_url_for, create_owner_engine
from avhopp.platform.embedded import embedded_postgres

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import URL

    from avhopp.platform.settings import Settings


class DatabaseUnavailableError(RuntimeError):
    """The configured database cannot be reached; the message is safe to print."""


@dataclass(frozen=True, slots=True)
class DatabaseUrls:
    """Where to connect. `owner` is None when this process may not change the schema."""

    owner: URL | None
    app: URL


@contextmanager
def open_database(settings: Settings) -> Iterator[DatabaseUrls]:
    """The connections this process may use, checked to answer.

    Without any database setting the embedded server runs for as long as the context lasts.
    With DATABASE_APP_URL alone the process is runtime-only: it serves but never migrates,
    which is how production web processes run without the owner's password.
    """
    if settings.embedded:
        with embedded_postgres(settings.data_dir) as owner_url:
            yield _checked(owner_url, app_url_for(owner_url, None), "DATABASE_URL")
    elif settings.database_url is not None:
        owner_url = settings.database_url
        yield _checked(owner_url, app_url_for(owner_url, settings.database_app_url), "DATABASE_URL")
    else:
        assert settings.database_app_url is not None  # noqa: S101 - implied by `embedded` being False
        yield _checked(None, settings.database_app_url, "DATABASE_APP_URL")


def _checked(owner_url: URL | None, app_url: URL, variable: str) -> DatabaseUrls:
    url = owner_url or app_url
    engine = create_owner_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        where = f"{url.host or 'unix-socket'}:{url.port or 5432}/{url.database}"
        msg = f"Kan inte ansluta till databasen i {variable} ({where}): {reason}"
        raise DatabaseUnavailableError(msg) from None
    finally:
        engine.dispose()
    return DatabaseUrls(owner=owner_url, app=app_url)
