"""Shortlist, offer, decline, accept under a lock, the placement, the police region told, move-out."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select, text

from avhopp.housing.placement import requests as placement_requests
from avhopp.housing.placement.notices import (
    notify_national_of_many_shortlists,
    notify_offer_answered,
    notify_offer_received,
    notify_police_region,
)
from avhopp.housing.placement.service import (
    NEUTRAL_FAILURE,
    NO_PROPOSAL_MESSAGE,
    DeclineReason,
    OfferStatus,
    RequestState,
    ShortlistLimitReached,
    UnitState,
    accept_offer,
    decline_offer,
    explanation_for_national,
    inbox,
    make_offer,
    move_out,
    placement_address,
    placement_view,
    request_view,
    shortlist_for,
    units_of,
    withdraw_offer,
)
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs.actors import run_once
from avhopp.platform.notifications.models import Notification
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.tenants.cases.service import TargetGroup
from tests.housing.placement.conftest import (
    KIRUNA,
    LIMHAMN,
    LULEA,
    STOCKHOLM,
    TODAY,
    UMEA,
    Place,
    case_for_placement,
    malmo_unit,
    operation_unit,
    placement_actor,
    request_for,
)
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import (
    GOTEBORG_SOCIALSEKRETERARE,
    KONSULTATION_PLACERING,
    MALMO_PLACERING,
    MALMO_SOCIALSEKRETERARE,
    NATIONELL_PLACERING,
    POLIS_KONTAKT,
)

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.housing.placement.service import Acceptance, Shortlist
    from avhopp.platform.jobs import Job
    from tests.housing.placement.conftest import ActingAs
    from tests.support.people import NamedPerson

OREBRO = Place("1880", "Örebro", 59.27, 15.21)
"""In police region Bergslagen, whose demo police tenant has the named police contact."""


async def shortlist_of(acting_as: ActingAs, request_id: UUID) -> Shortlist:
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        return await shortlist_for(session, placement_actor(actor), request_id)


async def offer(acting_as: ActingAs, request_id: UUID, unit_id: UUID) -> UUID:
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        return await make_offer(session, placement_actor(actor), request_id, unit_id)


async def accept(acting_as: ActingAs, person: NamedPerson, offer_id: UUID) -> Acceptance:
    async with acting_as(person) as (session, actor):
        return await accept_offer(session, SECRET_KEY, placement_actor(actor), offer_id)


def jobs_of(owner_engine: Engine, job: Job[Any]) -> list[uuid.UUID]:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.job_relay', 'on', true)"))
        rows = connection.execute(
            text("SELECT id FROM job_outbox WHERE actor_name = :actor ORDER BY created_at"), {"actor": job.name}
        )
        return [uuid.UUID(str(row.id)) for row in rows]


async def notices(sessions: async_sessionmaker[AsyncSession], tenant_id: UUID, person: NamedPerson) -> list[str]:
    async with context_session(sessions, RequestContext(tenant_id=tenant_id, user_id=person.user_id)) as session:
        rows = await session.execute(
            select(Notification.kind, Notification.link).where(Notification.user_id == person.user_id)
        )
        return sorted(f"{row.kind} {row.link}" for row in rows)


async def test_request_shortlist_decline_accept_police_and_move_out(  # noqa: PLR0915 - the whole walk
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    in_malmo = await malmo_unit(acting_as, address="Malmögatan 3")
    in_orebro = await operation_unit(acting_as, OREBRO, address="Örebrovägen 9, lgh 1102")
    in_umea = await operation_unit(acting_as, UMEA)
    case_id = await case_for_placement(acting_as, tenant_ids)
    request_id = await request_for(acting_as, case_id)

    proposals = (await shortlist_of(acting_as, request_id)).proposals
    assert {p.unit_id for p in proposals} == {str(in_malmo), str(in_orebro), str(in_umea)}
    first = await offer(acting_as, request_id, in_malmo)
    [received] = jobs_of(owner_engine, notify_offer_received)
    assert await run_once(sessions, notify_offer_received, received)
    assert await notices(sessions, tenant_ids["kommun-1280"], MALMO_PLACERING) == [
        "housing_offer_received /placering/erbjudanden"
    ]

    async with acting_as(MALMO_PLACERING) as (session, actor):
        [line] = await inbox(session, actor.tenant_id)
        assert (line.household_size, line.status, line.locality_name) == (2, OfferStatus.PENDING, "Malmö")
        [unit] = await units_of(session, actor.tenant_id)
        assert unit.state is UnitState.RESERVED
        await decline_offer(session, placement_actor(actor), first, DeclineReason.CAPACITY.value)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        assert (await request_view(session, placement_actor(actor), request_id)).state is RequestState.OPEN

    second = await offer(acting_as, request_id, in_orebro)
    accepted = await accept(acting_as, KONSULTATION_PLACERING, second)
    assert accepted.placement_id is not None
    assert accepted.identity_shared  # the consent names the operation with the identity category
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        view = await request_view(session, placement_actor(actor), request_id)
        assert view.state is RequestState.PLACED
        address = await placement_address(session, SECRET_KEY, placement_actor(actor), accepted.placement_id)
    assert address == "Örebrovägen 9, lgh 1102"
    async with acting_as(KONSULTATION_PLACERING) as (session, actor):
        seen = await placement_view(session, placement_actor(actor), accepted.placement_id)
        assert (seen.locality_name, seen.receiving, seen.request_id) == ("Örebro", True, None)
    for outsider in (MALMO_PLACERING, MALMO_SOCIALSEKRETERARE):
        async with acting_as(outsider) as (session, actor):
            with pytest.raises(NotFoundError):
                await placement_address(session, SECRET_KEY, placement_actor(actor), accepted.placement_id)

    [police_job] = jobs_of(owner_engine, notify_police_region)
    assert await run_once(sessions, notify_police_region, police_job)
    police_notices = await notices(sessions, tenant_ids["polisen-bergslagen"], POLIS_KONTAKT)
    assert police_notices == ["housing_police_placement /arenden/hotbedomningar"]
    with owner_engine.connect() as connection:
        reads = connection.execute(
            text("SELECT count(*) FROM audit_event WHERE action = 'housing.placement_address_read'")
        ).scalar_one()
    assert reads == 1

    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await move_out(session, placement_actor(actor), accepted.placement_id, TODAY - timedelta(days=400))
        assert refused.value.by_field() == {"moved_out_on": "Utflyttningsdagen kan inte ligga före inflyttningsdagen."}
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await move_out(session, placement_actor(actor), accepted.placement_id, max(TODAY, seen.move_in_on))
        assert (await request_view(session, placement_actor(actor), request_id)).state is RequestState.ENDED
    async with acting_as(KONSULTATION_PLACERING) as (session, actor):
        states = {line.id: line.state for line in await units_of(session, actor.tenant_id)}
    assert states[in_orebro] is UnitState.AVAILABLE
    answered = jobs_of(owner_engine, notify_offer_answered)
    for job_id in answered:
        assert await run_once(sessions, notify_offer_answered, job_id)
    officer = await notices(sessions, tenant_ids["kommun-1480"], GOTEBORG_SOCIALSEKRETERARE)
    assert officer == [f"housing_offer_answered /placering/begaran/{request_id}"] * 2


async def test_two_acceptances_at_the_same_time_never_place_two_related_people_near_each_other(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    in_malmo = await malmo_unit(acting_as)
    in_limhamn = await malmo_unit(acting_as, LIMHAMN)
    first_case = await case_for_placement(acting_as, tenant_ids, "Adam Andersson", TargetGroup.MC_GANG)
    second_case = await case_for_placement(acting_as, tenant_ids, "Bodil Berg", TargetGroup.MC_GANG)
    first_request = await request_for(acting_as, first_case)
    second_request = await request_for(acting_as, second_case)
    offers = (await offer(acting_as, first_request, in_malmo), await offer(acting_as, second_request, in_limhamn))

    # Two real connections, each accepting in its own transaction, at the same moment.
    results = await asyncio.gather(*(accept(acting_as, MALMO_PLACERING, offer_id) for offer_id in offers))

    placed = [result for result in results if result.placement_id is not None]
    failed = [result for result in results if result.placement_id is None]
    assert len(placed) == 1
    assert [result.message for result in failed] == [NEUTRAL_FAILURE]
    with owner_engine.connect() as connection:
        statuses = sorted(connection.execute(text("SELECT status FROM housing_offer")).scalars())
        active = connection.execute(text("SELECT count(*) FROM housing_placement WHERE moved_out_on IS NULL"))
        assert active.scalar_one() == 1
    assert statuses == ["accepted", "failed"]


async def test_the_shortlist_is_the_same_whether_a_town_was_excluded_by_a_placement_or_for_another_reason(
    acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    for place in (UMEA, LULEA, STOCKHOLM):
        await operation_unit(acting_as, place)
    too_small = await operation_unit(acting_as, KIRUNA, size=1)
    case_id = await case_for_placement(acting_as, tenant_ids, "Adam Andersson", TargetGroup.MC_GANG)
    request_id = await request_for(acting_as, case_id, household=2)
    # Kiruna's only unit is too small for the household.
    excluded_for_size = await shortlist_of(acting_as, request_id)

    # Someone of the same coded affiliation is placed in Kiruna; a unit there that fits is then excluded for that.
    other_case = await case_for_placement(acting_as, tenant_ids, "Bodil Berg", TargetGroup.MC_GANG)
    other_request = await request_for(acting_as, other_case, household=1)
    assert await accept(acting_as, KONSULTATION_PLACERING, await offer(acting_as, other_request, too_small))
    await operation_unit(acting_as, KIRUNA, size=4)
    excluded_by_placement = await shortlist_of(acting_as, request_id)

    assert excluded_by_placement.to_json() == excluded_for_size.to_json()
    assert "2584" not in {p.municipality_code for p in excluded_by_placement.proposals}
    assert len({p.municipality_code for p in excluded_by_placement.proposals}) == 3


async def test_nothing_to_propose_is_one_sentence_and_the_answer_takes_the_floor_time(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(placement_requests, "SHORTLIST_FLOOR_SECONDS", 0.2)
    case_id = await case_for_placement(acting_as, tenant_ids)
    request_id = await request_for(acting_as, case_id)
    started = datetime.now(UTC)
    answer = await shortlist_of(acting_as, request_id)
    assert (datetime.now(UTC) - started).total_seconds() >= 0.2
    assert (answer.proposals, answer.message) == ((), NO_PROPOSAL_MESSAGE)


async def test_accepting_after_the_deadline_or_a_withdrawn_offer_is_refused_and_changes_nothing(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    unit_id = await malmo_unit(acting_as)
    request_id = await request_for(acting_as, await case_for_placement(acting_as, tenant_ids))
    offer_id = await offer(acting_as, request_id, unit_id)
    with owner_engine.begin() as connection:
        connection.execute(text("UPDATE housing_offer SET deadline_at = now() - interval '1 minute'"))
    with pytest.raises(InvalidInputError) as late:
        await accept(acting_as, MALMO_PLACERING, offer_id)
    assert late.value.by_field() == {"offer_id": "Svarstiden för erbjudandet har gått ut."}

    with owner_engine.begin() as connection:
        connection.execute(text("UPDATE housing_offer SET deadline_at = now() + interval '1 day'"))
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await withdraw_offer(session, placement_actor(actor), offer_id)
    with pytest.raises(InvalidInputError) as withdrawn:
        await accept(acting_as, MALMO_PLACERING, offer_id)
    assert "inte längre aktuellt" in withdrawn.value.message
    with owner_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM housing_placement")).scalar_one() == 0


async def test_another_organisation_can_neither_see_nor_answer_an_offer(
    acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    unit_id = await malmo_unit(acting_as)
    request_id = await request_for(acting_as, await case_for_placement(acting_as, tenant_ids))
    offer_id = await offer(acting_as, request_id, unit_id)
    for outsider in (KONSULTATION_PLACERING, GOTEBORG_SOCIALSEKRETERARE):
        with pytest.raises(NotFoundError):
            await accept(acting_as, outsider, offer_id)
        async with acting_as(outsider) as (session, actor):
            with pytest.raises(NotFoundError):
                await decline_offer(session, placement_actor(actor), offer_id, DeclineReason.OTHER.value)
            assert await inbox(session, actor.tenant_id) == []


async def test_the_full_explanation_is_the_national_roles_only_and_each_view_is_audited(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    await malmo_unit(acting_as)
    request_id = await request_for(acting_as, await case_for_placement(acting_as, tenant_ids))
    for outsider in (GOTEBORG_SOCIALSEKRETERARE, MALMO_PLACERING):
        async with acting_as(outsider) as (session, actor):
            with pytest.raises(NotFoundError):
                await explanation_for_national(session, placement_actor(actor), request_id)
    async with acting_as(NATIONELL_PLACERING) as (session, actor):
        explanation = await explanation_for_national(session, placement_actor(actor), request_id)
    assert explanation["outcome"] == "foreslagen"
    assert explanation["units_considered"] == 1
    with owner_engine.connect() as connection:
        views = connection.execute(
            text("SELECT count(*) FROM audit_event WHERE action = 'housing.explanation_viewed' AND tenant_id = :t"),
            {"t": tenant_ids["bra"]},
        ).scalar_one()
    assert views == 1


async def test_shortlists_are_limited_per_person_across_transactions_and_the_pattern_is_flagged(
    acting_as: ActingAs,
    tenant_ids: dict[str, UUID],
    monkeypatch: pytest.MonkeyPatch,
    owner_engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    monkeypatch.setattr("avhopp.housing.placement.ratelimit.PER_PERSON_PER_MINUTE", 2)
    request_id = await request_for(acting_as, await case_for_placement(acting_as, tenant_ids))
    await shortlist_of(acting_as, request_id)
    assert jobs_of(owner_engine, notify_national_of_many_shortlists) == []
    await shortlist_of(acting_as, request_id)
    with pytest.raises(ShortlistLimitReached):
        await shortlist_of(acting_as, request_id)

    [flagged] = jobs_of(owner_engine, notify_national_of_many_shortlists)
    assert await run_once(sessions, notify_national_of_many_shortlists, flagged)
    assert await notices(sessions, tenant_ids["bra"], NATIONELL_PLACERING) == [
        "housing_many_shortlists /placering/nationell"
    ]
