"""National rounds: gathered by the national coordinator, solved jointly, reviewed (audited), sent all or none."""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from avhopp.housing.placement.notices import notify_round_offer
from avhopp.housing.placement.rounds import CHANGED_SINCE
from avhopp.housing.placement.service import (
    RequestState,
    RoundStatus,
    cancel_round,
    gather_round,
    inbox,
    request_view,
    round_candidates,
    round_view,
    send_round,
    withdraw_request,
)
from avhopp.platform.jobs.actors import run_once
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.tenants.cases.service import TargetGroup
from tests.housing.placement.conftest import (
    KIRUNA,
    case_for_placement,
    malmo_unit,
    operation_unit,
    placement_actor,
    request_for,
)
from tests.housing.placement.test_offers import jobs_of, notices
from tests.support.people import (
    GOTEBORG_SOCIALSEKRETERARE,
    KONSULTATION_PLACERING,
    MALMO_PLACERING,
    NATIONELL_PLACERING,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.conftest import SignIn
    from tests.housing.placement.conftest import ActingAs


async def two_requests(acting_as: ActingAs, tenant_ids: dict[str, UUID]) -> tuple[UUID, UUID]:
    """Two people of the same MC gang, one unit in Malmö and one in Kiruna: safe only far apart."""
    await malmo_unit(acting_as)
    await operation_unit(acting_as, KIRUNA)
    first = await case_for_placement(acting_as, tenant_ids, "Adam Andersson", TargetGroup.MC_GANG)
    second = await case_for_placement(acting_as, tenant_ids, "Bertil Berg", TargetGroup.MC_GANG)
    return await request_for(acting_as, first), await request_for(acting_as, second)


async def gathered(acting_as: ActingAs, request_ids: list[UUID]) -> UUID:
    async with acting_as(NATIONELL_PLACERING) as (session, actor):
        return await gather_round(session, placement_actor(actor), request_ids)


@contextmanager
def refused(message: str) -> Iterator[None]:
    """The block is refused with a Swedish message containing `message`."""
    with pytest.raises(InvalidInputError) as caught:
        yield
    assert message in caught.value.problems[0].message


def audited(owner_engine: Engine, action: str) -> int:
    with owner_engine.connect() as connection:
        counted: int = connection.execute(
            text("SELECT count(*) FROM audit_event WHERE action = :action"), {"action": action}
        ).scalar_one()
    return counted


async def test_a_round_places_related_people_apart_and_sends_their_offers_for_the_requesters(
    acting_as: ActingAs,
    tenant_ids: dict[str, UUID],
    owner_engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first, second = await two_requests(acting_as, tenant_ids)
    async with acting_as(NATIONELL_PLACERING) as (session, _):
        assert {candidate.request_id for candidate in await round_candidates(session)} == {first, second}
    round_id = await gathered(acting_as, [first, second])

    async with acting_as(NATIONELL_PLACERING) as (session, actor):
        view = await round_view(session, placement_actor(actor), round_id)
    assert (view.line.status, view.line.requested, view.line.placed) == (RoundStatus.SOLVED, 2, 2)
    assert sorted(entry.municipality_code or "" for entry in view.entries) == ["1280", "2584"]
    assert all(entry.requester == "Göteborgs Stad" and entry.summary for entry in view.entries)
    assert (audited(owner_engine, "housing.round_gathered"), audited(owner_engine, "housing.round_viewed")) == (1, 1)

    async with acting_as(NATIONELL_PLACERING) as (session, actor):
        assert await send_round(session, placement_actor(actor), round_id) == 2
    async with acting_as(MALMO_PLACERING) as (session, actor):
        assert len(await inbox(session, actor.tenant_id)) == 1
    async with acting_as(KONSULTATION_PLACERING) as (session, actor):
        assert len(await inbox(session, actor.tenant_id)) == 1
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        states = {(await request_view(session, placement_actor(actor), r)).state for r in (first, second)}
    assert states == {RequestState.OFFERED}
    assert audited(owner_engine, "housing.offer_made") == 2

    for job_id in jobs_of(owner_engine, notify_round_offer):
        assert await run_once(sessions, notify_round_offer, job_id)
    told = await notices(sessions, tenant_ids["kommun-1480"], GOTEBORG_SOCIALSEKRETERARE)
    assert told == sorted(f"housing_round_offer /placering/begaran/{r}" for r in (first, second))
    assert await notices(sessions, tenant_ids["kommun-1280"], MALMO_PLACERING) == [
        "housing_offer_received /placering/erbjudanden"
    ]

    async with acting_as(NATIONELL_PLACERING) as (session, actor):
        with refused("redan skickad"):
            await send_round(session, placement_actor(actor), round_id)


async def test_nothing_is_sent_when_the_country_changed_and_a_cancelled_round_leaves_requests_open(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    first, second = await two_requests(acting_as, tenant_ids)
    round_id = await gathered(acting_as, [first, second])
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await withdraw_request(session, placement_actor(actor), first)

    async with acting_as(NATIONELL_PLACERING) as (session, actor):
        with refused(CHANGED_SINCE):
            await send_round(session, placement_actor(actor), round_id)
    with owner_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM housing_offer")).scalar_one() == 0

    async with acting_as(NATIONELL_PLACERING) as (session, actor):
        await cancel_round(session, placement_actor(actor), round_id)
        assert (await round_view(session, placement_actor(actor), round_id)).line.status is RoundStatus.CANCELLED
        assert [candidate.request_id for candidate in await round_candidates(session)] == [second]
        with refused("redan skickad eller avbruten"):
            await send_round(session, placement_actor(actor), round_id)


async def test_a_round_needs_two_open_requests_each_chosen_once(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    first, _ = await two_requests(acting_as, tenant_ids)
    async with acting_as(NATIONELL_PLACERING) as (session, actor):
        for chosen, message in (
            ([first], "Välj minst 2"),
            ([first, first], "två gånger"),
            ([first, tenant_ids["kommun-1280"]], "inte längre öppna"),
        ):
            with refused(message):
                await gather_round(session, placement_actor(actor), chosen)
    with owner_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM housing_round")).scalar_one() == 0


async def test_only_the_national_placement_role_sees_candidates_and_rounds(
    acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    first, second = await two_requests(acting_as, tenant_ids)
    round_id = await gathered(acting_as, [first, second])
    for outsider in (GOTEBORG_SOCIALSEKRETERARE, MALMO_PLACERING):
        async with acting_as(outsider) as (session, actor):
            assert await round_candidates(session) == []
            with pytest.raises(NotFoundError):
                await round_view(session, placement_actor(actor), round_id)
            with pytest.raises(NotFoundError):
                await send_round(session, placement_actor(actor), round_id)
            with refused("inte längre öppna"):
                await gather_round(session, placement_actor(actor), [first, second])
            # The database function itself refuses to send for anyone but the round's own tenant.
            offer = await session.scalar(
                text("SELECT housing_round_offer(:round, :request, now())"), {"round": round_id, "request": first}
            )
            assert offer is None


async def test_the_pages_gather_review_and_send_with_a_confirmation(
    sign_in: SignIn, acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    first, second = await two_requests(acting_as, tenant_ids)
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    assert (await officer.get("/placering/nationell/omgangar")).status_code == 403
    national = await sign_in(NATIONELL_PLACERING)
    start = await national.get("/placering/nationell/omgangar")
    assert start.status_code == 200
    assert "Göteborgs Stad" in start.text
    too_few = await national.post_form(start, "/placering/nationell/omgangar", {"request_ids": str(first)})
    assert too_few.status_code == 400
    assert "Välj minst 2" in too_few.text
    made = await national.post_form(start, "/placering/nationell/omgangar", {"request_ids": [str(first), str(second)]})
    assert made.status_code in {302, 303}
    review = await national.get(made.headers["location"])
    assert review.status_code == 200
    assert "Ja, skicka erbjudandena" in review.text
    action = re.findall(r'action="(/placering/nationell/omgangar/[0-9a-f-]+/skicka)"', review.text)[0]
    sent = await national.post_form(review, action, {})
    assert sent.status_code in {302, 303}
    assert "Erbjudandena skickade" in (await national.get(made.headers["location"])).text
