"""Notification fixtures: an SMTP server in this process (aiosmtpd), people in tenants, a job runtime that mails."""

from __future__ import annotations

import dataclasses
import socket
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import TYPE_CHECKING

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

import avhopp.app  # noqa: F401 - registers every module's jobs, as the worker command does
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs import JobRuntime
from avhopp.platform.notifications import configure_mail, register_kind
from avhopp.platform.settings import load_settings
from tests.directory.conftest import tenants
from tests.platform.auth.conftest import grant_membership, product_settings
from tests.platform.jobs.conftest import observed

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from contextlib import AbstractAsyncContextManager
    from email.message import EmailMessage
    from pathlib import Path

    from aiosmtpd.smtp import SMTP, Envelope, Session
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.settings import Settings
    from tests.platform.jobs.support import Observed

__all__ = ["observed", "product_settings", "tenants"]

PUBLIC_URL = "https://avhopp.test"
SENDER = "avhopp@avhopp.test"
TEST_KIND = register_kind("test_something_new", "Något nytt att titta på")


@dataclass(frozen=True)
class Received:
    """One message as the SMTP server took it."""

    recipients: tuple[str, ...]
    message: EmailMessage
    raw: str


@dataclass
class Inbox:
    """aiosmtpd handler that keeps every message it accepts."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        self.received.append(Received(tuple(envelope.rcpt_tos), parsed, raw.decode("utf-8", "replace")))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [each for each in self.received if address in each.recipients]


class SmtpServer:
    """A real SMTP server on a loopback port, which a test may start late ("down" until then)."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Not started: a test starts it (or leaves it down)."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(smtp_server: SmtpServer, tmp_path: Path) -> Settings:
    return load_settings(
        {
            "AVHOPP_DATA_DIR": str(tmp_path),
            "AVHOPP_PUBLIC_URL": PUBLIC_URL,
            "AVHOPP_SMTP_HOST": "127.0.0.1",
            "AVHOPP_SMTP_PORT": str(smtp_server.port),
            "AVHOPP_SMTP_TLS": "none",
            "AVHOPP_SMTP_FROM": SENDER,
        }
    )


@pytest.fixture
def mail_on(mail_settings: Settings) -> Iterator[Settings]:
    """This process sends notification e-mail through the test's SMTP server; in-app only afterwards."""
    configure_mail(mail_settings)
    yield mail_settings
    configure_mail(dataclasses.replace(mail_settings, smtp=None))


@pytest.fixture
async def mail_jobs(
    mail_on: Settings,  # noqa: ARG001 - configures the mail before the worker starts
    sessions: async_sessionmaker[AsyncSession],
    observed: Observed,
) -> AsyncIterator[JobRuntime]:
    """The in-process job runtime (relay and worker) of the web process, quick to poll."""
    runtime = JobRuntime(None, sessions, observed.telemetry, poll_interval=0.05, worker_threads=2)
    await runtime.start()
    yield runtime
    await runtime.stop()


@dataclass(frozen=True)
class Someone:
    """A person with a name and an address that must never reach an e-mail."""

    user_id: uuid.UUID
    name: str
    email: str
    tenant_id: uuid.UUID

    def acting(self, sessions: async_sessionmaker[AsyncSession]) -> AbstractAsyncContextManager[AsyncSession]:
        return context_session(sessions, RequestContext(tenant_id=self.tenant_id, user_id=self.user_id))


def new_person(owner_engine: Engine, tenant_slug: str, roles: list[str], *, email: bool = True) -> Someone:
    """A person who is a member of the tenant with the roles."""
    marker = uuid.uuid4().hex[:8]
    name = f"Karin Lindqvist {marker}"
    address = f"karin.{marker}@kommun.example" if email else None
    with owner_engine.begin() as connection:
        user_id = connection.execute(
            text("INSERT INTO app_user (display_name, email) VALUES (:name, :email) RETURNING id"),
            {"name": name, "email": address},
        ).scalar_one()
    tenant_id = grant_membership(owner_engine, user_id, tenant_slug, roles)
    return Someone(uuid.UUID(str(user_id)), name, address or "", tenant_id)


def outbox_ids(owner_engine: Engine, actor: str, **args: str) -> list[uuid.UUID]:
    """The outbox rows of a job with these arguments, as the owner reads them."""
    condition = " AND ".join(f"args->>'{key}' = :{key}" for key in args)
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.job_relay', 'on', true)"))
        return list(
            connection.execute(
                text(f"SELECT id FROM job_outbox WHERE actor_name = :actor AND {condition} ORDER BY created_at"),
                {"actor": actor, **args},
            ).scalars()
        )
