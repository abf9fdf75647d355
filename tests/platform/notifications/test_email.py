"""E-mail through a real SMTP server in this process: nothing personal in it, retried while the server is down."""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, text

from avhopp.directory.catalogue.models import PublishedService
from avhopp.directory.catalogue.seed import seed_service_id
from avhopp.directory.line.models import Referral
from avhopp.directory.line.service import Opening, ReferralRequest, refer, start_contact
from avhopp.directory.line.vocabulary import CallerType, Channel
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs import JobRuntime, actors, enqueue
from avhopp.platform.notifications import notify
from avhopp.platform.notifications.jobs import send_notice_email
from avhopp.platform.notifications.mail import SUBJECT
from avhopp.platform.notifications.models import Notification
from avhopp.platform.notifications.preferences import choose_email
from avhopp.tenants.registry.roles import Role
from tests.platform.jobs.support import wait_until
from tests.platform.notifications.conftest import PUBLIC_URL, SENDER, TEST_KIND, new_person, outbox_ids

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.directory.conftest import Tenants
    from tests.platform.jobs.support import Observed
    from tests.platform.notifications.conftest import SmtpServer, Someone

LINE, KC = "stodlinjen", "kc-goteborg"


async def notify_one(sessions: async_sessionmaker[AsyncSession], person: Someone) -> uuid.UUID:
    async with context_session(sessions, RequestContext(tenant_id=person.tenant_id)) as session:
        (notification_id,) = await notify(session, person.tenant_id, [person.user_id], TEST_KIND, "/notiser")
    return notification_id


async def emailed_at(sessions: async_sessionmaker[AsyncSession], person: Someone, notification_id: uuid.UUID) -> object:
    async with person.acting(sessions) as session:
        return await session.scalar(select(Notification.emailed_at).where(Notification.id == notification_id))


@pytest.mark.usefixtures("seeded")
async def test_a_new_referral_emails_its_receivers_that_there_is_something_new_and_nothing_more(
    smtp_server: SmtpServer,
    mail_jobs: JobRuntime,  # noqa: ARG001 - runs the jobs
    tenants: Tenants,
    owner_engine: Engine,
) -> None:
    smtp_server.start()
    receiver = new_person(owner_engine, KC, [Role.CASE_OFFICER])
    editor = new_person(owner_engine, KC, [Role.DIRECTORY_EDITOR])  # may not receive referrals
    operator = new_person(owner_engine, LINE, [Role.LINE_OPERATOR])
    marker = uuid.uuid4().hex[:8]
    shared, safe = f"Vill lämna gänget i Hammarkullen {marker}", f"Ring efter 18, fråga efter Ali {marker}"
    async with tenants.acting(LINE, operator.user_id) as session:
        contact = await start_contact(
            session, tenants.ids[LINE], operator.user_id, Opening(Channel.PHONE, CallerType.PERSON)
        )
        referral_id = await refer(
            session,
            tenants.ids[LINE],
            operator.user_id,
            contact,
            ReferralRequest(seed_service_id(KC), consent_given=True, shared_information=shared, safe_contact=safe),
        )

    await wait_until(lambda: bool(smtp_server.inbox.to(receiver.email)), "the receiver's e-mail")
    (received,) = smtp_server.inbox.to(receiver.email)
    message = received.message
    assert received.recipients == (receiver.email,)
    assert message["To"] == receiver.email  # the address alone, no name beside it
    assert message["From"] == SENDER
    assert message["Subject"] == SUBJECT
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert f"{PUBLIC_URL}/arenden/remisser/{referral_id}" in body
    assert "Du har en ny notis i Avhopp" in body
    async with tenants.acting(LINE) as session:
        service_name = await session.scalar(
            select(PublishedService.name).where(PublishedService.id == seed_service_id(KC))
        )
    with owner_engine.connect() as connection:
        tenant_names = list(
            connection.execute(text("SELECT name FROM tenant WHERE slug IN (:a, :b)"), {"a": LINE, "b": KC}).scalars()
        )
    personal = [receiver.name, operator.name, marker, shared, safe, service_name, *tenant_names]
    whole = received.raw.replace("=\r\n", "").replace("=\n", "")
    assert [value for value in personal if value and value in whole] == []
    assert receiver.email not in body
    assert smtp_server.inbox.to(editor.email) == []
    async with tenants.acting(LINE) as session:
        assert await session.scalar(select(Referral.id).where(Referral.id == referral_id)) == referral_id


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the back-off is shortened (30 s in production): the retries are Dramatiq's own."""
    quick = dataclasses.replace(send_notice_email, min_backoff_ms=100)
    monkeypatch.setitem(actors._registry, send_notice_email.name, quick)  # noqa: SLF001


@pytest.mark.usefixtures("mail_on", "quick_retries")
async def test_an_smtp_server_that_is_down_gets_the_email_once_it_is_back(
    smtp_server: SmtpServer, sessions: async_sessionmaker[AsyncSession], owner_engine: Engine, observed: Observed
) -> None:
    runtime = JobRuntime(None, sessions, observed.telemetry, poll_interval=0.05, worker_threads=2)
    await runtime.start()
    try:
        person = new_person(owner_engine, "kommun-1480", [Role.CASE_OFFICER])
        notification_id = await notify_one(sessions, person)
        (message_id,) = outbox_ids(owner_engine, send_notice_email.name, notification_id=str(notification_id))
        await wait_until(lambda: observed.outcomes(message_id).count("retrying") >= 2, "two failed attempts")
        assert await emailed_at(sessions, person, notification_id) is None

        smtp_server.start()
        await wait_until(lambda: "done" in observed.outcomes(message_id), "the e-mail after the server came back")
    finally:
        await runtime.stop()
    assert len(smtp_server.inbox.to(person.email)) == 1
    assert await emailed_at(sessions, person, notification_id) is not None


async def test_no_email_for_a_person_who_turned_it_off(
    smtp_server: SmtpServer,
    mail_jobs: JobRuntime,  # noqa: ARG001 - runs the jobs
    sessions: async_sessionmaker[AsyncSession],
    owner_engine: Engine,
    observed: Observed,
) -> None:
    smtp_server.start()
    quiet = new_person(owner_engine, "kommun-1480", [Role.CASE_OFFICER])
    other = new_person(owner_engine, "kommun-1480", [Role.CASE_OFFICER])
    async with quiet.acting(sessions) as session:
        await choose_email(session, quiet.user_id, wanted=False)
    off = await notify_one(sessions, quiet)
    await notify_one(sessions, other)

    (message_id,) = outbox_ids(owner_engine, send_notice_email.name, notification_id=str(off))
    await wait_until(lambda: observed.outcomes(message_id) == ["done"], "the job for the person without e-mail")
    await wait_until(lambda: bool(smtp_server.inbox.to(other.email)), "the other person's e-mail")
    assert smtp_server.inbox.to(quiet.email) == []
    assert await emailed_at(sessions, quiet, off) is None


async def test_one_email_per_notification_however_often_the_job_is_sent(
    smtp_server: SmtpServer,
    mail_jobs: JobRuntime,  # noqa: ARG001 - runs the jobs
    sessions: async_sessionmaker[AsyncSession],
    owner_engine: Engine,
    observed: Observed,
) -> None:
    smtp_server.start()
    person = new_person(owner_engine, "kommun-1480", [Role.CASE_OFFICER])
    notification_id = await notify_one(sessions, person)
    async with context_session(sessions, RequestContext(tenant_id=person.tenant_id)) as session:
        again = await enqueue(
            session, send_notice_email, notification_id=str(notification_id), user_id=str(person.user_id)
        )
    (first,) = [
        each
        for each in outbox_ids(owner_engine, send_notice_email.name, notification_id=str(notification_id))
        if each != again
    ]
    await wait_until(lambda: observed.outcomes(first) == ["done"] and observed.outcomes(again) == ["done"], "both jobs")
    (received,) = smtp_server.inbox.to(person.email)
    assert received.message["Message-ID"] == f"<{notification_id}@avhopp.test>"


@pytest.mark.usefixtures("mail_on")
async def test_no_email_about_a_notification_already_read(
    smtp_server: SmtpServer, sessions: async_sessionmaker[AsyncSession], owner_engine: Engine, observed: Observed
) -> None:
    smtp_server.start()
    person = new_person(owner_engine, "kommun-1480", [Role.CASE_OFFICER])
    notification_id = await notify_one(sessions, person)
    async with person.acting(sessions) as session:
        await session.execute(text("UPDATE notification SET read_at = now() WHERE id = :id"), {"id": notification_id})
    runtime = JobRuntime(None, sessions, observed.telemetry, poll_interval=0.05, worker_threads=2)
    await runtime.start()
    try:
        (message_id,) = outbox_ids(owner_engine, send_notice_email.name, notification_id=str(notification_id))
        await wait_until(lambda: observed.outcomes(message_id) == ["done"], "the job")
    finally:
        await runtime.stop()
    assert smtp_server.inbox.to(person.email) == []
