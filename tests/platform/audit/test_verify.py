"""Verifying the chains: an altered link is named, a cut tail is caught by the exported heads, and the command."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.platform.audit import Action, AuditEvent, record_alone
from avhopp.platform.audit.chain import PLATFORM_CHAIN, chain_key
from avhopp.platform.audit.verify import chain_heads, verify_chains
from tests.platform.web.conftest import SECRET_KEY

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.support.postgres import TestDatabase

KEY = chain_key(SECRET_KEY)
# The `audit` group mounted on the real `avhopp` command, with its real owner access.
_AVHOPP_WITH_AUDIT = (
    "from avhopp.cli import cli, main; from avhopp.platform.audit.cli import audit_cli;"
    " cli.add_command(audit_cli); main()"
)


async def write_chains(sessions: async_sessionmaker[AsyncSession], tenant: uuid.UUID, length: int) -> None:
    for number in range(length):
        await record_alone(sessions, AuditEvent(Action.PERSON_READ, tenant, reason=f"read_{number}"))
    await record_alone(sessions, AuditEvent(Action.LOGIN_FAILED, reason="state_mismatch"))


def tamper(owner: Engine, statement: str, chain: str) -> None:
    """What an attacker with owner rights could do: switch off the guard, change the table."""
    with owner.begin() as connection:
        connection.execute(text("SELECT set_config('app.audit_verify', 'on', true)"))
        connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        connection.execute(text(statement), {"chain": chain})
        connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))


def avhopp_audit(database: TestDatabase, *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "AVHOPP_", "BROKER_"))}
    env = {
        **base,
        "DATABASE_URL": database.owner_url.render_as_string(hide_password=False),
        "AVHOPP_SECRET_KEY": SECRET_KEY,
    }
    return subprocess.run(
        [sys.executable, "-c", _AVHOPP_WITH_AUDIT, "audit", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_intact_chains_verify(own_sessions: async_sessionmaker[AsyncSession], own_owner: Engine) -> None:
    tenant = uuid.uuid4()
    await write_chains(own_sessions, tenant, 3)

    with own_owner.begin() as connection:
        reports = verify_chains(connection, KEY)

    assert {(report.chain, report.length, report.intact) for report in reports} == {
        (PLATFORM_CHAIN, 1, True),
        (str(tenant), 3, True),
    }


async def test_a_link_altered_by_the_owner_is_named(
    own_sessions: async_sessionmaker[AsyncSession], own_owner: Engine
) -> None:
    tenant = uuid.uuid4()
    await write_chains(own_sessions, tenant, 4)
    tamper(own_owner, "UPDATE audit_event SET reason = 'nothing_to_see' WHERE chain = :chain AND seq = 2", str(tenant))

    with own_owner.begin() as connection:
        reports = {report.chain: report for report in verify_chains(connection, KEY)}
        altered_id = connection.execute(
            text("SELECT id FROM audit_event WHERE chain = :chain AND seq = 2"), {"chain": str(tenant)}
        ).scalar_one()

    broken = reports[str(tenant)].broken
    assert broken is not None
    assert (broken.seq, broken.id) == (2, altered_id)
    assert reports[PLATFORM_CHAIN].intact


async def test_a_removed_middle_link_is_named(
    own_sessions: async_sessionmaker[AsyncSession], own_owner: Engine
) -> None:
    tenant = uuid.uuid4()
    await write_chains(own_sessions, tenant, 4)
    tamper(own_owner, "DELETE FROM audit_event WHERE chain = :chain AND seq = 3", str(tenant))

    with own_owner.begin() as connection:
        broken = next(report for report in verify_chains(connection, KEY) if report.chain == str(tenant)).broken

    assert broken is not None
    assert broken.seq == 4
    assert "länk 3 saknas" in broken.problem


async def test_a_cut_tail_is_caught_by_the_exported_heads(
    own_sessions: async_sessionmaker[AsyncSession], own_owner: Engine
) -> None:
    tenant = uuid.uuid4()
    await write_chains(own_sessions, tenant, 4)
    with own_owner.begin() as connection:
        heads = chain_heads(connection)
    tamper(own_owner, "DELETE FROM audit_event WHERE chain = :chain AND seq = 4", str(tenant))

    with own_owner.begin() as connection:
        without_heads = {report.chain: report for report in verify_chains(connection, KEY)}
        with_heads = {report.chain: report for report in verify_chains(connection, KEY, heads)}

    assert without_heads[str(tenant)].intact  # a chain walk alone cannot see it
    broken = with_heads[str(tenant)].broken
    assert broken is not None
    assert (broken.seq, broken.id) == (4, None)
    assert with_heads[PLATFORM_CHAIN].intact


async def test_the_command_exits_0_when_intact_and_1_naming_the_link_when_not(
    own_database: TestDatabase,
    own_sessions: async_sessionmaker[AsyncSession],
    own_owner: Engine,
    tmp_path: Path,
) -> None:
    tenant = uuid.uuid4()
    await write_chains(own_sessions, tenant, 3)
    heads_file = tmp_path / "heads.jsonl"

    exported = avhopp_audit(own_database, "export-heads", "--output", str(heads_file))
    intact = avhopp_audit(own_database, "verify", "--heads", str(heads_file))
    tamper(own_owner, "DELETE FROM audit_event WHERE chain = :chain AND seq = 3", str(tenant))
    walk_only = avhopp_audit(own_database, "verify")
    cut = avhopp_audit(own_database, "verify", "--heads", str(heads_file))
    tamper(own_owner, "UPDATE audit_event SET reason = 'x' WHERE chain = :chain AND seq = 1", str(tenant))
    altered = avhopp_audit(own_database, "verify")

    assert exported.returncode == 0, exported.stderr
    assert len(heads_file.read_text().splitlines()) == 2
    assert intact.returncode == 0, intact.stderr
    assert f"ok      {tenant}  3 länkar" in intact.stdout
    assert walk_only.returncode == 0
    assert cut.returncode == 1
    assert f"BRUTEN  {tenant}  länk 3 (saknas)" in cut.stdout
    assert altered.returncode == 1
    assert f"BRUTEN  {tenant}  länk 1 (id " in altered.stdout
    assert "Traceback" not in cut.stderr + altered.stderr


async def test_exports_accumulate_so_a_tail_cut_after_any_of_them_is_caught(
    own_database: TestDatabase,
    own_sessions: async_sessionmaker[AsyncSession],
    own_owner: Engine,
    tmp_path: Path,
) -> None:
    tenant = uuid.uuid4()
    await write_chains(own_sessions, tenant, 2)
    heads_file = tmp_path / "heads.jsonl"

    first = avhopp_audit(own_database, "export-heads", "--output", str(heads_file))
    await record_alone(own_sessions, AuditEvent(Action.PERSON_READ, tenant, reason="later"))
    second = avhopp_audit(own_database, "export-heads", "--output", str(heads_file))
    tamper(own_owner, "DELETE FROM audit_event WHERE chain = :chain AND seq = 3", str(tenant))
    cut = avhopp_audit(own_database, "verify", "--heads", str(heads_file))

    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert len(heads_file.read_text().splitlines()) == 4  # two chains, exported twice
    assert cut.returncode == 1
    assert f"BRUTEN  {tenant}  länk 3 (saknas)" in cut.stdout
