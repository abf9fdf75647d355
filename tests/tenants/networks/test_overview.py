"""The overview: a member's networks, next meeting and new documents; the coordinator's members and minutes to approve.

Each sees only their own county's space: Skåne's coordinator and members nothing of Västra Götaland's,
an invited organisation's other people no meeting or document, and on the page and in the API alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from avhopp.tenants.networks.service import add_document, draft_minutes, overview
from tests.platform.web.conftest import SECRET_KEY
from tests.tenants.cases.api_client import api_for
from tests.tenants.networks.conftest import (
    GOTEBORG_KOLLEGA,
    GOTEBORG_NATVERK,
    MALMO_NATVERK,
    SKANE_SAMORDNARE,
    VG_SAMORDNARE,
    TwoCounties,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.service import Actor
    from tests.conftest import SignIn
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

PDF = b"%PDF-1.7\n" + b"0" * 100


async def _seed(acting_as: ActingAs, two_counties: TwoCounties) -> None:
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        await draft_minutes(session, actor, two_counties.vg_meeting, "Vi gick igenom behoven i länet.", ())
        await add_document(session, SECRET_KEY, actor, two_counties.vg_space, "Länsrapport hösten", PDF)
    async with acting_as(SKANE_SAMORDNARE) as (session, actor):
        await draft_minutes(session, actor, two_counties.skane_meeting, "Skånes protokoll.", ())
        await add_document(session, SECRET_KEY, actor, two_counties.skane_space, "Skånes vägledning", PDF)


async def test_the_overview_of_a_member_and_of_a_coordinator(acting_as: ActingAs, two_counties: TwoCounties) -> None:
    await _seed(acting_as, two_counties)
    now = datetime.now(UTC)
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        seen = await overview(session, actor, now)
        assert seen.coordinator
        assert [(s.line.name, s.members, s.upcoming) for s in seen.spaces] == [("Länsnätverket Västra Götaland", 1, 1)]
        assert seen.next_meeting is not None
        assert seen.next_meeting.meeting_id == two_counties.vg_meeting
        assert [m.meeting_id for m in seen.minutes_to_approve] == [two_counties.vg_meeting]
        assert [d.title for d in seen.new_documents] == ["Länsrapport hösten"]
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        seen = await overview(session, actor, now)
        assert not seen.coordinator
        assert [(s.line.name, s.members, s.upcoming) for s in seen.spaces] == [
            ("Länsnätverket Västra Götaland", None, 1)
        ]
        assert seen.next_meeting is not None
        assert seen.next_meeting.title == "Nätverksmöte Länsnätverket Västra Götaland"
        assert [(d.title, d.organisation, d.version) for d in seen.new_documents] == [
            ("Länsrapport hösten", "Länsstyrelsen i Västra Götalands län", 1)
        ]
        assert seen.minutes_to_approve == ()
    async with acting_as(GOTEBORG_KOLLEGA) as (session, actor):
        seen = await overview(session, actor, now)
        assert seen.next_meeting is None
        assert seen.new_documents == ()
    async with acting_as(MALMO_NATVERK) as (session, actor):
        seen = await overview(session, actor, now)
        assert [s.line.name for s in seen.spaces] == ["Länsnätverket Skåne"]
        assert [d.title for d in seen.new_documents] == ["Skånes vägledning"]


async def test_the_overview_page_and_api(sign_in: SignIn, acting_as: ActingAs, two_counties: TwoCounties) -> None:
    await _seed(acting_as, two_counties)
    coordinator = await sign_in(VG_SAMORDNARE)
    page = await coordinator.get("/natverk/")
    assert page.status_code == 200, page.text
    for shown in ("Nästa möte", "Nya dokument", "Länsrapport hösten", "Protokoll att justera"):
        assert shown in page.text
    assert "medlemsorganisationer: 1" in page.text
    assert "Skåne" not in page.text
    member = await api_for(sign_in, GOTEBORG_NATVERK)
    answer = await member.get("/api/v1/networks/overview")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["coordinator"] is False
    assert body["minutes_to_approve"] == []
    assert [s["space"]["name"] for s in body["spaces"]] == ["Länsnätverket Västra Götaland"]
    assert body["spaces"][0]["members"] is None
    assert body["next_meeting"]["id"] == str(two_counties.vg_meeting)
    assert datetime.fromisoformat(body["next_meeting"]["starts_at"]).utcoffset() is not None
    assert [d["title"] for d in body["new_documents"]] == ["Länsrapport hösten"]
    schema = (await member.get("/api/docs/openapi.json")).json()
    assert "/api/v1/networks/overview" in schema["paths"]
