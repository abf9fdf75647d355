"""Shared fixtures: one migrated database per test session, engines for both roles, the named people."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import uuid
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from avhopp.app import build_app
from avhopp.authorization import complete_registry
from avhopp.directory.catalogue.loading import load_catalogue
from avhopp.directory.catalogue.seed import seed_catalogue
from avhopp.platform.audit.chain import chain_key
from avhopp.platform.database import create_app_engine, create_owner_engine, session_factory
from avhopp.platform.settings import load_settings
from tests.platform.auth.conftest import BASE_URL, Browser
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import PEOPLE, NamedPerson, create_people, sign_in_form
from tests.support.postgres import TestDatabase, create_database, drop_database, prepare_database, server_admin_url
from tests.support.reset import Baseline

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from sqlalchemy import Engine
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from avhopp.platform.settings import Settings


# Tests use the policy loader, the grant checks and the roles table without building the app.
complete_registry()

# The whole suite (`uv run pytest`, no paths given) runs in this many processes (pytest-xdist),
# each with a database (and, on the embedded path, a server) of its own: the tests spend most of
# their time in Python, so one process leaves the second core idle. Chosen tests run in one.
WHOLE_SUITE_PROCESSES = 2


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`--numprocesses auto` (pyproject): two processes for the whole suite, none for chosen tests.

    `-n N` on the command line, or PYTEST_XDIST_AUTO_NUM_WORKERS, says otherwise.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    if config.args_source is not pytest.Config.ArgsSource.TESTPATHS:
        return 0
    return min(WHOLE_SUITE_PROCESSES, len(os.sched_getaffinity(0)))


@pytest.fixture(scope="session")
def admin_url() -> Iterator[URL]:
    """A role that may create databases, on the server under test.

    The embedded server's folder lives outside pytest's temporary folders, which a
    concurrent pytest session may delete from under it.
    """
    folder = Path(tempfile.mkdtemp(prefix="avhopp-test-postgres-"))
    try:
        with server_admin_url(folder) as url:
            yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def unmigrated_database(admin_url: URL) -> Iterator[TestDatabase]:
    """A new database with nothing in it, for a migration's round trip; dropped afterwards."""
    db = create_database(admin_url, prefix="avhopp_migration")
    yield db
    drop_database(admin_url, db)


@pytest.fixture(scope="session")
def database(admin_url: URL) -> Iterator[TestDatabase]:
    """The session's database at head, with geography and all tenants loaded."""
    db = prepare_database(create_database(admin_url))
    yield db
    drop_database(admin_url, db)


@pytest.fixture(scope="session")
def owner_engine(database: TestDatabase) -> Iterator[Engine]:
    """Sync engine as the schema owner (for setting up and inspecting, not for app code)."""
    engine = create_owner_engine(database.owner_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
async def app_engine(database: TestDatabase) -> AsyncIterator[AsyncEngine]:
    """Async engine as the runtime role, the one row-level security binds."""
    engine = create_app_engine(database.app_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessions(app_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The runtime session factory, publishing the request context per transaction."""
    return session_factory(app_engine, audit_key=chain_key(SECRET_KEY))


@pytest.fixture(scope="session")
async def seeded(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The session database with the seed catalogue published (as `avhopp serve` does for the demo)."""
    await load_catalogue(sessions, seed_catalogue(), note="Startdata", replace=False)


@pytest.fixture(scope="session")
def named_people(owner_engine: Engine) -> tuple[NamedPerson, ...]:
    """The people of tests/support/people.py, real users with their memberships."""
    with owner_engine.begin() as connection:
        create_people(connection, PEOPLE)
    return PEOPLE


@pytest.fixture(scope="session")
def baseline(owner_engine: Engine, seeded: None, named_people: tuple[NamedPerson, ...]) -> Baseline:  # noqa: ARG001
    """The database as every test that writes should find it: reference data, seed, named people."""
    snapshot = Baseline(owner_engine)
    snapshot.install()
    return snapshot


@pytest.fixture(autouse=True)
def _no_request_counted(request: pytest.FixtureRequest) -> None:
    """Rate limits count in a table every app of the session shares: each test starts with none spent."""
    if "database" in request.fixturenames:
        engine: Engine = request.getfixturevalue("owner_engine")
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM rate_limit_window"))


@pytest.fixture
def clean_database(baseline: Baseline) -> Iterator[None]:
    """The test leaves nothing behind: whatever it wrote is put back as the baseline has it."""
    yield
    baseline.restore()


@pytest.fixture(scope="session")
def test_settings(database: TestDatabase, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The product's settings for the test suite, with the test sign-in on."""
    settings = load_settings(
        {
            "DATABASE_URL": database.owner_url.render_as_string(hide_password=False),
            "AVHOPP_SECRET_KEY": SECRET_KEY,
            "AVHOPP_DATA_DIR": str(tmp_path_factory.mktemp("avhopp-data")),
            "AVHOPP_PUBLIC_URL": BASE_URL,
        }
    )
    return dataclasses.replace(settings, test_sign_in=True, job_poll_interval=0.1)


class SignIn(Protocol):
    """Sign a person in; an anonymous person gets a client without a session."""

    async def __call__(self, person: NamedPerson, tenant: str | None = None) -> Browser: ...


@pytest.fixture
async def sign_in(
    test_settings: Settings,
    database: TestDatabase,
    owner_engine: Engine,
    clean_database: None,  # noqa: ARG001 - set up first, so the reset runs after the apps have stopped
) -> AsyncIterator[SignIn]:
    """A browser of their own for each person, signed in with a real server session, acting for `tenant`.

    A person outside the table (tests/support/people.py `person_in`) is created on first use and
    goes with the test's other writes.
    """
    async with AsyncExitStack() as stack:

        async def signed_in(person: NamedPerson, tenant: str | None = None) -> Browser:
            if person not in PEOPLE:
                with owner_engine.begin() as connection:
                    create_people(connection, [person])
            app = build_app(test_settings, database.app_url)
            client = await stack.enter_async_context(AsyncTestClient(app, base_url=BASE_URL))
            client.follow_redirects = False
            browser = Browser(client, test_settings, user_id=None if person.anonymous else person.user_id)
            if person.anonymous:
                return browser
            tenant_id = None if tenant is None else _tenant_id(owner_engine, tenant)
            path, form = sign_in_form(person, tenant_id)
            response = await client.post(path, data=form)
            assert response.status_code == 204, f"test sign-in of {person.key}: {response.status_code}"
            return browser

        yield signed_in


def _tenant_id(owner_engine: Engine, slug: str) -> uuid.UUID:
    with owner_engine.connect() as connection:
        found = connection.execute(text("SELECT id FROM tenant WHERE slug = :slug"), {"slug": slug}).scalar_one()
    return uuid.UUID(str(found))
