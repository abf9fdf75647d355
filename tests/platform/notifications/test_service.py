"""Notifying, listing, counting and marking as read; each person sees only their own, in their tenant."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.notifications import notify, register_kind
from avhopp.platform.notifications.preferences import choose_email, email_wanted
from avhopp.platform.notifications.service import mark_all_read, mark_read, notices_of, unread_count
from tests.platform.notifications.conftest import TEST_KIND, new_person, outbox_ids

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.platform.notifications.conftest import Someone

GOTEBORG, MALMO = "kommun-1480", "kommun-1280"


async def notify_one(sessions: async_sessionmaker[AsyncSession], person: Someone, link: str = "/notiser") -> uuid.UUID:
    """A colleague's change notifies `person` (the transaction acts for the tenant, as another user)."""
    colleague = RequestContext(tenant_id=person.tenant_id, user_id=uuid.uuid4())
    async with context_session(sessions, colleague) as session:
        (notification_id,) = await notify(session, person.tenant_id, [person.user_id], TEST_KIND, link)
    return notification_id


async def test_a_person_sees_counts_and_marks_their_own(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    person = new_person(owner_engine, GOTEBORG, ["case_officer"])
    first = await notify_one(sessions, person, "/remisser")
    second = await notify_one(sessions, person, "/katalog")

    async with person.acting(sessions) as session:
        assert await unread_count(session, person.tenant_id, person.user_id) == 2
        listed = await notices_of(session, person.tenant_id, person.user_id)
        assert [notice.id for notice in listed] == [second, first]
        assert [notice.link for notice in listed] == ["/katalog", "/remisser"]
        assert await mark_read(session, person.tenant_id, person.user_id, first)
    async with person.acting(sessions) as session:
        assert await unread_count(session, person.tenant_id, person.user_id) == 1
        assert await mark_all_read(session, person.tenant_id, person.user_id) == 1
        assert await unread_count(session, person.tenant_id, person.user_id) == 0


async def test_one_notification_per_person_however_often_they_are_named(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    person = new_person(owner_engine, GOTEBORG, ["case_officer"])
    async with context_session(sessions, RequestContext(tenant_id=person.tenant_id)) as session:
        created = await notify(session, person.tenant_id, [person.user_id, person.user_id], TEST_KIND, "/")
        assert await notify(session, person.tenant_id, [], TEST_KIND, "/") == []
    assert len(created) == 1


async def test_a_colleague_neither_sees_nor_marks_anothers_notification(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    victim = new_person(owner_engine, GOTEBORG, ["case_officer"])
    colleague = new_person(owner_engine, GOTEBORG, ["case_officer"])
    notification_id = await notify_one(sessions, victim)

    async with colleague.acting(sessions) as session:
        assert await notices_of(session, colleague.tenant_id, victim.user_id) == []
        assert await unread_count(session, colleague.tenant_id, victim.user_id) == 0
        assert not await mark_read(session, colleague.tenant_id, victim.user_id, notification_id)
        assert await mark_all_read(session, colleague.tenant_id, victim.user_id) == 0
        # Past the service too: row-level security shows a person their own rows only.
        raw = await session.execute(text("SELECT user_id FROM notification WHERE id = :id"), {"id": notification_id})
        assert raw.all() == []
        changed = await session.execute(
            text("UPDATE notification SET read_at = now() WHERE id = :id"), {"id": notification_id}
        )
        assert changed.rowcount == 0  # type: ignore[attr-defined]
    async with victim.acting(sessions) as session:
        assert await unread_count(session, victim.tenant_id, victim.user_id) == 1


async def test_another_tenant_neither_sees_nor_marks_it_nor_notifies_into_it(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    victim = new_person(owner_engine, GOTEBORG, ["case_officer"])
    notification_id = await notify_one(sessions, victim)
    # The same person acting for another tenant they belong to sees nothing of the first one's.
    elsewhere = RequestContext(tenant_id=new_person(owner_engine, MALMO, []).tenant_id, user_id=victim.user_id)

    async with context_session(sessions, elsewhere) as session:
        assert elsewhere.tenant_id is not None
        assert await notices_of(session, elsewhere.tenant_id, victim.user_id) == []
        assert not await mark_read(session, elsewhere.tenant_id, victim.user_id, notification_id)
        raw = await session.execute(text("SELECT id FROM notification WHERE id = :id"), {"id": notification_id})
        assert raw.all() == []
    with pytest.raises(DBAPIError, match="row-level security"):
        async with context_session(sessions, elsewhere) as session:
            await notify(session, victim.tenant_id, [victim.user_id], TEST_KIND, "/")


async def test_without_a_user_no_notification_is_readable(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    person = new_person(owner_engine, GOTEBORG, ["case_officer"])
    await notify_one(sessions, person)
    async with context_session(sessions, RequestContext(tenant_id=person.tenant_id)) as session:
        assert await session.scalar(text("SELECT count(*) FROM notification")) == 0


@pytest.mark.parametrize(
    "link",
    ["https://elsewhere.example/", "//elsewhere.example/x", "/\\elsewhere.example", "javascript:alert(1)", "/a b", ""],
)
async def test_a_link_leads_only_to_a_page_of_the_platform(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine, link: str
) -> None:
    person = new_person(owner_engine, GOTEBORG, ["case_officer"])
    async with context_session(sessions, RequestContext(tenant_id=person.tenant_id)) as session:
        with pytest.raises(ValueError, match="path on this platform"):
            await notify(session, person.tenant_id, [person.user_id], TEST_KIND, link)
    # And the database refuses one that would get past the service.
    with pytest.raises(DBAPIError, match="link_is_local"):
        async with context_session(sessions, RequestContext(tenant_id=person.tenant_id)) as session:
            await session.execute(
                text("INSERT INTO notification (tenant_id, user_id, kind, link) VALUES (:t, :u, 'test', :link)"),
                {"t": person.tenant_id, "u": person.user_id, "link": "//elsewhere.example"},
            )


async def test_kinds_are_registered_codes(sessions: async_sessionmaker[AsyncSession], owner_engine: Engine) -> None:
    with pytest.raises(ValueError, match="lower-case code"):
        register_kind("Fri text", "Något")
    with pytest.raises(ValueError, match="another title"):
        register_kind(TEST_KIND.code, "En annan titel")
    assert register_kind(TEST_KIND.code, TEST_KIND.title) == TEST_KIND
    person = new_person(owner_engine, GOTEBORG, ["case_officer"])
    async with context_session(sessions, RequestContext(tenant_id=person.tenant_id)) as session:
        with pytest.raises(ValueError, match="unregistered"):
            await notify(session, person.tenant_id, [person.user_id], type(TEST_KIND)("unknown_kind", "X"), "/")


async def test_email_is_on_until_the_person_turns_it_off_and_only_they_can(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    person = new_person(owner_engine, GOTEBORG, ["case_officer"])
    other = new_person(owner_engine, GOTEBORG, ["case_officer"])
    async with person.acting(sessions) as session:
        assert await email_wanted(session, person.user_id)
        await choose_email(session, person.user_id, wanted=False)
    async with person.acting(sessions) as session:
        assert not await email_wanted(session, person.user_id)
    with pytest.raises(DBAPIError, match="row-level security"):
        async with other.acting(sessions) as session:
            await choose_email(session, person.user_id, wanted=True)
    async with other.acting(sessions) as session:
        assert (
            await session.scalar(
                text("SELECT count(*) FROM notification_preference WHERE user_id = :u"), {"u": person.user_id}
            )
            == 0
        )


async def test_without_an_smtp_server_notifications_stay_in_the_app(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    person = new_person(owner_engine, GOTEBORG, ["case_officer"])
    notification_id = await notify_one(sessions, person)
    assert outbox_ids(owner_engine, "send_notice_email", notification_id=str(notification_id)) == []
