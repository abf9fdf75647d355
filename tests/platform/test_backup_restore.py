"""Backup and restore as the README's production section has it: `pg_dump -Fc`, `pg_restore` into a fresh
database, the release step, and the platform starts on it, opens its sealed data with the secret key,
which the dump does not hold, and finds its audit chains intact up to the heads exported before the dump.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pgserver
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from avhopp.app import build_app
from avhopp.platform.audit.chain import chain_key
from avhopp.platform.audit.verify import Head, chain_heads, verify_chains
from avhopp.platform.database import (
    RequestContext,
    context_session,
    create_app_engine,
    create_owner_engine,
    session_factory,
)
from avhopp.platform.migrate import migrate
from avhopp.platform.sealing import SealError
from avhopp.platform.settings import load_settings
from avhopp.tenants.cases.service import (
    Actor,
    ContactSource,
    NewCase,
    OpenedPerson,
    PersonDetails,
    case_for_actor,
    open_case,
    open_person,
)
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import GOTEBORG_ERSATTARE, GOTEBORG_SOCIALSEKRETERARE
from tests.support.postgres import create_database, drop_database
from tests.support.reset import BASELINE

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.support.postgres import TestDatabase

OTHER_KEY = "o" * 40
PERSON = PersonDetails(name="Adam Andersson", personal_number="19811228-9874", phone="0701234567")


@dataclass(frozen=True, slots=True)
class Backup:
    """A dump of the session's database holding a case's sealed person, and what is known outside it."""

    dump: Path
    tools: Path
    """The folder of the pg_dump that made it, and of the pg_restore for it."""
    heads: list[Head]
    """The audit chains' heads, exported before the dump."""
    actor: Actor
    case_id: UUID


@pytest.fixture
async def backup(
    database: TestDatabase,
    owner_engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
    clean_database: None,  # noqa: ARG001
    tmp_path: Path,
) -> Backup:
    """The session's database with a new case, dumped as the README says."""
    actor = Actor(_tenant_id(owner_engine), GOTEBORG_SOCIALSEKRETERARE.user_id)
    async with context_session(sessions, RequestContext(tenant_id=actor.tenant_id, user_id=actor.user_id)) as session:
        new = NewCase(ContactSource.PERSON, PERSON, deputy_id=GOTEBORG_ERSATTARE.user_id)
        case_id = await open_case(session, SECRET_KEY, actor, new)
    with owner_engine.begin() as connection:
        heads = chain_heads(connection)
    tools = _tools_for(_server_major(owner_engine))
    dump = tmp_path / "avhopp.dump"
    # The test suite's copy of every table (tests/support/reset.py) is no part of the platform's data.
    _run(
        tools / "pg_dump",
        "--format=custom",
        f"--exclude-schema={BASELINE}",
        f"--file={dump}",
        f"--dbname={_libpq(database.owner_url)}",
    )
    return Backup(dump, tools, heads, actor, case_id)


async def test_a_restored_dump_starts_opens_its_sealed_data_with_the_key_and_its_audit_chains_hold(
    admin_url: URL, backup: Backup, tmp_path: Path
) -> None:
    restored = create_database(admin_url, prefix="avhopp_restored")
    try:
        _run(
            backup.tools / "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={_libpq(restored.owner_url)}",
            str(backup.dump),
        )
        migrate(restored.owner_url, restored.app_url)  # the release step: the runtime role may connect again
        given = load_settings(
            {
                "DATABASE_URL": restored.owner_url.render_as_string(hide_password=False),
                "AVHOPP_SECRET_KEY": SECRET_KEY,
                "AVHOPP_DATA_DIR": str(tmp_path / "data"),
            }
        )
        # A short poll, as the suite's settings have it: stopping the app waits for the job relay's next look.
        settings = dataclasses.replace(given, job_poll_interval=0.1)
        async with AsyncTestClient(build_app(settings, restored.app_url)) as client:
            assert (await client.get("/health/ready")).status_code == 200

        opened = await _open_person(restored, backup, SECRET_KEY)
        assert opened.details == PERSON
        with pytest.raises(SealError):
            await _open_person(restored, backup, OTHER_KEY)

        owner = create_owner_engine(restored.owner_url)
        try:
            with owner.begin() as connection:
                reports = verify_chains(connection, chain_key(SECRET_KEY), backup.heads)
                under_another_key = verify_chains(connection, chain_key(OTHER_KEY), backup.heads)
        finally:
            owner.dispose()
        assert reports
        assert all(report.intact for report in reports), [r.broken for r in reports if not r.intact]
        assert not all(report.intact for report in under_another_key)
    finally:
        drop_database(admin_url, restored)


async def _open_person(database: TestDatabase, backup: Backup, secret_key: str) -> OpenedPerson:
    """The case's person, read through the service as the officer on the restored database, under `secret_key`."""
    engine = create_app_engine(database.app_url, pool_size=1)
    try:
        sessions = session_factory(engine, audit_key=chain_key(secret_key))
        actor = backup.actor
        context = RequestContext(tenant_id=actor.tenant_id, user_id=actor.user_id)
        async with context_session(sessions, context) as session:
            return await open_person(session, secret_key, actor, await case_for_actor(session, actor, backup.case_id))
    finally:
        await engine.dispose()


def _tenant_id(owner_engine: Engine) -> UUID:
    with owner_engine.connect() as connection:
        found: UUID = connection.execute(
            text("SELECT id FROM tenant WHERE slug = :slug"), {"slug": GOTEBORG_SOCIALSEKRETERARE.tenant}
        ).scalar_one()
    return found


def _server_major(owner_engine: Engine) -> int:
    with owner_engine.connect() as connection:
        return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _tools_for(major: int) -> Path:
    """The folder of a pg_dump and pg_restore of the server's major version (an older pg_restore may not read
    a newer dump): the embedded server's own, the distribution's for that version, or those on the PATH."""
    on_path = shutil.which("pg_dump")
    candidates = [
        Path(pgserver.__file__).parent / "pginstall" / "bin",
        Path(f"/usr/lib/postgresql/{major}/bin"),
        *([Path(on_path).parent] if on_path else []),
    ]
    for folder in candidates:
        if (folder / "pg_dump").exists() and (folder / "pg_restore").exists():
            version = subprocess.run(
                [folder / "pg_dump", "--version"], capture_output=True, text=True, check=True
            ).stdout
            found = re.search(r"(\d+)\.", version)
            if found is not None and int(found.group(1)) == major:
                return folder
    pytest.fail(f"no pg_dump and pg_restore of PostgreSQL {major} in {[str(c) for c in candidates]}")


def _run(*command: Path | str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{Path(command[0]).name}: {result.stderr}"


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
