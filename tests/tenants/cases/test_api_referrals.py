"""The line's referrals through the cases API: the receiver reads (audited), accepts into a draft case or
declines with a reason; another organisation gets the answer a referral that does not exist gets."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from tests.support.people import KC_HANDLAGGARE, MALMO_SOCIALSEKRETERARE
from tests.tenants.cases.api_client import CASES, api_for, fields, problem
from tests.tenants.cases.conftest import referral_to_kc

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.service import Actor
    from tests.conftest import SignIn
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

pytestmark = pytest.mark.usefixtures("seeded")

REFERRALS = f"{CASES}/referrals"


def referral_reads(owner_engine: Engine, referral_id: uuid.UUID) -> int:
    with owner_engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT count(*) FROM audit_event WHERE action = 'person.read' AND object_id = :id"),
                {"id": str(referral_id)},
            ).scalar_one()
        )


async def test_the_receiver_reads_a_referral_and_accepts_it_into_a_draft_case(
    sign_in: SignIn, acting_as: ActingAs, owner_engine: Engine
) -> None:
    referral_id = await referral_to_kc(acting_as)
    officer = await api_for(sign_in, KC_HANDLAGGARE)

    inbox = await officer.get(REFERRALS)
    [line] = [line for line in inbox.json() if line["id"] == str(referral_id)]
    assert (line["status"], line["status_label"], line["unanswered"]) == ("sent", "Skickad", True)
    # The list says nothing about the person.
    assert "boende" not in inbox.text
    assert referral_reads(owner_engine, referral_id) == 0

    one = await officer.get(f"{REFERRALS}/{referral_id}")
    assert one.status_code == 200, one.text
    assert one.json()["shared_information"] == "Vill lämna en grupp, behöver boende."
    assert (one.json()["safe_contact"], one.json()["status"]) == ("Sms efter kl. 18", "opened")
    assert referral_reads(owner_engine, referral_id) == 1

    accepted = await officer.post(f"{REFERRALS}/{referral_id}/accept")
    assert accepted.status_code == 201, accepted.text
    case = accepted.json()
    assert (case["phase"], case["contact_source"], case["role"]) == ("draft", "guidance_line", "responsible")
    assert [line["id"] for line in (await officer.get(CASES)).json()] == [case["id"]]

    again = await officer.post(f"{REFERRALS}/{referral_id}/accept")
    assert fields(again) == {"decision": "Remissen är redan besvarad."}
    assert [line["id"] for line in (await officer.get(CASES)).json()] == [case["id"]]


async def test_a_decline_needs_a_reason_and_then_the_line_reads_it(sign_in: SignIn, acting_as: ActingAs) -> None:
    referral_id = await referral_to_kc(acting_as)
    officer = await api_for(sign_in, KC_HANDLAGGARE)

    assert fields(await officer.post(f"{REFERRALS}/{referral_id}/decline", {"reason": "  "})) == {
        "reason": "Skriv varför ni inte kan ta emot personen."
    }
    assert fields(await officer.post(f"{REFERRALS}/{referral_id}/decline", {"skal": "x"})).keys() == {"skal"}
    unchanged = await officer.get(REFERRALS)
    assert [line["status"] for line in unchanged.json() if line["id"] == str(referral_id)] == ["sent"]

    declined = await officer.post(f"{REFERRALS}/{referral_id}/decline", {"reason": "Vi har inga platser just nu."})
    assert declined.status_code == 201, declined.text
    assert (declined.json()["status"], declined.json()["unanswered"]) == ("declined", False)
    assert (await officer.get(CASES)).json() == []


async def test_another_organisation_gets_the_answer_of_a_referral_that_does_not_exist(
    sign_in: SignIn, acting_as: ActingAs, owner_engine: Engine
) -> None:
    referral_id = await referral_to_kc(acting_as)
    malmo = await api_for(sign_in, MALMO_SOCIALSEKRETERARE)
    missing = uuid.uuid4()

    assert (await malmo.get(REFERRALS)).json() == []
    for method, suffix, body in (
        ("GET", "", None),
        ("POST", "/accept", None),
        ("POST", "/decline", {"reason": "Inte vår"}),
    ):
        foreign = await malmo.send(method, f"{REFERRALS}/{referral_id}{suffix}", body)
        absent = await malmo.send(method, f"{REFERRALS}/{missing}{suffix}", body)
        assert problem(foreign) == problem(absent), suffix
        assert foreign.status_code == 404
    assert referral_reads(owner_engine, referral_id) == 0
    officer = await api_for(sign_in, KC_HANDLAGGARE)
    [line] = [line for line in (await officer.get(REFERRALS)).json() if line["id"] == str(referral_id)]
    assert line["status"] == "sent"
