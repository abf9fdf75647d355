"""The copy into the statistics: coded facts under a pseudonym, incremental, and readable by the national analyst alone.

Tried from the attacker's side: the national analyst reads the statistics and nothing of any
case; the case's own officers (and anyone signed in) read and write no statistics.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from avhopp.platform.audit.chain import chain_key
from avhopp.platform.database import RequestContext, context_session
from avhopp.tenants.cases.follow_up_schema import UNKNOWN
from avhopp.tenants.cases.models import CaseFile, StatisticsCase, StatisticsFollowUp
from avhopp.tenants.cases.service import (
    ContactSource,
    FollowUpEntry,
    Intervention,
    InterventionInput,
    InterventionStatus,
    MeetingInput,
    NewCase,
    PersonDetails,
    Phase,
    action_plan,
    case_number,
    change_phase,
    follow_ups,
    open_case,
    record_meeting,
    save_follow_up,
    update_intervention,
)
from avhopp.tenants.cases.statistics import copy_changes
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import (
    GOTEBORG,
    GOTEBORG_ERSATTARE,
    GOTEBORG_SOCIALSEKRETERARE,
    NATIONAL,
    NATIONELL_SAMORDNARE,
)
from tests.tenants.cases.conftest import TODAY
from tests.tenants.cases.test_lifecycle import ANSWERS, as_owner

if TYPE_CHECKING:
    from datetime import date
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.support.people import NamedPerson
    from tests.tenants.cases.test_lifecycle import ActingAs

NAME = "Doris Dahlberg"
CASE_TABLES = (
    "case_settings",
    "case_file",
    "case_person",
    "case_team",
    "case_emergency_access",
    "case_consent",
    "case_grant",
    "case_threat_assessment",
    "case_meeting",
    "case_intervention",
    "case_phase_change",
    "case_follow_up",
)


_FORGED = text(
    "INSERT INTO followup_stat_case (pseudonym, tenant_id, key_id, tenant_kind, year_started,"
    " contact_source, needs, interventions_received, phase)"
    " VALUES (repeat('a', 64), :tenant, 'k', 'municipality', 2026, 'person', '{}', '{}', 'acute')"
)


async def _a_followed_case(acting_as: ActingAs) -> UUID:
    """A started case of Göteborg with its situation at intake, an ongoing intervention and a closed follow-up."""
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        case_id = await open_case(
            session,
            SECRET_KEY,
            actor,
            NewCase(
                ContactSource.POLICE,
                PersonDetails(name=NAME, personal_number="19811228-9874"),
                needs=(Intervention.SUPPORTED_HOUSING, Intervention.ADDICTION_CARE),
                situation={"housing": "homeless", "addiction": UNKNOWN},
                deputy_id=GOTEBORG_ERSATTARE.user_id,
            ),
        )
        await change_phase(session, actor, case_id, Phase.ACUTE)
        await record_meeting(
            session,
            actor,
            case_id,
            MeetingInput(
                held_on=TODAY,
                person_took_part=True,
                organisations=(actor.tenant_id,),
                interventions=(
                    InterventionInput(Intervention.CONTACT_PERSON, actor.tenant_id, TODAY),
                    InterventionInput(Intervention.THERAPY, actor.tenant_id, TODAY),
                ),
            ),
        )
        _, planned = await action_plan(session, actor, case_id)
        contact = next(item for item in planned if item.intervention == Intervention.CONTACT_PERSON)
        await update_intervention(session, actor, contact.id, InterventionStatus.ONGOING)
        first = (await follow_ups(session, actor, case_id))[0]
        await save_follow_up(session, actor, first.id, FollowUpEntry(ANSWERS, TODAY, close=True))
        return case_id


def _counting_of_every_row() -> str:
    """Migration 0031's function, which counted every statistics row on each call, as a temporary function."""
    path = next((Path(__file__).parents[3] / "migrations" / "versions").glob("*_0031.py"))
    spec = importlib.util.spec_from_file_location("avhopp_migration_0031", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function: str = module._FUNCTION  # noqa: SLF001 - the yardstick is exactly what 0031 shipped
    return function.replace("CREATE FUNCTION followup_statistics(", "CREATE OR REPLACE FUNCTION pg_temp.every_row(")


def both_ways(
    owner_engine: Engine, person: NamedPerson, tenant_id: UUID, asked: list[tuple[UUID | None, date]]
) -> None:
    """The tally's sums equal 0031's counts of every row, for each (organisation or none, first missed month)."""
    with owner_engine.begin() as connection:
        connection.execute(text(_counting_of_every_row()))
        connection.execute(
            text("SELECT set_config('app.tenant_id', :tenant, true), set_config('app.user_id', :user, true)"),
            {"tenant": str(tenant_id), "user": str(person.user_id)},
        )
        for only, overdue_before in asked:
            values = {"only": only, "before": overdue_before}
            tallied = connection.execute(
                text("SELECT * FROM followup_statistics(CAST(:only AS uuid), :before)"), values
            ).all()
            counted = connection.execute(
                text("SELECT * FROM pg_temp.every_row(CAST(:only AS uuid), :before)"), values
            ).all()
            assert sorted(tallied) == sorted(counted), (only, overdue_before)
            assert tallied or only is not None, "the country has figures"


async def _copy(sessions: async_sessionmaker[AsyncSession], tenant_id: UUID, at: datetime) -> int:
    """The copy as its job runs it: acting for the tenant, nobody signed in."""
    async with context_session(sessions, RequestContext(tenant_id=tenant_id)) as session:
        return await copy_changes(session, tenant_id, at)


async def _as_job(sessions: async_sessionmaker[AsyncSession], tenant_id: UUID) -> list[StatisticsCase]:
    async with context_session(sessions, RequestContext(tenant_id=tenant_id)) as session:
        return list(await session.scalars(select(StatisticsCase).where(StatisticsCase.tenant_id == tenant_id)))


async def test_the_copy_holds_coded_facts_under_a_keyed_pseudonym_and_nothing_that_names_the_case(
    acting_as: ActingAs, sessions: async_sessionmaker[AsyncSession], tenant_ids: dict[str, UUID]
) -> None:
    goteborg = tenant_ids[GOTEBORG]
    case_id = await _a_followed_case(acting_as)
    assert await _copy(sessions, goteborg, datetime.now(UTC)) == 1

    async with context_session(sessions, RequestContext(tenant_id=goteborg)) as session:
        [row] = await session.scalars(select(StatisticsCase))
        points = list(await session.scalars(select(StatisticsFollowUp).order_by(StatisticsFollowUp.months_after)))
        number = case_number(await session.get(CaseFile, case_id))  # type: ignore[arg-type]
    # The pseudonym is the HMAC of the case's id under a key derived for it alone, never the id itself.
    key = hmac.new(chain_key(SECRET_KEY), b"avhopp.cases.statistics-pseudonym", hashlib.sha256).digest()
    assert row.pseudonym == hmac.new(key, case_id.bytes, hashlib.sha256).hexdigest()
    assert row.pseudonym != hashlib.sha256(case_id.bytes).hexdigest()
    stored = " ".join(str(getattr(r, c.key)) for r in (row, *points) for c in r.__table__.columns)
    for secret in (str(case_id), case_id.hex, number, NAME, "19811228"):
        assert secret not in stored
    assert (row.tenant_kind, row.municipality_code, row.county_code) == ("municipality", "1480", "14")
    assert (row.year_started, row.contact_source, row.phase) == (TODAY.year, "police", "acute")
    assert row.needs == ["addiction_care", "supported_housing"]
    assert row.intake_answers == {"housing": "homeless", "addiction": UNKNOWN}
    # Received is what the plan says is ongoing or done: the planned therapy is not counted yet.
    assert row.interventions_received == ["contact_person"]
    assert [point.months_after for point in points] == [6, 12, 24, 36, 60, 96]
    assert {point.pseudonym for point in points} == {row.pseudonym}, "the follow-ups link to the intake"
    first, later = points[0], points[1]
    assert (first.done, first.on_time, first.schema_version, first.answers) == (True, True, 2, ANSWERS)
    assert (later.done, later.answers, later.due_month.day) == (False, None, 1)


async def test_the_copy_takes_a_days_changes_and_starts_over_under_a_new_key(
    acting_as: ActingAs,
    sessions: async_sessionmaker[AsyncSession],
    tenant_ids: dict[str, UUID],
    owner_engine: Engine,
) -> None:
    goteborg = tenant_ids[GOTEBORG]
    case_id = await _a_followed_case(acting_as)
    now = datetime.now(UTC)
    asked = [(None, TODAY.replace(day=1)), (goteborg, TODAY.replace(day=1))]

    def the_tally_is_the_count() -> None:
        both_ways(owner_engine, NATIONELL_SAMORDNARE, tenant_ids[NATIONAL], asked)

    assert await _copy(sessions, goteborg, now + timedelta(hours=2)) == 1
    the_tally_is_the_count()
    # Nothing changed since the last copy (and its hour of overlap): nothing is copied again.
    assert await _copy(sessions, goteborg, now + timedelta(hours=4)) == 0
    # Another organisation's update of the plan does not touch the case; the copy still sees it.
    as_owner(
        owner_engine,
        goteborg,
        "UPDATE case_intervention SET status = 'done', updated_at = :at WHERE case_id = :case",
        at=now + timedelta(hours=5),
        case=str(case_id),
    )
    assert await _copy(sessions, goteborg, now + timedelta(hours=6)) == 1
    [row] = await _as_job(sessions, goteborg)
    assert row.interventions_received == ["contact_person", "therapy"]
    the_tally_is_the_count()
    # A new secret key gives new pseudonyms: the tenant's statistics are copied again in full, without doubles.
    as_owner(owner_engine, goteborg, "UPDATE followup_stat_mark SET key_id = 'an-older-key'")
    assert await _copy(sessions, goteborg, now + timedelta(hours=7)) == 1
    assert len(await _as_job(sessions, goteborg)) == 1
    the_tally_is_the_count()


async def test_only_the_national_analyst_reads_the_statistics_and_nothing_of_any_case(
    acting_as: ActingAs, sessions: async_sessionmaker[AsyncSession], tenant_ids: dict[str, UUID]
) -> None:
    goteborg = tenant_ids[GOTEBORG]
    case_id = await _a_followed_case(acting_as)
    assert await _copy(sessions, goteborg, datetime.now(UTC)) == 1

    async with acting_as(NATIONELL_SAMORDNARE) as (session, _analyst):
        assert await session.scalar(text("SELECT count(*) FROM followup_stat_case")) == 1
        assert await session.scalar(text("SELECT count(*) FROM followup_stat_point")) == 6
        for table in CASE_TABLES:
            assert await session.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
        received = text("SELECT count(*) FROM followup_interventions_received(ARRAY[CAST(:case AS uuid)])")
        assert await session.scalar(received, {"case": str(case_id)}) == 0
        # Reading is all: the analyst changes and removes nothing.
        changed = await session.execute(text("UPDATE followup_stat_case SET phase = 'completed'"))
        removed = await session.execute(text("DELETE FROM followup_stat_point"))
        assert (changed.rowcount, removed.rowcount) == (0, 0)  # type: ignore[attr-defined]
    async with acting_as(NATIONELL_SAMORDNARE) as (session, analyst):
        with pytest.raises(DBAPIError, match="row-level security"):
            await session.execute(_FORGED, {"tenant": str(analyst.tenant_id)})

    # The case's own team, signed in, neither reads nor writes the statistics, nor calls the copy's functions.
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, _officer):
        assert await session.scalar(text("SELECT count(*) FROM followup_stat_case")) == 0
        assert await session.scalar(text("SELECT count(*) FROM followup_stat_point")) == 0
        assert await session.scalar(received, {"case": str(case_id)}) == 0
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, _officer):
        with pytest.raises(DBAPIError, match="row-level security"):
            await session.execute(_FORGED, {"tenant": str(goteborg)})
