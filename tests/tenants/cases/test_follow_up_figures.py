"""National follow-up figures (issue 16 points 3 and 7): counts, shares, survival, page, files and API.

The survival curve and the intervals are checked against textbook values; the counts against
a case copied as the job copies it; the page, files and API against a generated national data set,
as the national analyst and as a unit head who sees their own organisation beside the country.
"""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from avhopp.bench.follow_up_figures import CASE_COLUMNS, POINT_COLUMNS, Place, national_statistics
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.disclosure import TOTAL, Rule
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.jobs.models import JobSchedule
from avhopp.platform.jobs.schedule import Periodic, periodic_jobs
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.cases.figures import gather, kaplan_meier, overview_of, wilson
from avhopp.tenants.cases.jobs import copy_follow_up_statistics
from avhopp.tenants.cases.models import StatisticsCase, StatisticsFollowUp
from avhopp.tenants.cases.tally import count_again
from avhopp.tenants.registry.models import Tenant
from tests.support.people import (
    GOTEBORG,
    GOTEBORG_ENHETSCHEF,
    GOTEBORG_SOCIALSEKRETERARE,
    NATIONAL,
    NATIONELL_SAMORDNARE,
)
from tests.tenants.cases.api_client import api_for
from tests.tenants.cases.test_statistics_copy import _a_followed_case, _copy, both_ways

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.conftest import SignIn
    from tests.tenants.cases.test_lifecycle import ActingAs

PAGE = "/statistik/uppfoljning"
API = "/api/v1/statistics/follow-up"

# Freireich et al. (1963), the 6-MP group, as Kleinbaum & Klein, Survival Analysis, table 2.2, give it:
# (weeks, relapses, censored) and the Kaplan–Meier estimate after each time with a relapse.
FREIREICH_6MP = [
    (6, 3, 1), (7, 1, 0), (9, 0, 1), (10, 1, 1), (11, 0, 1), (13, 1, 0), (16, 1, 0), (17, 0, 1), (19, 0, 1),
    (20, 0, 1), (22, 1, 0), (23, 1, 0), (25, 0, 1), (32, 0, 2), (34, 0, 1), (35, 0, 1),
]  # fmt: skip
FREIREICH_ESTIMATES = {6: 0.8571, 7: 0.8067, 10: 0.7529, 13: 0.6902, 16: 0.6275, 22: 0.5378, 23: 0.4482}


def test_the_survival_curve_gives_the_textbook_values() -> None:
    curve = {time: (at_risk, survival) for time, at_risk, survival in kaplan_meier(FREIREICH_6MP)}
    for time, expected in FREIREICH_ESTIMATES.items():
        assert curve[time][1] == pytest.approx(expected, abs=5e-5), time
    assert curve[6][0] == 21
    assert curve[23][0] == 6
    assert curve[35][1] == pytest.approx(0.4482, abs=5e-5), "censoring alone does not lower the curve"


def test_the_wilson_interval_gives_the_textbook_values() -> None:
    # Newcombe (1998), table I: 81/263 and 15/148, and the edge cases 0/20 and 1/29.
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    assert wilson(15, 148) == pytest.approx((0.0624, 0.1605), abs=5e-5)
    assert wilson(0, 20) == pytest.approx((0.0, 0.1611), abs=5e-5)
    assert wilson(1, 29) == pytest.approx((0.0061, 0.1718), abs=5e-5)
    with pytest.raises(ValueError, match="share of nothing"):
        wilson(0, 0)


def test_shares_and_the_curve_are_never_computed_on_a_hidden_count() -> None:
    counts = {
        "started": {("2024", "municipality"): 40},
        "county": {("14", ""): 40},
        "outcome:housing": {("6", "own_lease"): 30, ("6", "homeless"): 2, ("6", "unknown"): 8},
        "survival": {("6", "event"): 3, ("6", "censored"): 30, ("12", "event"): 6, ("12", "censored"): 1},
    }
    overview = overview_of(counts, Rule())
    shares = {share.value: share for share in overview.shares("outcome_housing", "6")}
    assert shares["homeless"].count is None
    assert shares["homeless"].percent is None
    assert shares["homeless"].low is None
    # Whatever else the 2 takes with it, no share rests on a hidden count.
    for share in shares.values():
        assert (share.percent is None) == (share.count is None)
    curve = overview.survival()
    assert [point.survival for point in curve] == [None, None], "the first point's 3 events are hidden"
    national = overview_of({"survival": {("6", "event"): 5, ("6", "censored"): 45, ("12", "event"): 10}}, Rule())
    first, second = national.survival()
    assert (first.at_risk, first.percent, second.at_risk, second.percent) == (60, 92, 10, 0)


async def test_the_counts_follow_the_copy_and_only_the_analyst_and_unit_heads_get_them(
    acting_as: ActingAs, sessions: async_sessionmaker[AsyncSession], tenant_ids: dict[str, UUID]
) -> None:
    goteborg = tenant_ids[GOTEBORG]
    await _a_followed_case(acting_as)
    assert await _copy(sessions, goteborg, datetime.now(UTC)) == 1
    today = datetime.now(STOCKHOLM).date()
    year = str(today.year)

    async with acting_as(NATIONELL_SAMORDNARE) as (session, _analyst):
        national = await gather(session, today)
        assert await gather(session, today, goteborg) == national
    assert national["started"] == {(year, "municipality"): 1}
    assert national["county"] == {("14", ""): 1}
    assert national["need"] == {("addiction_care", ""): 1, ("supported_housing", ""): 1}
    assert national["intervention"] == {("contact_person", ""): 1}
    assert national["outcome:housing"] == {("6", "own_lease"): 1}
    # "Unknown" is counted as such, and tells the curve nothing: the case is not in it.
    assert national["outcome:new_crime"] == {("6", "unknown"): 1}
    assert "survival" not in national
    assert national["completeness"] == {("1480", "on_time"): 1}

    async with acting_as(GOTEBORG_ENHETSCHEF) as (session, _head):
        assert await gather(session, today) == national
        assert await gather(session, today, goteborg) == national
        # Another organisation's own figures: nothing, as if it had none.
        assert await gather(session, today, tenant_ids["kommun-1280"]) == {}
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, _officer):
        assert await gather(session, today) == {}
        assert await gather(session, today, goteborg) == {}


def _copy_already_ran(owner_engine: Engine) -> None:
    """The statistics copy's day taken, as if another process ran it: it would copy the (empty) cases over the set.

    A copy that an earlier test's app enqueued but never ran is marked run too: this test's app
    would send it again at its start (the relay's `resend_unfinished`). A copy running right now
    holds its mark, so the insert waits for it to commit.
    """
    now = datetime.now(UTC)
    schedule = copy_follow_up_statistics_schedule()
    with owner_engine.begin() as connection:
        connection.execute(
            pg_insert(JobSchedule)
            .values([{"name": schedule.job.name, "period_start": schedule.period_start(now + step * schedule.every)}
                     for step in range(2)])
            .on_conflict_do_nothing()
        )  # fmt: skip
        connection.execute(text("SELECT set_config('app.job_relay', 'on', true)"))
        connection.execute(
            text(
                "INSERT INTO job_run (message_id, actor_name)"
                " SELECT id, actor_name FROM job_outbox WHERE actor_name = :name ON CONFLICT DO NOTHING"
            ),
            {"name": schedule.job.name},
        )


def copy_follow_up_statistics_schedule() -> Periodic:
    """The daily copy's schedule."""
    return next(s for s in periodic_jobs() if s.job.name == copy_follow_up_statistics.name)


async def _national_data_set(sessions: async_sessionmaker[AsyncSession], owner_engine: Engine, cases: int) -> None:
    """A generated national data set in the statistics tables, written as the copy's job writes it."""
    _copy_already_ran(owner_engine)
    counties = {m.code: m.county_code for m in shipped_geography().municipalities}
    async with context_session(sessions, RequestContext()) as session:
        tenants = (
            await session.execute(
                select(Tenant.id, Tenant.kind, Tenant.municipality_code)
                .where(Tenant.kind.in_(("municipality", "operation")))
                .order_by(Tenant.slug)
            )
        ).all()
    places = [Place(tenant, kind, code, counties.get(code) if code else None) for tenant, kind, code in tenants]
    today = datetime.now(STOCKHOLM).date()
    case_rows, point_rows = national_statistics(random.Random(7), places, cases, today)  # noqa: S311 - generated data
    by_tenant: dict[UUID, tuple[list[dict[str, object]], list[dict[str, object]]]] = {}
    for row in case_rows:
        by_tenant.setdefault(row[1], ([], []))[0].append(dict(zip(CASE_COLUMNS, row, strict=True)))  # type: ignore[arg-type]
    for row in point_rows:
        values = dict(zip(POINT_COLUMNS, row, strict=True))
        values["answers"] = json.loads(values["answers"]) if values["answers"] else None  # type: ignore[arg-type]
        by_tenant[row[2]][1].append(values)  # type: ignore[index]
    for tenant_id, (cases_of, points_of) in by_tenant.items():
        async with context_session(sessions, RequestContext(tenant_id=tenant_id)) as session:
            await session.execute(insert(StatisticsCase), cases_of)
            await session.execute(insert(StatisticsFollowUp), points_of)
            await count_again(session, tenant_id)


async def test_a_national_data_set_gives_the_overview_as_charts_and_tables(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    await _national_data_set(sessions, owner_engine, 3000)
    analyst = await sign_in(NATIONELL_SAMORDNARE)
    page = await analyst.get(PAGE)
    assert page.status_code == 200
    for section in ("started", "county", "need", "intervention", "outcome_housing", "completeness", "survival"):
        assert f'id="section-{section}"' in page.text
    assert page.text.count("<svg") >= 8
    assert page.text.count('role="img"') == page.text.count("<svg")
    assert "<caption>Påbörjade ärenden per län – Hela landet</caption>" in page.text
    assert "Antal från 1 till 4 visas inte (..)" in page.text
    assert "Andel utan känt nytt brott" in page.text
    assert "Er organisation" not in page.text
    assert 'href="/statistik/uppfoljning/xlsx"' in page.text

    excel = await analyst.get(f"{PAGE}/xlsx")
    assert excel.status_code == 200
    workbook = load_workbook(io.BytesIO(excel.content))
    assert workbook.sheetnames[0] == "Om statistiken"
    about = {row[0]: row[1] for row in workbook["Om statistiken"].iter_rows(values_only=True)}
    assert about["Statistik"] == "Nationell uppföljning"
    assert str(about["Uttaget"]).endswith("svensk tid (Europe/Stockholm)")
    assert "Definition: Tid till nytt brott" in about
    assert len(workbook.sheetnames) == 1 + 11
    table = await analyst.get(f"{PAGE}/csv")
    assert table.content.startswith("\ufeffStatistik,Nationell uppföljning".encode())
    with owner_engine.connect() as connection:
        formats = connection.execute(
            text(
                "SELECT reason FROM audit_event WHERE actor_user_id = :u AND action = 'statistics.exported'"
                " AND object_id = 'follow_up_statistics' ORDER BY seq"
            ),
            {"u": NATIONELL_SAMORDNARE.user_id},
        ).scalars()
        assert list(formats)[-2:] == ["xlsx", "csv"]

    head = await sign_in(GOTEBORG_ENHETSCHEF)
    beside = await head.get(PAGE)
    assert beside.status_code == 200
    assert "<caption>Påbörjade ärenden per län – Er organisation</caption>" in beside.text
    assert "<caption>Påbörjade ärenden per län – Hela landet</caption>" in beside.text
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    assert (await officer.get(PAGE)).status_code in {403, 404}
    assert (await officer.get(f"{PAGE}/csv")).status_code in {403, 404}


async def test_the_api_gives_the_same_protected_figures(
    sign_in: SignIn, sessions: async_sessionmaker[AsyncSession], owner_engine: Engine
) -> None:
    await _national_data_set(sessions, owner_engine, 1500)
    analyst = await api_for(sign_in, NATIONELL_SAMORDNARE)
    answer = await analyst.get(API)
    assert answer.status_code == 200
    body = answer.json()
    assert body["scope"] == "national"
    assert body["threshold"] == 5
    sections = {section["name"]: section for section in body["sections"]}
    assert set(sections) >= {"started", "county", "survival", "completeness", "outcome_new_crime"}
    for section in sections.values():
        for cell in section["cells"]:
            assert cell["count"] is None or cell["count"] == 0 or cell["count"] >= 5
        for share in section["shares"]:
            if share["percent"] is not None:
                assert share["low"] <= share["percent"] <= share["high"]
    assert sections["started"]["cells"], sections["started"]
    started = next(c for c in sections["started"]["cells"] if c["key"] == [TOTAL, TOTAL])
    assert started["count"] == 1500
    assert body["survival"], "the curve"

    one = (await analyst.get(f"{API}?section=county")).json()
    assert [section["name"] for section in one["sections"]] == ["county"]
    assert one["sections"][0] == sections["county"], "the same published table as the whole set"
    refused = await analyst.get(f"{API}?section=personnummer")
    assert refused.status_code == 400
    assert "Okänd tabell" in refused.text
    assert (await analyst.get(f"{API}?scope=everything")).status_code == 400
    assert (await analyst.get(f"{API}?scope=own")).status_code == 404, "the coordinator keeps no cases"

    head = await api_for(sign_in, GOTEBORG_ENHETSCHEF)
    own = (await head.get(f"{API}?scope=own")).json()
    assert own["scope"] == "own"
    officer = await api_for(sign_in, GOTEBORG_SOCIALSEKRETERARE)
    assert (await officer.get(API)).status_code in {403, 404}


async def test_a_too_detailed_table_is_refused_by_the_api(
    sign_in: SignIn, acting_as: ActingAs, sessions: async_sessionmaker[AsyncSession], tenant_ids: dict[str, UUID]
) -> None:
    # One case in the country: every table that counts it is too detailed to publish.
    await _a_followed_case(acting_as)
    assert await _copy(sessions, tenant_ids[GOTEBORG], datetime.now(UTC) + timedelta(hours=1)) == 1
    analyst = await api_for(sign_in, NATIONELL_SAMORDNARE)
    refused = await analyst.get(f"{API}?section=county")
    assert refused.status_code == 400
    assert "för detaljerad" in refused.text
    whole = (await analyst.get(API)).json()
    county = next(section for section in whole["sections"] if section["name"] == "county")
    assert county["withheld"] is True
    assert county["cells"] == []
    page = await (await sign_in(NATIONELL_SAMORDNARE)).get(PAGE)
    assert "Tabellen är för detaljerad för att visas" in page.text


async def test_the_tally_gives_exactly_what_counting_every_row_gave(
    sessions: async_sessionmaker[AsyncSession], owner_engine: Engine, tenant_ids: dict[str, UUID]
) -> None:
    await _national_data_set(sessions, owner_engine, 1200)
    today = datetime.now(STOCKHOLM).date()
    goteborg, national = tenant_ids[GOTEBORG], tenant_ids[NATIONAL]
    months = [today.replace(day=1) - timedelta(days=days) for days in (0, 200, 1500, 4000)]
    asked = [(only, month) for only in (None, goteborg) for month in months]
    both_ways(owner_engine, NATIONELL_SAMORDNARE, national, asked)
    both_ways(owner_engine, GOTEBORG_ENHETSCHEF, goteborg, [(None, months[0]), (goteborg, months[1])])

    # Göteborg's copy changes its rows and counts again: the sums follow, and nobody else's move.
    async with context_session(sessions, RequestContext(tenant_id=goteborg)) as session:
        await session.execute(
            text(
                "DELETE FROM followup_stat_case WHERE pseudonym IN"
                " (SELECT pseudonym FROM followup_stat_case ORDER BY pseudonym LIMIT 1)"
            )
        )
        await session.execute(
            text(
                "UPDATE followup_stat_point SET done = false, on_time = false, answers = NULL,"
                " schema_version = NULL WHERE months_after = 6"
            )
        )
        await count_again(session, goteborg)
    both_ways(owner_engine, NATIONELL_SAMORDNARE, national, asked)
