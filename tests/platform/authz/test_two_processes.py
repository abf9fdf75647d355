"""A change committed in one process is in force in another within a few seconds, both ways."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import TYPE_CHECKING

import pytest

from avhopp.platform.authz.policy import user_subject
from tests.platform.authz.conftest import new_user, set_roles

if TYPE_CHECKING:
    import uuid
    from collections.abc import AsyncIterator

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.support.postgres import TestDatabase

DEADLINE = 5.0


class Probe:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def line(self) -> str:
        assert self.process.stdout is not None
        async with asyncio.timeout(20):
            return (await self.process.stdout.readline()).decode().strip()

    async def decide(self, subject: str, tenant: uuid.UUID, obj: str, act: str) -> bool:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{subject} {tenant} {obj} {act}\n".encode())
        await self.process.stdin.drain()
        return await self.line() == "allow"

    async def seconds_until(self, expected: bool, *args: object) -> float:  # noqa: FBT001 - reads as a sentence
        started = time.monotonic()
        while time.monotonic() - started < DEADLINE:
            if await self.decide(*args) == expected:  # type: ignore[arg-type]
                return time.monotonic() - started
            await asyncio.sleep(0.05)
        pytest.fail(f"the other process did not see the change within {DEADLINE} s")


@pytest.fixture(params=[("1", "poll"), ("3600", "watch")], ids=["version-check", "listen-notify"])
async def probe(request: pytest.FixtureRequest, database: TestDatabase) -> AsyncIterator[Probe]:
    interval, mode = request.param
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.platform.authz.probe",
        interval,
        mode,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "AUTHZ_PROBE_URL": database.app_url.render_as_string(hide_password=False)},
    )
    probe = Probe(process)
    try:
        assert await probe.line() == "ready"
        yield probe
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            async with asyncio.timeout(10):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


async def test_grant_and_revoke_reach_the_other_process_within_seconds(
    probe: Probe, sessions: async_sessionmaker[AsyncSession], two_tenants: tuple[uuid.UUID, uuid.UUID]
) -> None:
    tenant, other = two_tenants
    user_id = await new_user(sessions)
    subject = user_subject(user_id)
    assert not await probe.decide(subject, tenant, "case", "write")

    await set_roles(sessions, tenant, user_id, ["case_officer"])
    await probe.seconds_until(True, subject, tenant, "case", "write")  # noqa: FBT003
    assert not await probe.decide(subject, other, "case", "write")

    await set_roles(sessions, tenant, user_id, [])
    await probe.seconds_until(False, subject, tenant, "case", "write")  # noqa: FBT003
