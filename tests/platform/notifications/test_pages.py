"""`/notiser` and the header: the unread count, marking as read, the choice of e-mail; only one's own."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import event, text

from avhopp.platform.database import ContextSession, RequestContext, context_session
from avhopp.platform.notifications import notify
from avhopp.tenants.registry.roles import Role
from tests.platform.notifications.conftest import TEST_KIND
from tests.support.people import person_in

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from sqlalchemy.orm import Session

    from tests.conftest import SignIn


GOTEBORG = "kommun-1480"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


async def notify_person(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine, user_id: uuid.UUID, link: str
) -> uuid.UUID:
    with owner_engine.connect() as connection:
        tenant_id = connection.execute(text("SELECT id FROM tenant WHERE slug = :s"), {"s": GOTEBORG}).scalar_one()
    async with context_session(sessions, RequestContext(tenant_id=tenant_id)) as session:
        (notification_id,) = await notify(session, tenant_id, [user_id], TEST_KIND, link)
    return notification_id


def header_link(page: str) -> str:
    match = re.search(r'<a class="ds-link app-notices-link"[^>]*>.*?</a>', page, re.DOTALL)
    assert match is not None, "no notifications link in the header"
    return match.group(0)


async def test_the_header_counts_unread_and_the_list_marks_them_read(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    person = person_in(GOTEBORG, Role.CASE_OFFICER, key="notiser-1")
    browser = await sign_in(person)
    user_id = person.user_id
    assert 'aria-label="Notiser, inga olästa"' in header_link((await browser.get("/")).text)
    first = await notify_person(sessions, owner_engine, user_id, "/remisser")
    for link in ("/katalog", "/konto"):
        await notify_person(sessions, owner_engine, user_id, link)

    start = await browser.get("/konto")
    link = header_link(start.text)
    assert 'aria-label="Notiser, 3 olästa"' in link
    assert 'href="/notiser"' in link
    assert '<span class="app-badge">3</span>' in link

    listing = await browser.get("/notiser")
    assert listing.status_code == 200
    for path in ("/remisser", "/katalog", "/konto"):
        assert f'href="{path}"' in listing.text
    assert listing.text.count("Något nytt att titta på") == 3
    with owner_engine.connect() as connection:
        created = connection.execute(
            text("SELECT created_at FROM notification WHERE id = :id"), {"id": first}
        ).scalar_one()
    assert created.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") in listing.text

    marked = await browser.post_form(listing, f"/notiser/{first}/las", {})
    assert (marked.status_code, marked.headers["location"]) == (303, "/notiser")
    assert 'aria-label="Notiser, 2 olästa"' in header_link((await browser.get("/notiser")).text)

    listing = await browser.get("/notiser")
    await browser.post_form(listing, "/notiser/las-alla", {})
    after = await browser.get("/notiser")
    assert 'aria-label="Notiser, inga olästa"' in header_link(after.text)
    assert "Markera som läst" not in after.text

    browser.client.cookies.set("avhopp_lang", "en")
    english = await browser.get("/notiser")
    assert 'aria-label="Notifications, none unread"' in header_link(english.text)
    assert "Send me an e-mail when I get a new notification" in english.text


async def test_a_page_with_its_count_is_one_transaction(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    person = person_in(GOTEBORG, Role.CASE_OFFICER, key="notiser-4")
    browser = await sign_in(person)
    await notify_person(sessions, owner_engine, person.user_id, "/remisser")
    # The request's one transaction begins before it knows who acts (the principal's read says so);
    # any transaction begun as the person is a second one. Jobs running meanwhile never act as them.
    begun_as_person: list[object] = []

    def record(session: Session, transaction: object, _connection: object) -> None:
        if session.info["context"].user_id == person.user_id:
            begun_as_person.append(transaction)

    event.listen(ContextSession, "after_begin", record)
    try:
        page = await browser.get("/notiser")
    finally:
        event.remove(ContextSession, "after_begin", record)
    assert 'aria-label="Notiser, 1 oläst"' in header_link(page.text)
    assert begun_as_person == []


async def test_no_count_is_read_for_api_calls_or_fragments(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    person = person_in(GOTEBORG, Role.CASE_OFFICER, key="notiser-2")
    browser = await sign_in(person)
    user_id = person.user_id
    await notify_person(sessions, owner_engine, user_id, "/remisser")
    fragment = await browser.client.get("/notiser", headers={"accept": "text/html", "hx-request": "true"})
    assert "app-notices-link" not in fragment.text


async def test_a_colleague_cannot_see_or_mark_anothers_notification(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    victim_person = person_in(GOTEBORG, Role.CASE_OFFICER, key="notiser-3")
    victim = await sign_in(victim_person)
    victim_id = victim_person.user_id
    attacker = await sign_in(person_in(GOTEBORG, Role.CASE_OFFICER, key="notiser-4"))
    secret_path = f"/remisser/{uuid.uuid4()}"
    notification_id = await notify_person(sessions, owner_engine, victim_id, secret_path)

    listing = await attacker.get("/notiser")
    assert secret_path not in listing.text
    assert 'aria-label="Notiser, inga olästa"' in header_link(listing.text)
    refused = await attacker.post_form(listing, f"/notiser/{notification_id}/las", {})
    assert refused.status_code == 404
    await attacker.post_form(listing, "/notiser/las-alla", {"user_id": str(victim_id)})
    victims_page = await victim.get("/notiser")
    assert 'aria-label="Notiser, 1 oläst"' in header_link(victims_page.text)
    assert secret_path in victims_page.text


async def test_marking_read_needs_the_csrf_token(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    person = person_in(GOTEBORG, Role.CASE_OFFICER, key="notiser-5")
    browser = await sign_in(person)
    user_id = person.user_id
    notification_id = await notify_person(sessions, owner_engine, user_id, "/remisser")
    refused = await browser.client.post(f"/notiser/{notification_id}/las", data={})
    assert refused.status_code == 403
    assert 'aria-label="Notiser, 1 oläst"' in header_link((await browser.get("/notiser")).text)


async def test_a_person_turns_email_off_and_on(sign_in: SignIn, owner_engine: Engine) -> None:
    person = person_in(GOTEBORG, Role.LINE_SUPERVISOR, key="notiser-6")
    browser = await sign_in(person)
    user_id = person.user_id
    page = await browser.get("/notiser")
    assert re.search(r'<input[^>]*id="email"[^>]*checked', page.text)
    assert "Plattformen skickar ingen e-post just nu" in page.text

    await browser.post_form(page, "/notiser/e-post", {})
    page = await browser.get("/notiser")
    assert not re.search(r'<input[^>]*id="email"[^>]*checked', page.text)
    assert stored_choice(owner_engine, user_id) is False

    await browser.post_form(page, "/notiser/e-post", {"email": "on"})
    assert stored_choice(owner_engine, user_id) is True


def stored_choice(owner_engine: Engine, user_id: uuid.UUID) -> bool | None:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.user_id', :u, true)"), {"u": str(user_id)})
        return connection.execute(
            text("SELECT email FROM notification_preference WHERE user_id = :u"), {"u": user_id}
        ).scalar_one_or_none()
