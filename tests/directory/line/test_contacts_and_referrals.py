"""The guidance line: anonymous contacts, consent-only referrals, the receiver's decision, escalation."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from avhopp.directory.catalogue.seed import seed_service_id
from avhopp.directory.catalogue.vocabulary import ThreatLevel
from avhopp.directory.line.jobs import for_every_line
from avhopp.directory.line.models import Contact, Referral
from avhopp.directory.line.service import (
    ContactRecord,
    Decision,
    Opening,
    ReferralRequest,
    contact_in_line,
    decide_referral,
    escalate_unopened,
    inbox_of_tenant,
    open_referral,
    record_contact,
    refer,
    referrals_of_line,
    start_contact,
    working_day_after,
)
from avhopp.directory.line.vocabulary import CallerType, Channel, Outcome, ReferralStatus, Unanswered
from avhopp.platform.problems import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.directory.conftest import Tenants

pytestmark = pytest.mark.usefixtures("seeded")
LINE, KC, MALMO = "stodlinjen", "kc-goteborg", "kommun-1280"
# A valid personal identity number (Skatteverket's test series) and a text carrying it.
PERSONNUMMER = "19811218-9876"


@pytest.fixture(scope="module")
def people(owner_engine: Engine) -> dict[str, uuid.UUID]:
    with owner_engine.begin() as connection:
        return {
            name: connection.execute(
                text("INSERT INTO app_user (display_name) VALUES (:name) RETURNING id"), {"name": name}
            ).scalar_one()
            for name in ("Omar vägledare", "Karin handläggare")
        }


async def new_contact(tenants: Tenants, operator: uuid.UUID) -> uuid.UUID:
    async with tenants.acting(LINE) as session:
        return await start_contact(session, tenants.ids[LINE], operator, Opening(Channel.PHONE, CallerType.RELATIVE))


def request(service_id: uuid.UUID | None, **overrides: object) -> ReferralRequest:
    fields: dict[str, object] = {
        "service_id": service_id,
        "consent_given": True,
        "shared_information": "Vill lämna ett nätverk i Göteborg, har ingen bostad.",
        "safe_contact": "Ring efter 18 på vardagar.",
    }
    return ReferralRequest(**(fields | overrides))  # type: ignore[arg-type]


async def test_a_referral_reaches_the_service_owner_who_accepts_and_the_line_sees_it(
    tenants: Tenants, people: dict[str, uuid.UUID]
) -> None:
    operator, officer = people["Omar vägledare"], people["Karin handläggare"]
    contact_id = await new_contact(tenants, operator)
    async with tenants.acting(LINE) as session:
        referral_id = await refer(
            session, tenants.ids[LINE], operator, contact_id, request(seed_service_id("kc-goteborg"))
        )

    async with tenants.acting(KC) as session:
        assert referral_id in {view.referral.id for view in await inbox_of_tenant(session, tenants.ids[KC])}
        opened = await open_referral(session, tenants.ids[KC], referral_id)
    assert opened.referral.shared_information.startswith("Vill lämna")
    async with tenants.acting(KC) as session:
        await decide_referral(session, tenants.ids[KC], officer, referral_id, Decision(accept=True, reason=""))

    async with tenants.acting(LINE) as session:
        (view,) = await referrals_of_line(session, tenants.ids[LINE], contact_id)
        contact = await contact_in_line(session, tenants.ids[LINE], contact_id)
    assert view.referral.status == ReferralStatus.ACCEPTED
    assert view.referral.opened_at is not None
    assert Outcome.REFERRED in contact.outcomes

    async with tenants.acting(MALMO) as session:
        assert await inbox_of_tenant(session, tenants.ids[MALMO]) == []
        with pytest.raises(NotFoundError):
            await open_referral(session, tenants.ids[MALMO], referral_id)
        with pytest.raises(NotFoundError):
            await contact_in_line(session, tenants.ids[MALMO], contact_id)


async def test_refusals_name_their_field_and_save_nothing(tenants: Tenants, people: dict[str, uuid.UUID]) -> None:
    operator = people["Omar vägledare"]
    contact_id = await new_contact(tenants, operator)
    cases = {
        "consent_given": request(seed_service_id("kc-goteborg"), consent_given=False),
        "service_id": request(uuid.uuid4()),
        "shared_information": request(seed_service_id("kc-goteborg"), shared_information=f"Han heter {PERSONNUMMER}"),
        "safe_contact": request(seed_service_id("kc-goteborg"), safe_contact=f"pnr {PERSONNUMMER}"),
    }
    for field, bad in cases.items():
        async with tenants.acting(LINE) as session:
            with pytest.raises(InvalidInputError) as refused:
                await refer(session, tenants.ids[LINE], operator, contact_id, bad)
        assert field in {problem.field for problem in refused.value.problems}
    async with tenants.acting(LINE) as session:
        assert await referrals_of_line(session, tenants.ids[LINE], contact_id) == []


async def test_a_tenant_that_takes_no_referrals_is_refused(tenants: Tenants, people: dict[str, uuid.UUID]) -> None:
    """Only organisations that run services receive referrals, not the national coordinator that lists some."""
    operator = people["Omar vägledare"]
    contact_id = await new_contact(tenants, operator)
    bergslagen_unit = seed_service_id("personsakerhet-bergslagen")  # owned by the national coordinator
    async with tenants.acting(LINE) as session:
        with pytest.raises(InvalidInputError) as refused:
            await refer(session, tenants.ids[LINE], operator, contact_id, request(bergslagen_unit))
    assert refused.value.problems[0].field == "service_id"


async def test_declining_needs_a_reason(tenants: Tenants, people: dict[str, uuid.UUID]) -> None:
    operator, officer = people["Omar vägledare"], people["Karin handläggare"]
    contact_id = await new_contact(tenants, operator)
    async with tenants.acting(LINE) as session:
        referral_id = await refer(
            session, tenants.ids[LINE], operator, contact_id, request(seed_service_id("kc-goteborg"))
        )
    async with tenants.acting(KC) as session:
        with pytest.raises(InvalidInputError):
            await decide_referral(session, tenants.ids[KC], officer, referral_id, Decision(accept=False, reason=" "))
    async with tenants.acting(KC) as session:
        declined = await decide_referral(
            session, tenants.ids[KC], officer, referral_id, Decision(accept=False, reason="Bor utanför Göteborg.")
        )
    assert declined.status == ReferralStatus.DECLINED


async def test_notes_with_a_personal_identity_number_are_refused_by_the_app_and_the_database(
    tenants: Tenants, people: dict[str, uuid.UUID]
) -> None:
    operator = people["Omar vägledare"]
    contact_id = await new_contact(tenants, operator)
    record = ContactRecord(
        county="14",
        target_group=Unanswered.NOT_ASKED,
        threat_level=ThreatLevel.LATENT,
        needs=frozenset({Unanswered.UNKNOWN}),
        outcomes=frozenset({Outcome.INFORMATION_GIVEN}),
        guidance_notes=f"Uppgav {PERSONNUMMER}.",
        end=True,
    )
    async with tenants.acting(LINE) as session:
        with pytest.raises(InvalidInputError) as refused:
            await record_contact(session, tenants.ids[LINE], contact_id, record)
    assert refused.value.problems[0].field == "guidance_notes"
    async with tenants.acting(LINE) as session:
        with pytest.raises(DBAPIError, match="notes_without_personal_numbers"):
            await session.execute(
                update(Contact).where(Contact.id == contact_id).values(guidance_notes=f"Uppgav {PERSONNUMMER}.")
            )
    async with tenants.acting(LINE) as session:
        saved = await record_contact(
            session, tenants.ids[LINE], contact_id, dataclasses.replace(record, guidance_notes="Gav råd om stöd.")
        )
    assert (saved.guidance_notes, saved.ended_at is not None) == ("Gav råd om stöd.", True)


def test_one_working_day_skips_weekends_and_holidays() -> None:
    friday = datetime(2026, 12, 18, 16, 0, tzinfo=UTC)
    assert working_day_after(friday) == datetime(2026, 12, 21, 16, 0, tzinfo=UTC)
    before_christmas = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)
    # 24 December (Christmas Eve) and 25–26 December are not working days.
    assert working_day_after(before_christmas) == datetime(2026, 12, 28, 10, 0, tzinfo=UTC)


async def test_unopened_referrals_are_escalated_after_one_working_day(
    tenants: Tenants, people: dict[str, uuid.UUID], owner_engine: Engine
) -> None:
    operator = people["Omar vägledare"]
    contact_id = await new_contact(tenants, operator)
    other_contact_id = await new_contact(tenants, operator)  # one referral per contact and service
    async with tenants.acting(LINE) as session:
        stale = await refer(session, tenants.ids[LINE], operator, contact_id, request(seed_service_id("kc-goteborg")))
        fresh = await refer(
            session, tenants.ids[LINE], operator, other_contact_id, request(seed_service_id("kc-goteborg"))
        )
    long_ago = datetime.now(UTC) - timedelta(days=7)
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenants.ids[LINE])})
        connection.execute(update(Referral).where(Referral.id == stale).values(sent_at=long_ago))

    async with tenants.acting(None) as session:
        await for_every_line(session, datetime.now(UTC), escalate_unopened)
    async with tenants.acting(LINE) as session:
        escalated = {
            row.id: row.escalated_at
            for row in await session.execute(
                select(Referral.id, Referral.escalated_at).where(Referral.id.in_([stale, fresh]))
            )
        }
        count = await session.scalar(select(func.count()).select_from(Referral).where(Referral.id == stale))
    assert count == 1
    assert escalated[stale] is not None
    assert escalated[fresh] is None
