"""Knowledge exchange and anonymised consultation, from the members' side and from the attacker's.

A thread, a consultation and their replies reach the space's coordinators and named representatives,
and followers are told (kind and link only). Skåne's people, a former member, a colleague who is not
named and a meeting's guest reach none of it, through the service or in raw SQL. Every text passes the
identifier guard first: a refused one names what to remove and leaves nothing behind.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.tenants.cases.consultation_basis import age_on
from avhopp.tenants.cases.service import Actor as CaseActor
from avhopp.tenants.cases.service import (
    ContactSource,
    Intervention,
    InterventionInput,
    NewCase,
    PersonDetails,
    TargetGroup,
    open_case,
    record_meeting,
)
from avhopp.tenants.cases.service import MeetingInput as CaseMeetingInput
from avhopp.tenants.networks.consultation import age_band_of
from avhopp.tenants.networks.notices import notify_followers
from avhopp.tenants.networks.service import (
    AgeBand,
    ConsultationInput,
    ConsultationPhase,
    bring_consultation,
    close_consultation,
    consultation_view,
    consultations_of,
    end_membership,
    follow,
    follows,
    invite_guest,
    prefill,
    reply_to_consultation,
    reply_to_thread,
    start_thread,
    thread_view,
    threads_of,
)
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import GOTEBORG_ERSATTARE, GOTEBORG_SOCIALSEKRETERARE
from tests.tenants.networks.conftest import (
    GOTEBORG_KOLLEGA,
    GOTEBORG_NATVERK,
    GUEST_EMAIL,
    MALMO_NATVERK,
    POLIS_GAST,
    SKANE_SAMORDNARE,
    VG_SAMORDNARE,
    TwoCounties,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.service import Actor
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

EXCHANGE_TABLES = (
    "network_thread",
    "network_thread_reply",
    "network_consultation",
    "network_consultation_reply",
    "network_follow",
)
QUESTION = "Hur ordnar ni boende snabbt för en ung person som vill lämna ett nätverk?"


def consultation(place: str = "1480", question: str = QUESTION) -> ConsultationInput:
    return ConsultationInput(
        AgeBand.FROM_18_TO_20,
        TargetGroup.NEIGHBOURHOOD_GROUP,
        ConsultationPhase.ACUTE,
        (Intervention.EMERGENCY_HOUSING, Intervention.PROTECTION),
        (Intervention.CONTACT_PERSON,),
        place,
        question,
    )


async def exchange_rows(session: AsyncSession, space_id: UUID) -> int:
    total = 0
    for table in EXCHANGE_TABLES:
        total += await session.scalar(text(f"SELECT count(*) FROM {table} WHERE space_id = :s"), {"s": space_id}) or 0
    return total


def stored(owner_engine: Engine) -> dict[str, int]:
    with owner_engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in EXCHANGE_TABLES
        }


def notices(owner_engine: Engine, person: NamedPerson) -> list[tuple[str, str]]:
    with owner_engine.connect() as connection:
        return [
            (row.kind, row.link)
            for row in connection.execute(
                text("SELECT kind, link FROM notification WHERE user_id = :u ORDER BY created_at"),
                {"u": person.user_id},
            )
        ]


async def run_notices(acting_as: ActingAs, author: NamedPerson, owner_engine: Engine) -> None:
    """Run each follower job the outbox holds, as the runtime would: for the writer's organisation."""
    with owner_engine.begin() as connection:
        rows = list(
            connection.execute(text("DELETE FROM job_outbox WHERE actor_name LIKE '%notify_followers' RETURNING args"))
        )
    async with acting_as(author) as (session, _actor):
        for row in rows:
            await notify_followers.body(session, **row.args)


async def test_a_thread_reaches_the_members_and_its_followers_are_told(
    acting_as: ActingAs, two_counties: TwoCounties, owner_engine: Engine
) -> None:
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        await follow(session, actor, two_counties.vg_space, following=True)
        assert await follows(session, actor, two_counties.vg_space)
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        thread = await start_thread(
            session, actor, two_counties.vg_space, "Skyddat boende", "Hur gör ni när HVB är fullt i länet?"
        )
    await run_notices(acting_as, GOTEBORG_NATVERK, owner_engine)
    assert notices(owner_engine, VG_SAMORDNARE) == [("network_thread_started", f"/natverk/tradar/{thread}")]
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        await follow(session, actor, two_counties.vg_space, following=True)
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        await reply_to_thread(session, actor, thread, "Vi har avtal med två boenden i grannlänet.")
    await run_notices(acting_as, VG_SAMORDNARE, owner_engine)
    # The writer is not told of their own reply; the follower is.
    assert notices(owner_engine, VG_SAMORDNARE) == [("network_thread_started", f"/natverk/tradar/{thread}")]
    assert notices(owner_engine, GOTEBORG_NATVERK) == [("network_thread_replied", f"/natverk/tradar/{thread}")]
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        [line] = await threads_of(session, actor, two_counties.vg_space)
        assert (line.title, line.organisation, line.replies) == ("Skyddat boende", "Göteborgs Stad", 1)
        view = await thread_view(session, actor, thread)
        assert [reply.organisation for reply in view.replies] == ["Länsstyrelsen i Västra Götalands län"]
        await follow(session, actor, two_counties.vg_space, following=False)
        assert not await follows(session, actor, two_counties.vg_space)


async def test_nothing_identifying_enters_a_thread_and_nothing_refused_is_kept(
    acting_as: ActingAs, two_counties: TwoCounties, owner_engine: Engine
) -> None:
    before = stored(owner_engine)
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await start_thread(
                session, actor, two_counties.vg_space, "Fråga om Anna Svensson", "Ring mig på 070-123 45 67."
            )
        messages = refused.value.by_field()
        assert set(messages) == {"title", "body"}
        assert "namn" in messages["title"]
        assert "telefonnummer" in messages["body"]
        assert "070" not in str(refused.value.problems)
        thread = await start_thread(session, actor, two_counties.vg_space, "Boende", "Hur gör ni med boende?")
        with pytest.raises(InvalidInputError) as refused:
            await reply_to_thread(session, actor, thread, "Han har nummer 19811218-9876.")
        assert "personnummer" in refused.value.by_field()["body"]
    after = stored(owner_engine)
    assert after["network_thread"] == before["network_thread"] + 1
    assert after["network_thread_reply"] == before["network_thread_reply"]
    with owner_engine.connect() as connection:
        kept = connection.execute(
            text("SELECT count(*) FROM network_thread WHERE body LIKE '%070%' OR title LIKE '%Anna%'")
        ).scalar_one()
        logged = connection.execute(text("SELECT count(*) FROM job_outbox WHERE args::text LIKE '%9876%'")).scalar_one()
    assert (kept, logged) == (0, 0)


async def test_a_consultation_is_coarse_answered_and_closed_by_the_coordinator(
    acting_as: ActingAs, two_counties: TwoCounties
) -> None:
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        large = await bring_consultation(session, actor, two_counties.vg_space, consultation("1480"))
        # Stenungsund (about 28 000 people) is kept as its county alone.
        small = await bring_consultation(session, actor, two_counties.vg_space, consultation("1415"))
        lines = {line.consultation_id: line for line in await consultations_of(session, actor, two_counties.vg_space)}
        assert lines[large].place == "Göteborg"
        assert lines[small].place == "Västra Götalands län"
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        await reply_to_consultation(session, actor, large, "Prova att samordna med polisens skyddsgrupp tidigt.")
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        with pytest.raises(NotFoundError):
            await close_consultation(session, actor, large)
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        await close_consultation(session, actor, large)
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        view = await consultation_view(session, actor, large)
        assert view.closed_at is not None
        assert (view.age_band, view.phase, view.affiliation) == (
            AgeBand.FROM_18_TO_20,
            ConsultationPhase.ACUTE,
            TargetGroup.NEIGHBOURHOOD_GROUP,
        )
        assert [reply.organisation for reply in view.replies] == ["Länsstyrelsen i Västra Götalands län"]
        with pytest.raises(InvalidInputError) as refused:
            await reply_to_consultation(session, actor, large, "Tack för svaret!")
        assert "avslutad" in refused.value.by_field()["body"]
        # The database refuses it too, whatever the service would do.
        with pytest.raises(Exception, match="row-level security"):
            await session.execute(
                text(
                    "INSERT INTO network_consultation_reply (consultation_id, space_id, tenant_id, body,"
                    " author_tenant_id) SELECT id, space_id, tenant_id, 'Ett svar', :me"
                    " FROM network_consultation WHERE id = :c"
                ),
                {"me": actor.tenant_id, "c": large},
            )


@pytest.mark.parametrize(
    "question",
    [
        "Personen 811218-9876 behöver boende.",
        "Personen ８１１２１８−９８７６ behöver boende.",
        "Personen 8112\u200b18\u00ad-9876 behöver boende.",
        "Personen 19811278\u20139873 behöver boende.",
        "Ring 070-123 45 67 efter kl 17 om boendet.",
        "Mejla honom på kalle.k@exempel.se om boendet.",
        "Han kör en bil med ABC 123 som vi känner igen.",
        "Han bor på Storgatan 12 i centrum sedan i våras.",
        "Johan Andersson behöver stöd med boende.",
    ],
)
async def test_a_consultation_naming_anything_identifying_is_refused_and_not_kept(
    acting_as: ActingAs, two_counties: TwoCounties, owner_engine: Engine, question: str
) -> None:
    before = stored(owner_engine)
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await bring_consultation(session, actor, two_counties.vg_space, consultation(question=question))
        [problem] = refused.value.problems
        assert problem.field == "question"
        assert "Ta bort" in problem.message
    assert stored(owner_engine) == before


async def test_bad_codes_and_places_are_refused_by_name(acting_as: ActingAs, two_counties: TwoCounties) -> None:
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await bring_consultation(session, actor, two_counties.vg_space, consultation(place="9999", question="Kort"))
        assert set(refused.value.by_field()) == {"place", "question"}


async def test_skane_a_former_member_a_colleague_and_a_guest_reach_nothing(
    acting_as: ActingAs, two_counties: TwoCounties, tenant_ids: dict[str, UUID]
) -> None:
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        await follow(session, actor, two_counties.vg_space, following=True)
        thread = await start_thread(session, actor, two_counties.vg_space, "Boende", "Hur gör ni med boende?")
        await reply_to_thread(session, actor, thread, "Vi frågar grannkommunen.")
        brought = await bring_consultation(session, actor, two_counties.vg_space, consultation())
        await reply_to_consultation(session, actor, brought, "Vi har provat kontaktperson redan.")
    async with acting_as(POLIS_GAST):
        pass
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        await invite_guest(session, actor, two_counties.vg_meeting, tenant_ids["polisen-bergslagen"], GUEST_EMAIL)
    attempts: list[Callable[[AsyncSession, Actor], object]] = [
        lambda session, actor: threads_of(session, actor, two_counties.vg_space),
        lambda session, actor: thread_view(session, actor, thread),
        lambda session, actor: reply_to_thread(session, actor, thread, "Ett svar utifrån."),
        lambda session, actor: start_thread(session, actor, two_counties.vg_space, "Intrång", "Syns detta?"),
        lambda session, actor: consultations_of(session, actor, two_counties.vg_space),
        lambda session, actor: consultation_view(session, actor, brought),
        lambda session, actor: reply_to_consultation(session, actor, brought, "Ett svar utifrån."),
        lambda session, actor: bring_consultation(session, actor, two_counties.vg_space, consultation()),
        lambda session, actor: close_consultation(session, actor, brought),
        lambda session, actor: follow(session, actor, two_counties.vg_space, following=True),
    ]
    outsiders = (MALMO_NATVERK, SKANE_SAMORDNARE, GOTEBORG_KOLLEGA, POLIS_GAST)
    for outsider in outsiders:
        for attempt in attempts:
            async with acting_as(outsider) as (session, actor):
                with pytest.raises(NotFoundError):
                    await attempt(session, actor)  # type: ignore[misc]
        async with acting_as(outsider) as (session, _actor):
            assert await exchange_rows(session, two_counties.vg_space) == 0
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        assert await exchange_rows(session, two_counties.vg_space) == 5
        await end_membership(session, actor, two_counties.vg_goteborg)
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        assert await exchange_rows(session, two_counties.vg_space) == 0
        for attempt in attempts:
            with pytest.raises(NotFoundError):
                await attempt(session, actor)  # type: ignore[misc]


async def test_the_database_refuses_writing_into_another_countys_space(
    acting_as: ActingAs, two_counties: TwoCounties, tenant_ids: dict[str, UUID]
) -> None:
    async with acting_as(MALMO_NATVERK) as (session, actor):
        with pytest.raises(Exception, match="row-level security"):
            await session.execute(
                text(
                    "INSERT INTO network_thread (space_id, tenant_id, title, body, author_tenant_id)"
                    " VALUES (:s, :owner, 'Intrång', 'Syns detta?', :me)"
                ),
                {"me": actor.tenant_id, "s": two_counties.vg_space, "owner": tenant_ids["lansstyrelsen-14"]},
            )


async def test_a_consultation_from_a_case_carries_its_codes_and_no_link(
    acting_as: ActingAs, two_counties: TwoCounties, owner_engine: Engine
) -> None:
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        case_id = await open_case(
            session,
            SECRET_KEY,
            CaseActor(actor.tenant_id, actor.user_id),
            NewCase(
                ContactSource.PERSON,
                PersonDetails(name="Adam Andersson", personal_number="19811228-9874"),
                deputy_id=GOTEBORG_ERSATTARE.user_id,
            ),
        )
        today = datetime.now(UTC).date()
        await record_meeting(
            session,
            CaseActor(actor.tenant_id, actor.user_id),
            case_id,
            CaseMeetingInput(
                today,
                person_took_part=True,
                organisations=(actor.tenant_id,),
                interventions=(
                    InterventionInput(Intervention.CONVERSATIONAL_SUPPORT, actor.tenant_id, today),
                    InterventionInput(Intervention.DEBT_COUNSELLING, actor.tenant_id, today),
                ),
            ),
        )
    with owner_engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE case_file SET affiliation = 'mc_gang', needs = '{supported_housing,occupation}',"
                " phase = 'acute' WHERE id = :c"
            ),
            {"c": case_id},
        )
        # One intervention under way, one only planned: only the first was tried.
        connection.execute(
            text("UPDATE case_intervention SET status = 'ongoing' WHERE case_id = :c AND intervention = :i"),
            {"c": case_id, "i": Intervention.CONVERSATIONAL_SUPPORT.value},
        )
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        start = await prefill(session, actor, case_id, secret_key=SECRET_KEY, today=date(2026, 12, 4))
    # Born 28 December 1981: 44 years old, in the oldest band; the number itself goes nowhere.
    assert (start.age_band, start.affiliation, start.phase, start.needs, start.interventions_tried, start.place) == (
        AgeBand.OVER_40,
        TargetGroup.MC_GANG,
        ConsultationPhase.ACUTE,
        (Intervention.OCCUPATION, Intervention.SUPPORTED_HOUSING),
        (Intervention.CONVERSATIONAL_SUPPORT,),
        "1480",
    )
    # Nobody off the case's team gets its codes: not Göteborg's network representative, not Malmö.
    for outsider in (GOTEBORG_NATVERK, MALMO_NATVERK):
        async with acting_as(outsider) as (session, actor):
            with pytest.raises(NotFoundError):
                await prefill(session, actor, case_id, secret_key=SECRET_KEY, today=date(2026, 12, 4))
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        brought = ConsultationInput(
            AgeBand.FROM_21_TO_25,
            start.affiliation,
            ConsultationPhase.ACUTE,
            start.needs,
            start.interventions_tried,
            start.place or "",
            "Hur hittar ni boende med stöd och arbete samtidigt?",
        )
        consultation_id = await bring_consultation(session, actor, two_counties.vg_space, brought)
    with owner_engine.connect() as connection:
        row = connection.execute(
            text("SELECT to_jsonb(c)::text FROM network_consultation c WHERE id = :c"), {"c": consultation_id}
        ).scalar_one()
    assert str(case_id) not in row


async def test_a_follower_who_leaves_is_told_nothing_more(
    acting_as: ActingAs, two_counties: TwoCounties, owner_engine: Engine
) -> None:
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        await follow(session, actor, two_counties.vg_space, following=True)
        await end_membership(session, actor, two_counties.vg_goteborg)
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        await start_thread(session, actor, two_counties.vg_space, "Boende", "Hur gör ni med boende?")
        await bring_consultation(session, actor, two_counties.vg_space, consultation())
    await run_notices(acting_as, VG_SAMORDNARE, owner_engine)
    assert notices(owner_engine, GOTEBORG_NATVERK) == []


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (None, None),
        (-1, None),
        (0, AgeBand.UNDER_15),
        (14, AgeBand.UNDER_15),
        (15, AgeBand.FROM_15_TO_17),
        (17, AgeBand.FROM_15_TO_17),
        (18, AgeBand.FROM_18_TO_20),
        (21, AgeBand.FROM_21_TO_25),
        (26, AgeBand.FROM_26_TO_30),
        (30, AgeBand.FROM_26_TO_30),
        (31, AgeBand.FROM_31_TO_40),
        (40, AgeBand.FROM_31_TO_40),
        (41, AgeBand.OVER_40),
    ],
)
def test_an_age_falls_in_its_band(age: int | None, band: AgeBand | None) -> None:
    assert age_band_of(age) == band


@pytest.mark.parametrize(
    ("number", "age"),
    [
        ("19811228-9874", 44),  # the day after the day the age is asked for
        ("19811204-9874", 45),  # on the birthday
        ("19811264-9874", 45),  # a samordningsnummer: the day plus 60
        ("", None),
        ("8112289874", None),  # stored numbers have twelve digits
    ],
)
def test_the_age_is_read_from_the_number_as_stored(number: str, age: int | None) -> None:
    assert age_on(number, date(2026, 12, 4)) == age
