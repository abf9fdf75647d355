"""Who sees a case: its team only; another organisation only while a consent names it, and only
the categories it names; nobody the second after the consent is revoked. Tried from the
attacker's side too: the same reads in SQL, through row-level security, find nothing."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.tenants.cases.models import CaseFile, CaseGrant, CasePerson, FollowUp, ThreatAssessment
from avhopp.tenants.cases.service import (
    Category,
    Intervention,
    InterventionInput,
    MeetingInput,
    Phase,
    ThreatInput,
    ThreatLevel,
    ThreatScope,
    case_for_actor,
    change_phase,
    join_shared_case,
    my_cases,
    open_person,
    police_lead,
    record_consent,
    record_meeting,
    record_threat_assessment,
    request_threat_assessment,
    revoke_consent,
    shared_with_tenant,
)
from avhopp.tenants.registry.roles import Role
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import (
    GOTEBORG,
    GOTEBORG_ENHETSCHEF,
    GOTEBORG_SOCIALSEKRETERARE,
    KC,
    KC_HANDLAGGARE,
    MALMO,
    MALMO_SOCIALSEKRETERARE,
    POLIS_KONTAKT,
    person_in,
)
from tests.tenants.cases.conftest import TODAY, consent_for, open_goteborg_case

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.service import Actor
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]


async def identities_in_sql(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(CasePerson)) or 0)


async def test_a_case_is_seen_by_its_team_only_even_in_its_own_tenant(acting_as: ActingAs) -> None:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        lines = await my_cases(session, actor)
        assert [(line.case_id, line.initials) for line in lines] == [(case_id, "AA")]
        person = await open_person(session, SECRET_KEY, actor, await case_for_actor(session, actor, case_id))
        assert person.details.personal_number == "19811228-9874"
    # The unit head is in the tenant but not on the team: no case page, no identity in SQL.
    async with acting_as(GOTEBORG_ENHETSCHEF) as (session, actor):
        with pytest.raises(NotFoundError):
            await case_for_actor(session, actor, case_id)
        assert await identities_in_sql(session) == 0


async def test_another_municipality_sees_nothing_until_a_consent_names_it_and_nothing_after_revocation(
    acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(MALMO_SOCIALSEKRETERARE) as (session, actor):
        assert await shared_with_tenant(session, actor) == []
        with pytest.raises(NotFoundError):
            await join_shared_case(session, actor, case_id)
        with pytest.raises(NotFoundError):
            await case_for_actor(session, actor, case_id)
        assert await identities_in_sql(session) == 0

    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        consent_id = await record_consent(
            session, actor, case_id, consent_for(tenant_ids[MALMO], categories=(Category.IDENTITY,)), SECRET_KEY
        )

    async with acting_as(MALMO_SOCIALSEKRETERARE) as (session, actor):
        assert [line.case_id for line in await shared_with_tenant(session, actor)] == [case_id]
        await join_shared_case(session, actor, case_id)
    async with acting_as(MALMO_SOCIALSEKRETERARE) as (session, actor):
        access = await case_for_actor(session, actor, case_id)
        assert access.categories == {Category.IDENTITY}
        assert not access.may_see(Category.THREAT_ASSESSMENT)
        person = await open_person(session, SECRET_KEY, actor, access)
        assert person.details.name == "Adam Andersson"
        assert person.intake is None  # the intake is the owner's team's alone

    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await revoke_consent(session, actor, consent_id)

    async with acting_as(MALMO_SOCIALSEKRETERARE) as (session, actor):
        with pytest.raises(NotFoundError):
            await case_for_actor(session, actor, case_id)
        assert await identities_in_sql(session) == 0
        assert await shared_with_tenant(session, actor) == []


async def follow_ups_in_sql(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(FollowUp)) or 0)


async def test_follow_ups_reach_another_organisation_only_while_a_consent_shares_them(
    acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await change_phase(session, actor, case_id, Phase.ACUTE)
        scheduled = await follow_ups_in_sql(session)
        assert scheduled > 0
        shared = consent_for(tenant_ids[MALMO], categories=(Category.IDENTITY, Category.FOLLOW_UP))
        consent_id = await record_consent(session, actor, case_id, shared, SECRET_KEY)
        identity_only = consent_for(tenant_ids[KC], categories=(Category.IDENTITY,))
        await record_consent(session, actor, case_id, identity_only, SECRET_KEY)
    # Göteborg's own follow-ups, whoever of the tenant reads them (the unit head is told of late ones).
    async with acting_as(GOTEBORG_ENHETSCHEF) as (session, _actor):
        assert await follow_ups_in_sql(session) == scheduled
    # Named for the follow-ups, Malmö reads them once its officer is on the case's team for it.
    async with acting_as(MALMO_SOCIALSEKRETERARE) as (session, actor):
        assert await follow_ups_in_sql(session) == 0
        await join_shared_case(session, actor, case_id)
    async with acting_as(MALMO_SOCIALSEKRETERARE) as (session, _actor):
        assert await follow_ups_in_sql(session) == scheduled
    # Named for the identity alone, the operation reads none, on the team or not.
    async with acting_as(KC_HANDLAGGARE) as (session, actor):
        await join_shared_case(session, actor, case_id)
    async with acting_as(KC_HANDLAGGARE) as (session, _actor):
        assert await follow_ups_in_sql(session) == 0
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await revoke_consent(session, actor, consent_id)
    async with acting_as(MALMO_SOCIALSEKRETERARE) as (session, _actor):
        assert await follow_ups_in_sql(session) == 0


# The tables a grant opens by category, and the category that opens each.
OPENED_BY = {
    "case_person": Category.IDENTITY,
    "case_meeting": Category.ACTION_PLAN,
    "case_intervention": Category.ACTION_PLAN,
    "case_threat_assessment": Category.THREAT_ASSESSMENT,
    "case_follow_up": Category.FOLLOW_UP,
}


async def rows_in_sql(session: AsyncSession) -> dict[str, int]:
    """What the policies let through of each table, read in SQL as an attacker would."""
    return {table: int(await session.scalar(text(f"SELECT count(*) FROM {table}")) or 0) for table in OPENED_BY}


async def test_a_team_of_another_organisation_reads_in_sql_only_the_categories_its_grant_names(
    acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    case_id = await open_goteborg_case(acting_as)
    police, kc, malmo = tenant_ids[POLIS_KONTAKT.tenant], tenant_ids[KC], tenant_ids[MALMO]
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await change_phase(session, actor, case_id, Phase.ACUTE)
        threat = consent_for(police, categories=(Category.THREAT_ASSESSMENT,), contributors=(police,))
        await record_consent(session, actor, case_id, threat, SECRET_KEY)
        await request_threat_assessment(session, actor, case_id, police)
        await record_consent(session, actor, case_id, consent_for(kc, categories=(Category.ACTION_PLAN,)), SECRET_KEY)
        plan = (InterventionInput(Intervention.CONTACT_PERSON, kc, TODAY),)
        await record_meeting(
            session, actor, case_id, MeetingInput(TODAY, person_took_part=True, organisations=(kc,), interventions=plan)
        )
        named = (Category.IDENTITY, Category.THREAT_ASSESSMENT, Category.FOLLOW_UP)
        malmo_consent = await record_consent(session, actor, case_id, consent_for(malmo, categories=named), SECRET_KEY)
        owner = await rows_in_sql(session)
    assert min(owner.values()) > 0
    for officer in (MALMO_SOCIALSEKRETERARE, KC_HANDLAGGARE):
        async with acting_as(officer) as (session, actor):
            await join_shared_case(session, actor, case_id)

    def opened(*categories: Category) -> dict[str, int]:
        return {table: owner[table] if category in categories else 0 for table, category in OPENED_BY.items()}

    async with acting_as(MALMO_SOCIALSEKRETERARE) as (session, _actor):
        assert await rows_in_sql(session) == opened(*named)
    async with acting_as(KC_HANDLAGGARE) as (session, _actor):
        assert await rows_in_sql(session) == opened(Category.ACTION_PLAN)
    # Named by the grant but not on the team: nothing, in the same organisation.
    async with acting_as(person_in(MALMO, Role.CASE_OFFICER, key="malmo-utan-arende")) as (session, _actor):
        assert await rows_in_sql(session) == opened()
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await revoke_consent(session, actor, malmo_consent)
    async with acting_as(MALMO_SOCIALSEKRETERARE) as (session, _actor):
        assert await rows_in_sql(session) == opened()


async def cases_in_sql_from_the_grants_index(session: AsyncSession) -> list[UUID]:
    """The case files the policies let through, with the grant array read from ix_case_grant_live alone (0050)."""
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    await session.execute(text("SET LOCAL enable_bitmapscan = off"))
    plan = "\n".join(await session.scalars(text("EXPLAIN SELECT id FROM case_file")))
    assert "Index Only Scan using ix_case_grant_live" in plan
    return list(await session.scalars(select(CaseFile.id)))


async def test_the_grants_read_from_the_index_alone_open_the_same_cases(
    acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        consent_id = await record_consent(
            session, actor, case_id, consent_for(tenant_ids[MALMO], categories=(Category.IDENTITY,)), SECRET_KEY
        )
    async with acting_as(MALMO_SOCIALSEKRETERARE) as (session, _actor):
        assert await cases_in_sql_from_the_grants_index(session) == [case_id]
        assert await identities_in_sql(session) == 0  # named by the grant, but not on the team
    async with acting_as(KC_HANDLAGGARE) as (session, _actor):
        assert await cases_in_sql_from_the_grants_index(session) == []  # a tenant no grant names
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await revoke_consent(session, actor, consent_id)
    async with acting_as(MALMO_SOCIALSEKRETERARE) as (session, _actor):
        assert await cases_in_sql_from_the_grants_index(session) == []


async def test_the_end_date_cuts_access_in_the_database_itself(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await record_consent(
            session, actor, case_id, consent_for(tenant_ids[KC], categories=(Category.IDENTITY,)), SECRET_KEY
        )
    async with acting_as(KC_HANDLAGGARE) as (session, actor):
        await join_shared_case(session, actor, case_id)
    async with acting_as(KC_HANDLAGGARE) as (session, actor):
        assert await identities_in_sql(session) == 1
    # Time passes beyond the consent's end; no code of the platform runs, the policy reads the date.
    with owner_engine.begin() as connection:
        connection.execute(
            text("SELECT set_config('app.tenant_id', :tenant, true), set_config('app.user_id', :user, true)"),
            {"tenant": str(tenant_ids[GOTEBORG]), "user": str(GOTEBORG_SOCIALSEKRETERARE.user_id)},
        )
        connection.execute(
            update(CaseGrant).values(
                valid_from=func.now() - timedelta(days=2), valid_until=func.now() - timedelta(seconds=1)
            )
        )
    async with acting_as(KC_HANDLAGGARE) as (session, actor):
        assert await identities_in_sql(session) == 0
        with pytest.raises(NotFoundError):
            await case_for_actor(session, actor, case_id)
        assert await shared_with_tenant(session, actor) == []


async def test_the_police_record_an_assessment_only_under_a_consent_that_lets_them_contribute(
    acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    case_id = await open_goteborg_case(acting_as)
    police = tenant_ids[POLIS_KONTAKT.tenant]
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        with pytest.raises(InvalidInputError):
            await request_threat_assessment(session, actor, case_id, police)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await record_consent(
            session,
            actor,
            case_id,
            consent_for(police, categories=(Category.THREAT_ASSESSMENT,), contributors=(police,)),
            SECRET_KEY,
        )
        assessment_id = await request_threat_assessment(session, actor, case_id, police)
    async with acting_as(POLIS_KONTAKT) as (session, actor):
        # Asked of them: they see the request before anyone of theirs joins the team.
        assert [row.id for row in await session.scalars(select(ThreatAssessment))] == [assessment_id]
        with pytest.raises(NotFoundError):
            await record_threat_assessment(
                session, actor, assessment_id, ThreatInput(ThreatLevel.SERIOUS, ThreatScope.NATIONAL)
            )
    async with acting_as(POLIS_KONTAKT) as (session, actor):
        await join_shared_case(session, actor, case_id)
        await record_threat_assessment(
            session, actor, assessment_id, ThreatInput(ThreatLevel.SERIOUS, ThreatScope.NATIONAL, police_lead=True)
        )
        # The identity is not theirs to see.
        assert await identities_in_sql(session) == 0
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        row = await session.get(ThreatAssessment, assessment_id)
        assert row is not None
        assert (row.level, row.scope) == ("serious", "national")
        assert await police_lead(session, actor, case_id)


async def test_a_colleague_cannot_write_themselves_onto_a_team_or_into_an_emergency_in_sql(
    acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    case_id = await open_goteborg_case(acting_as)
    colleague = person_in(GOTEBORG, Role.CASE_OFFICER, key="goteborg-nyfiken")
    attempts = {
        "team": "INSERT INTO case_team (case_id, user_id, tenant_id, role) VALUES (:case, :user, :tenant, 'member')",
        "emergency": "INSERT INTO case_emergency_access (case_id, tenant_id, user_id, reason, expires_at)"
        " VALUES (:case, :tenant, :user, 'Vill bara titta på ärendet', now() + interval '1 hour')",
    }
    for statement in attempts.values():
        async with acting_as(colleague) as (session, actor):
            with pytest.raises(DBAPIError, match="row-level security"):
                await session.execute(
                    text(statement), {"case": case_id, "user": actor.user_id, "tenant": tenant_ids[GOTEBORG]}
                )
    async with acting_as(colleague) as (session, actor):
        with pytest.raises(NotFoundError):
            await case_for_actor(session, actor, case_id)
        assert await identities_in_sql(session) == 0


@pytest.mark.parametrize(("valid_from", "valid_until"), [(date.min, TODAY), (TODAY, date.max)])
async def test_a_consent_dated_beyond_any_calendar_is_refused_not_an_error(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], valid_from: date, valid_until: date
) -> None:
    case_id = await open_goteborg_case(acting_as)
    consent = dataclasses.replace(
        consent_for(tenant_ids[KC], categories=(Category.IDENTITY,)), valid_from=valid_from, valid_until=valid_until
    )
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await record_consent(session, actor, case_id, consent, SECRET_KEY)
    assert "Skriv ett datum mellan år 1900 och 2199." in refused.value.by_field().values()


async def test_a_consent_without_the_identity_opens_no_person_not_even_an_erased_one(
    acting_as: ActingAs, tenant_ids: dict[str, UUID]
) -> None:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await record_consent(
            session, actor, case_id, consent_for(tenant_ids[KC], categories=(Category.ACTION_PLAN,)), SECRET_KEY
        )
    async with acting_as(KC_HANDLAGGARE) as (session, actor):
        await join_shared_case(session, actor, case_id)
    async with acting_as(KC_HANDLAGGARE) as (session, actor):
        access = await case_for_actor(session, actor, case_id)
        with pytest.raises(NotFoundError):
            await open_person(session, SECRET_KEY, actor, access)
