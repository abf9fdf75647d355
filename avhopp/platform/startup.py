"""Finding the database before anything else runs, with one clear line when it is not there."""

from __future__ import annotations

from contextlib import contextmanager
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


@contextmanager
def open_database(settings: Settings) -> Iterator[tuple[URL, URL]]:
    """The owner's and the runtime role's URLs, checked to answer.

    Without DATABASE_URL the embedded server runs for as long as the context lasts.
    """
    if settings.database_url is None:
        with embedded_postgres(settings.data_dir) as owner_url:
            yield _checked(owner_url, settings.database_app_url)
    else:
        yield _checked(settings.database_url, settings.database_app_url)


def _checked(owner_url: URL, app_url: URL | None) -> tuple[URL, URL]:
    engine = create_owner_engine(owner_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        where = f"{owner_url.host or 'unix-socket'}:{owner_url.port or 5432}/{owner_url.database}"
        msg = f"Kan inte ansluta till databasen i DATABASE_URL ({where}): {reason}"
        raise DatabaseUnavailableError(msg) from None
    finally:
        engine.dispose()
    return owner_url, app_url_for(owner_url, app_url)
