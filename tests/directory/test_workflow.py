"""Proposing, reviewing, publishing and confirming entries, and row-level security behind them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from avhopp.directory.catalogue.jobs import remind_owners_of_stale_entries
from avhopp.directory.catalogue.models import PublishedService, Revision, RevisionStatus, VerificationReminder
from avhopp.directory.catalogue.service import (
    confirm_service,
    decide_in_tenant,
    history_of_entry_in_tenant,
    own_entries_in_tenant,
    propose,
    publish_organization,
    publish_service,
    published_service,
    revision_for_review_in_tenant,
    revisions_for_review_in_tenant,
    withdraw,
)
from avhopp.platform.problems import InvalidInputError, NotFoundError
from tests.directory.conftest import COORDINATOR, GOTEBORG, KC, MALMO, changed, organization, service

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from avhopp.directory.catalogue.entry import OrganizationEntry
    from tests.directory.conftest import Tenants

TODAY = date(2026, 11, 21)


def reviewer_id(owner_engine: Engine) -> uuid.UUID:
    with owner_engine.begin() as connection:
        user_id: uuid.UUID = connection.execute(
            text("INSERT INTO app_user (display_name) VALUES ('Granskaren') RETURNING id")
        ).scalar_one()
    return user_id


async def published_for(tenants: Tenants, slug: str) -> OrganizationEntry:
    """An organisation published for `slug`, as the coordinator would after review."""
    entry = organization()
    async with tenants.acting(COORDINATOR) as session:
        await publish_organization(session, tenants.ids[slug], entry)
    return entry


async def test_a_proposal_goes_live_only_when_the_coordinator_approves(tenants: Tenants, owner_engine: Engine) -> None:
    owner = await published_for(tenants, KC)
    proposed = service(owner)
    async with tenants.acting(KC) as session:
        revision_id = await propose(session, tenants.ids[KC], None, proposed, TODAY)
    async with tenants.acting(None) as session:
        with pytest.raises(NotFoundError):
            await published_service(session, proposed.id)

    async with tenants.acting(COORDINATOR) as session:
        decided = await decide_in_tenant(
            session, tenants.ids[COORDINATOR], revision_id, reviewer_id(owner_engine), approve=True, note=""
        )
    assert decided.status is RevisionStatus.APPROVED
    async with tenants.acting(None) as session:
        live = await published_service(session, proposed.id)
    assert live.service == changed(proposed, verified_on=TODAY)
    assert live.organization == owner
    async with tenants.acting(KC) as session:
        history = await history_of_entry_in_tenant(session, tenants.ids[KC], proposed.id)
    assert [revision.status for revision in history] == [RevisionStatus.APPROVED]


async def test_a_rejection_must_say_why_and_publishes_nothing(tenants: Tenants, owner_engine: Engine) -> None:
    owner = await published_for(tenants, KC)
    proposed = service(owner)
    async with tenants.acting(KC) as session:
        revision_id = await propose(session, tenants.ids[KC], None, proposed, TODAY)
    reviewer = reviewer_id(owner_engine)
    async with tenants.acting(COORDINATOR) as session:
        with pytest.raises(InvalidInputError) as refused:
            await decide_in_tenant(session, tenants.ids[COORDINATOR], revision_id, reviewer, approve=False, note="  ")
    assert refused.value.problems[0].field == "review_note"
    async with tenants.acting(COORDINATOR) as session:
        await decide_in_tenant(
            session, tenants.ids[COORDINATOR], revision_id, reviewer, approve=False, note="Ange telefontider."
        )
    async with tenants.acting(KC) as session:
        (rejected,) = await history_of_entry_in_tenant(session, tenants.ids[KC], proposed.id)
    assert (rejected.status, rejected.review_note) == (RevisionStatus.REJECTED, "Ange telefontider.")
    async with tenants.acting(None) as session:
        with pytest.raises(NotFoundError):
            await published_service(session, proposed.id)


async def test_only_the_coordinator_reviews_and_others_see_only_their_own_history(
    tenants: Tenants, owner_engine: Engine
) -> None:
    owner = await published_for(tenants, KC)
    proposed = service(owner)
    async with tenants.acting(KC) as session:
        revision_id = await propose(session, tenants.ids[KC], None, proposed, TODAY)
    reviewer = reviewer_id(owner_engine)
    for attacker in (KC, MALMO):
        async with tenants.acting(attacker) as session:
            with pytest.raises(NotFoundError):
                await revisions_for_review_in_tenant(session, tenants.ids[attacker], status=RevisionStatus.PENDING)
            with pytest.raises(NotFoundError):
                await revision_for_review_in_tenant(session, tenants.ids[attacker], revision_id)
            with pytest.raises(NotFoundError):
                await decide_in_tenant(session, tenants.ids[attacker], revision_id, reviewer, approve=True, note="")
    async with tenants.acting(MALMO) as session:
        assert await history_of_entry_in_tenant(session, tenants.ids[MALMO], proposed.id) == []
    async with tenants.acting(COORDINATOR) as session:
        (pending,) = await history_of_entry_in_tenant(session, tenants.ids[COORDINATOR], proposed.id)
    assert pending.status is RevisionStatus.PENDING
    async with tenants.acting(None) as session:
        with pytest.raises(NotFoundError):
            await published_service(session, proposed.id)


async def test_only_one_proposal_per_entry_awaits_review_and_it_can_be_withdrawn(tenants: Tenants) -> None:
    owner = await published_for(tenants, KC)
    proposed = service(owner)
    async with tenants.acting(KC) as session:
        first = await propose(session, tenants.ids[KC], None, proposed, TODAY)
    async with tenants.acting(KC) as session:
        with pytest.raises(InvalidInputError):
            await propose(session, tenants.ids[KC], None, changed(proposed, name="Nytt namn"), TODAY)
    async with tenants.acting(KC) as session:
        await withdraw(session, tenants.ids[KC], first)
    async with tenants.acting(KC) as session:
        await propose(session, tenants.ids[KC], None, changed(proposed, name="Nytt namn"), TODAY)


async def test_a_tenant_cannot_propose_for_another_tenants_organisation_or_entry(tenants: Tenants) -> None:
    theirs = await published_for(tenants, KC)
    async with tenants.acting(COORDINATOR) as session:
        live = service(theirs)
        await publish_service(session, tenants.ids[KC], live)
    async with tenants.acting(MALMO) as session:
        with pytest.raises(InvalidInputError) as new_under_theirs:
            await propose(session, tenants.ids[MALMO], None, service(theirs), TODAY)
    assert new_under_theirs.value.problems[0].field == "organization_id"
    mine = await published_for(tenants, MALMO)
    async with tenants.acting(MALMO) as session:
        with pytest.raises(InvalidInputError) as taking_over:
            await propose(session, tenants.ids[MALMO], None, changed(live, organization_id=mine.id), TODAY)
    assert taking_over.value.problems[0].field == "id"
    async with tenants.acting(MALMO) as session:
        with pytest.raises(NotFoundError):
            await confirm_service(session, tenants.ids[MALMO], live.id, TODAY)


async def test_the_coordinator_cannot_move_an_entry_to_another_owner(tenants: Tenants) -> None:
    owner = await published_for(tenants, KC)
    live = service(owner)
    async with tenants.acting(COORDINATOR) as session:
        await publish_service(session, tenants.ids[KC], live)
    async with tenants.acting(COORDINATOR) as session:
        with pytest.raises(InvalidInputError):
            await publish_organization(session, tenants.ids[MALMO], owner)


async def test_row_level_security_lets_only_the_coordinator_publish(tenants: Tenants) -> None:
    owner = organization()
    for slug in (GOTEBORG, KC, None):
        async with tenants.acting(slug) as session:
            with pytest.raises(DBAPIError, match="row-level security"):
                await publish_organization(session, tenants.ids[KC], owner)


async def test_row_level_security_keeps_proposals_with_their_owner_and_the_coordinator(tenants: Tenants) -> None:
    owner = await published_for(tenants, KC)
    proposed = service(owner, description="Ett förslag som bara ägaren och samordnaren får se.")
    async with tenants.acting(KC) as session:
        await propose(session, tenants.ids[KC], None, proposed, TODAY)
    seen = {}
    for slug in (KC, COORDINATOR, MALMO, None):
        async with tenants.acting(slug) as session:
            seen[slug] = await session.scalar(
                select(func.count()).select_from(Revision).where(Revision.subject_id == proposed.id)
            )
    assert seen == {KC: 1, COORDINATOR: 1, MALMO: 0, None: 0}
    async with tenants.acting(MALMO) as session:
        with pytest.raises(DBAPIError, match="row-level security"):
            await session.execute(
                insert(Revision).values(
                    tenant_id=tenants.ids[KC], subject="service", subject_id=uuid.uuid4(), document={}
                )
            )


async def test_confirming_marks_the_entry_verified_today(tenants: Tenants) -> None:
    owner = await published_for(tenants, KC)
    live = service(owner, source_note="Uppgifter från 2014.")
    async with tenants.acting(COORDINATOR) as session:
        await publish_service(session, tenants.ids[KC], live)
    async with tenants.acting(KC) as session:
        await confirm_service(session, tenants.ids[KC], live.id, TODAY)
    async with tenants.acting(None) as session:
        confirmed = await published_service(session, live.id)
    # The table's whole rows are read acting for a tenant (the public reads the public view).
    async with tenants.acting(KC) as session:
        column = await session.scalar(select(PublishedService.verified_on).where(PublishedService.id == live.id))
    assert (confirmed.service.verified_on, column, confirmed.service.source_note) == (TODAY, TODAY, "")


async def test_owners_of_stale_entries_are_reminded_once_a_month(tenants: Tenants) -> None:
    owner = await published_for(tenants, KC)
    stale = service(owner, verified_on=TODAY - timedelta(days=200))
    fresh = service(owner, verified_on=TODAY - timedelta(days=20))
    async with tenants.acting(COORDINATOR) as session:
        for entry in (stale, fresh):
            await publish_service(session, tenants.ids[KC], entry)

    async with tenants.acting(None) as session:
        await remind_owners_of_stale_entries(session, TODAY)
    async with tenants.acting(None) as session:
        await remind_owners_of_stale_entries(session, TODAY + timedelta(days=2))
    async with tenants.acting(KC) as session:
        reminded = list(
            await session.scalars(
                select(VerificationReminder.service_id).where(VerificationReminder.service_id.in_([stale.id, fresh.id]))
            )
        )
        entries = await own_entries_in_tenant(session, tenants.ids[KC])
    assert reminded == [stale.id]
    assert stale.id in entries.reminded
    async with tenants.acting(MALMO) as session:
        foreign = await session.scalar(
            select(func.count()).select_from(VerificationReminder).where(VerificationReminder.service_id == stale.id)
        )
    assert foreign == 0
