"""Payment responsibility: the home municipality pays until a transfer both municipalities agreed.

Göteborg's case is placed in a Malmö unit: Göteborg is the home municipality, Malmö the receiving
one. Stockholm is a third municipality; the county boards of Västra Götaland (Göteborg's county)
and Skåne (Malmö's) oversee disputes, Stockholm's county board does not.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from avhopp.housing.placement import payment
from avhopp.housing.placement.notices import notify_transfer
from avhopp.housing.placement.service import (
    DisputeReason,
    Payer,
    TransferStatus,
    accept_offer,
    agree_transfer,
    county_disputes,
    dispute_transfer,
    make_offer,
    payment_export,
    payment_month,
    payment_view,
    propose_transfer,
    shortlist_for,
)
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.jobs.actors import run_once
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.tenants.registry.roles import Role
from tests.housing.placement.conftest import case_for_placement, malmo_unit, placement_actor, request_for
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import (
    GOTEBORG_SOCIALSEKRETERARE,
    MALMO_PLACERING,
    VASTRA_GOTALAND_SAMORDNARE,
    person_in,
)
from tests.tenants.cases.api_client import api_for, fields

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.conftest import SignIn
    from tests.housing.placement.conftest import ActingAs
    from tests.support.people import NamedPerson

GOTEBORG_PLACERING = person_in("kommun-1480", Role.PLACEMENT_COORDINATOR, key="goteborg-placering")
STOCKHOLM_PLACERING = person_in("kommun-0180", Role.PLACEMENT_COORDINATOR, key="stockholm-placering")
SKANE_SAMORDNARE = person_in("lansstyrelsen-12", Role.NETWORK_COORDINATOR, key="skane-samordnare")
STOCKHOLM_SAMORDNARE = person_in("lansstyrelsen-01", Role.NETWORK_COORDINATOR, key="stockholm-samordnare")


async def placed_in_malmo(acting_as: ActingAs, tenant_ids: dict[str, UUID]) -> tuple[UUID, date]:
    """A Göteborg case placed in a Malmö unit: the placement's id and its move-in day."""
    unit_id = await malmo_unit(acting_as)
    request_id = await request_for(acting_as, await case_for_placement(acting_as, tenant_ids))
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await shortlist_for(session, placement_actor(actor), request_id)
        offer_id = await make_offer(session, placement_actor(actor), request_id, unit_id)
    async with acting_as(MALMO_PLACERING) as (session, actor):
        accepted = await accept_offer(session, SECRET_KEY, placement_actor(actor), offer_id)
    assert accepted.placement_id is not None
    async with acting_as(GOTEBORG_PLACERING) as (session, actor):
        view = await payment_view(session, placement_actor(actor), accepted.placement_id)
    return accepted.placement_id, view.move_in_on


def transfer_jobs(owner_engine: Engine) -> list[uuid.UUID]:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.job_relay', 'on', true)"))
        rows = connection.execute(
            text("SELECT id FROM job_outbox WHERE actor_name = :actor ORDER BY created_at"),
            {"actor": notify_transfer.name},
        )
        return [uuid.UUID(str(row.id)) for row in rows]


async def notices_of(sessions: async_sessionmaker[AsyncSession], tenant_id: UUID, person: NamedPerson) -> list[str]:
    async with context_session(sessions, RequestContext(tenant_id=tenant_id, user_id=person.user_id)) as session:
        rows = await session.execute(
            text("SELECT kind, link FROM notification WHERE user_id = :user"), {"user": person.user_id}
        )
        return sorted(f"{row.kind} {row.link}" for row in rows)


def transfers(owner_engine: Engine) -> list[tuple[str, date]]:
    with owner_engine.connect() as connection:
        rows = connection.execute(text("SELECT status, transfer_on FROM housing_transfer ORDER BY proposed_at"))
        return [(row.status, row.transfer_on) for row in rows]


def test_the_home_municipality_pays_up_to_the_day_before_the_transfer_and_until_the_move_out() -> None:
    placed = payment._Placed(  # noqa: SLF001 - the arithmetic on its own
        uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "14", "12", "jourlagenhet", date(2026, 1, 20), None, None
    )
    january, february = (date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28))
    assert payment._stretches(placed, *january) == [(Payer.HOME, date(2026, 1, 20), date(2026, 1, 31))]  # noqa: SLF001
    with_transfer = dataclasses.replace(placed, moved_out_on=date(2026, 2, 20), transfer_on=date(2026, 2, 10))
    assert payment._stretches(with_transfer, *february) == [  # noqa: SLF001
        (Payer.HOME, date(2026, 2, 1), date(2026, 2, 9)),
        (Payer.RECEIVING, date(2026, 2, 10), date(2026, 2, 19)),
    ]
    assert payment._stretches(with_transfer, date(2026, 3, 1), date(2026, 3, 31)) == []  # noqa: SLF001


async def test_one_side_proposes_the_other_agrees_and_the_months_follow(
    acting_as: ActingAs,
    tenant_ids: dict[str, UUID],
    owner_engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    placement_id, move_in = await placed_in_malmo(acting_as, tenant_ids)
    transfer_on = move_in + timedelta(days=10)
    async with acting_as(GOTEBORG_PLACERING) as (session, actor):
        [line] = await payment_month(session, placement_actor(actor), move_in)
        assert (line.payer, line.ours, line.home, line.first_day) == (Payer.HOME, True, True, move_in)
        assert (line.home_name, line.receiving_name) == ("Göteborgs Stad", "Malmö stad")
        await propose_transfer(session, placement_actor(actor), placement_id, transfer_on)
    async with acting_as(GOTEBORG_PLACERING) as (session, actor):
        with pytest.raises(InvalidInputError) as own:
            await agree_transfer(session, placement_actor(actor), placement_id)
    assert own.value.by_field() == {"transfer": payment.OWN_PROPOSAL}
    async with acting_as(GOTEBORG_PLACERING) as (session, actor):
        with pytest.raises(InvalidInputError) as twice:
            await propose_transfer(session, placement_actor(actor), placement_id, transfer_on)
    assert twice.value.by_field() == {"transfer_on": payment.ALREADY_PROPOSED}

    [proposed] = transfer_jobs(owner_engine)
    assert await run_once(sessions, notify_transfer, proposed)
    link = f"/placering/betalningsansvar/{placement_id}"
    assert await notices_of(sessions, tenant_ids["kommun-1280"], MALMO_PLACERING) == [
        f"housing_transfer_proposed {link}"
    ]

    async with acting_as(MALMO_PLACERING) as (session, actor):
        await agree_transfer(session, placement_actor(actor), placement_id)
    assert transfers(owner_engine) == [("agreed", transfer_on)]
    [_, agreed] = transfer_jobs(owner_engine)
    assert await run_once(sessions, notify_transfer, agreed)
    assert await notices_of(sessions, tenant_ids["kommun-1480"], GOTEBORG_PLACERING) == [
        f"housing_transfer_agreed {link}"
    ]

    # Every day from the move-in is paid by exactly one side: Göteborg before the transfer, Malmö from it.
    months = sorted({move_in.replace(day=1), transfer_on.replace(day=1)})
    for person, pays in ((GOTEBORG_PLACERING, Payer.HOME), (MALMO_PLACERING, Payer.RECEIVING)):
        async with acting_as(person) as (session, actor):
            lines = [line for month in months for line in await payment_month(session, placement_actor(actor), month)]
        ours = [line for line in lines if line.ours]
        assert {line.payer for line in ours} == {pays}
        if pays is Payer.HOME:
            assert sum(line.days for line in ours) == 10
            assert max(line.last_day for line in ours) == transfer_on - timedelta(days=1)
        else:
            assert min(line.first_day for line in ours) == transfer_on
    async with acting_as(MALMO_PLACERING) as (session, actor):
        with pytest.raises(InvalidInputError) as again:
            await propose_transfer(session, placement_actor(actor), placement_id, transfer_on)
    assert again.value.by_field() == {
        "transfer_on": f"Betalningsansvaret är redan överfört från {transfer_on.isoformat()}."
    }
    with owner_engine.connect() as connection:
        actions = connection.execute(
            text("SELECT action FROM audit_event WHERE action LIKE 'housing.transfer%' ORDER BY action")
        ).scalars()
        assert list(actions) == ["housing.transfer_agreed", "housing.transfer_proposed"]


async def test_a_date_before_the_placement_is_refused_in_swedish_and_nothing_is_saved(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    placement_id, move_in = await placed_in_malmo(acting_as, tenant_ids)
    async with acting_as(MALMO_PLACERING) as (session, actor):
        with pytest.raises(InvalidInputError) as refused:
            await propose_transfer(session, placement_actor(actor), placement_id, move_in - timedelta(days=1))
    assert refused.value.by_field() == {
        "transfer_on": f"Överföringsdagen kan inte ligga före placeringens början ({move_in.isoformat()})."
    }
    assert transfers(owner_engine) == []
    async with acting_as(MALMO_PLACERING) as (session, actor):
        with pytest.raises(InvalidInputError) as nothing:
            await agree_transfer(session, placement_actor(actor), placement_id)
    assert nothing.value.by_field() == {"transfer": payment.NOTHING_TO_ANSWER}


async def test_a_dispute_is_seen_by_both_sides_and_their_county_boards_and_by_nobody_else(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    placement_id, move_in = await placed_in_malmo(acting_as, tenant_ids)
    async with acting_as(MALMO_PLACERING) as (session, actor):
        await propose_transfer(session, placement_actor(actor), placement_id, move_in)
    for reason, explanation, expected in (
        ("other", "", {"text": "Beskriv kort varför."}),
        ("other", "Inte\x00överens", {"text": "Texten innehåller otillåtna tecken."}),
        ("other", "x" * 100_000, {"text": "Skriv högst 500 tecken."}),
        ("not_a_reason", "", {"reason": "Välj ett skäl i listan."}),
    ):
        async with acting_as(GOTEBORG_PLACERING) as (session, actor):
            with pytest.raises(InvalidInputError) as refused:
                await dispute_transfer(session, placement_actor(actor), placement_id, reason, explanation)
        assert refused.value.by_field() == expected
    assert transfers(owner_engine) == [("proposed", move_in)]
    async with acting_as(GOTEBORG_PLACERING) as (session, actor):
        await dispute_transfer(
            session, placement_actor(actor), placement_id, "not_settled", "Placeringen är tillfällig."
        )

    for side in (GOTEBORG_PLACERING, MALMO_PLACERING):
        async with acting_as(side) as (session, actor):
            [seen] = (await payment_view(session, placement_actor(actor), placement_id)).transfers
        assert (seen.status, seen.dispute_reason) == (TransferStatus.DISPUTED, DisputeReason.NOT_SETTLED)
        assert seen.proposed_by_us is (side is MALMO_PLACERING)
    for board in (VASTRA_GOTALAND_SAMORDNARE, SKANE_SAMORDNARE):
        async with acting_as(board) as (session, actor):
            [dispute] = await county_disputes(session, placement_actor(actor))
        assert (dispute.home_name, dispute.receiving_name, dispute.proposed_by_home) == (
            "Göteborgs Stad",
            "Malmö stad",
            False,
        )
        assert dispute.dispute_text == "Placeringen är tillfällig."

    async with acting_as(STOCKHOLM_SAMORDNARE) as (session, actor):
        assert await county_disputes(session, placement_actor(actor)) == []
        assert (await session.execute(text("SELECT count(*) FROM housing_transfer"))).scalar_one() == 0
    async with acting_as(STOCKHOLM_PLACERING) as (session, actor):
        assert await payment_month(session, placement_actor(actor), move_in) == []
        assert (await session.execute(text("SELECT count(*) FROM housing_transfer"))).scalar_one() == 0
        with pytest.raises(NotFoundError):
            await payment_view(session, placement_actor(actor), placement_id)
    async with acting_as(STOCKHOLM_PLACERING) as (session, actor):
        with pytest.raises(NotFoundError):
            await propose_transfer(session, placement_actor(actor), placement_id, move_in)
    # A case officer of the home municipality is not its payment staff.
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        with pytest.raises(NotFoundError):
            await payment_view(session, placement_actor(actor), placement_id)

    # A new proposal after a dispute, answered by the other side.
    async with acting_as(GOTEBORG_PLACERING) as (session, actor):
        await propose_transfer(session, placement_actor(actor), placement_id, move_in + timedelta(days=30))
    async with acting_as(MALMO_PLACERING) as (session, actor):
        await agree_transfer(session, placement_actor(actor), placement_id)
    assert transfers(owner_engine) == [("disputed", move_in), ("agreed", move_in + timedelta(days=30))]


async def test_the_finance_export_has_no_identity_and_is_audited(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    placement_id, move_in = await placed_in_malmo(acting_as, tenant_ids)
    async with acting_as(MALMO_PLACERING) as (session, actor):
        exported = await payment_export(session, placement_actor(actor), move_in)
    header, row = csv.reader(io.StringIO(exported))
    assert header == list(payment.CSV_HEADER)
    assert row[:6] == [
        str(placement_id),
        "Göteborgs Stad",
        "Malmö stad",
        "Jourlägenhet",
        f"{move_in:%Y-%m}",
        "Göteborgs Stad",
    ]
    assert row[6] == move_in.isoformat()
    for secret in ("Storgatan", "Adam", "Andersson"):
        assert secret not in exported
    with owner_engine.connect() as connection:
        exports = connection.execute(
            text("SELECT count(*) FROM audit_event WHERE action = 'housing.payment_exported'")
        ).scalar_one()
    assert exports == 1


async def test_the_pages_propose_confirm_and_agree_and_refuse_in_swedish(
    sign_in: SignIn, acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    placement_id, move_in = await placed_in_malmo(acting_as, tenant_ids)
    home = await sign_in(GOTEBORG_PLACERING)
    month = await home.get("/placering/betalningsansvar", params={"manad": f"{move_in:%Y-%m}"})
    assert month.status_code == 200
    assert "kvarskrivning" in month.text
    assert f"/placering/betalningsansvar/{placement_id}" in month.text
    bad_month = await home.get("/placering/betalningsansvar", params={"manad": "december"})
    assert bad_month.status_code == 400
    assert "Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-12." in bad_month.text

    page = await home.get(f"/placering/betalningsansvar/{placement_id}")
    assert "kvarskrivning" in page.text
    too_early = await home.post_form(
        page,
        f"/placering/betalningsansvar/{placement_id}/overforing",
        {"transfer_on": (move_in - timedelta(days=3)).isoformat()},
    )
    assert too_early.status_code == 400
    assert "Överföringsdagen kan inte ligga före placeringens början" in too_early.text
    assert transfers(owner_engine) == []
    proposed = await home.post_form(
        page, f"/placering/betalningsansvar/{placement_id}/overforing", {"transfer_on": move_in.isoformat()}
    )
    assert proposed.status_code in {302, 303}

    receiving = await sign_in(MALMO_PLACERING)
    answer = await receiving.get(f"/placering/betalningsansvar/{placement_id}")
    assert '<details class="app-confirm">' in answer.text
    agreed = await receiving.post_form(answer, f"/placering/betalningsansvar/{placement_id}/overforing/godkann", {})
    assert agreed.status_code in {302, 303}
    assert transfers(owner_engine) == [("agreed", move_in)]

    exported = await receiving.post_form(answer, "/placering/betalningsansvar/export", {"manad": f"{move_in:%Y-%m}"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "Malmö stad" in exported.text

    outsider = await sign_in(STOCKHOLM_PLACERING)
    assert (await outsider.get(f"/placering/betalningsansvar/{placement_id}")).status_code == 404
    officer = await sign_in(GOTEBORG_SOCIALSEKRETERARE)
    assert (await officer.get("/placering/betalningsansvar")).status_code == 403
    board = await sign_in(VASTRA_GOTALAND_SAMORDNARE)
    assert (await board.get("/placering/betalningstvister")).status_code == 200
    assert (await board.get("/placering/betalningsansvar")).status_code == 403


async def test_the_api_refuses_an_early_date_and_ones_own_proposal_in_swedish(
    sign_in: SignIn, acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine
) -> None:
    placement_id, move_in = await placed_in_malmo(acting_as, tenant_ids)
    api = await api_for(sign_in, MALMO_PLACERING)
    base = f"/api/v1/housing/payments/{placement_id}"
    early = await api.post(f"{base}/transfers", {"transfer_on": (move_in - timedelta(days=1)).isoformat()})
    assert early.status_code == 400
    assert fields(early) == {
        "transfer_on": f"Överföringsdagen kan inte ligga före placeringens början ({move_in.isoformat()})."
    }
    assert transfers(owner_engine) == []
    made = await api.post(f"{base}/transfers", {"transfer_on": move_in.isoformat()})
    assert made.status_code == 201
    assert made.json()["transfers"][0]["status"] == "proposed"
    own = await api.post(f"{base}/transfers/agree")
    assert own.status_code == 400
    assert fields(own) == {"transfer": payment.OWN_PROPOSAL}
    home = await api_for(sign_in, GOTEBORG_PLACERING)
    disputed = await home.post(f"{base}/transfers/dispute", {"reason": "agreement_differs", "text": "Avtal 2026"})
    assert disputed.status_code == 200
    month = await home.get(f"/api/v1/housing/payments/?month={move_in:%Y-%m}")
    assert [line["payer"] for line in month.json()] == ["home"]
    bad = await home.get("/api/v1/housing/payments/?month=2026-13")
    assert bad.status_code == 400
    board = await api_for(sign_in, SKANE_SAMORDNARE)
    [dispute] = (await board.get("/api/v1/housing/payment-disputes/")).json()
    assert dispute["dispute_reason"] == "agreement_differs"
    outsider = await api_for(sign_in, STOCKHOLM_PLACERING)
    assert (await outsider.get(base)).status_code == 404
