"""Every free text of the line has its erasure rule; escalations reach the supervisors; callbacks expire.

Omar Vägledare records and refers, Kim Verksamhet answers at the Kunskapscentrum, and Eva
Arbetsledare is the line's supervisor who is told.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import ARRAY, CheckConstraint, LargeBinary, String, select, text, update

from avhopp.directory.catalogue.seed import seed_service_id
from avhopp.directory.line.callbacks import (
    DEFAULT_EXPIRY_DAYS,
    CallbackRequest,
    close_callback,
    escalate_overdue,
    expire_callbacks,
    expiry_days,
    request_callback,
    request_callback_from_public,
    set_expiry_days,
)
from avhopp.directory.line.jobs import for_every_line
from avhopp.directory.line.models import Callback, Contact, Referral
from avhopp.directory.line.notices import ESCALATED_LINK
from avhopp.directory.line.service import (
    Decision,
    Opening,
    ReferralRequest,
    decide_referral,
    erase_expired_notes,
    escalate_unanswered,
    refer,
    set_retention_days,
    start_contact,
    working_days_after,
)
from avhopp.directory.line.vocabulary import CallbackStatus, CallerType, Channel
from avhopp.platform.models import Base
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.registry.service import TenantKind, tenant_ids_of_kind
from tests.support.people import KC_HANDLAGGARE, LINE, LINE_OPERATOR, LINE_SUPERVISOR

if TYPE_CHECKING:
    import uuid

    from sqlalchemy import Engine

    from tests.conftest import SignIn
    from tests.directory.conftest import Tenants

pytestmark = pytest.mark.usefixtures("seeded", "named_people")
KC = "kc-goteborg"
SECRET = "s" * 40

# Every column of the line's tables that holds text, and what happens to it. A free text names the
# test below that proves it is erased; a code names the closed vocabulary that holds it.
FREE_TEXT = {
    ("line_contact", "guidance_notes"): "test_notes_go_after_the_retention_ended_or_not",
    ("line_referral", "shared_information"): "test_what_the_caller_shared_goes_when_answered_or_expired",
    ("line_referral", "safe_contact"): "test_what_the_caller_shared_goes_when_answered_or_expired",
    ("line_referral", "decision_reason"): "test_the_receivers_reason_goes_after_the_retention",
    ("line_callback", "note"): "test_a_callback_closed_or_expired_loses_its_note_and_number",
    ("line_callback", "phone_sealed"): "test_a_callback_closed_or_expired_loses_its_note_and_number",
}
CODES = {
    ("line_contact", "channel"),
    ("line_contact", "caller_type"),
    ("line_contact", "professional_kind"),
    ("line_contact", "county_code"),
    ("line_contact", "county_answer"),
    ("line_contact", "target_group"),
    ("line_contact", "threat_level"),
    ("line_contact", "needs"),
    ("line_contact", "outcomes"),
    ("line_referral", "status"),
    ("line_callback", "status"),
    ("line_callback_attempt", "outcome"),
}


def test_every_text_column_of_the_line_has_its_erasure_rule_or_is_a_code() -> None:
    line_tables = [table for name, table in Base.metadata.tables.items() if name.startswith("line_")]
    textual = {
        (table.name, column.name)
        for table in line_tables
        for column in table.columns
        if isinstance(column.type, String | LargeBinary | ARRAY)
    }
    assert textual == set(FREE_TEXT) | CODES
    module = sys.modules[__name__]
    for proof in FREE_TEXT.values():
        assert callable(getattr(module, proof, None)), proof
    for table_name, column_name in CODES:
        table = Base.metadata.tables[table_name]
        checked = any(
            isinstance(constraint, CheckConstraint) and f"{column_name} " in str(constraint.sqltext)
            for constraint in table.constraints
        )
        assert checked or table.columns[column_name].foreign_keys, (table_name, column_name)


def owner_acting_for_line(owner_engine: Engine, tenants: Tenants, statement: object) -> None:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenants.ids[LINE])})
        connection.execute(statement)  # type: ignore[call-overload]


async def new_contact(tenants: Tenants) -> uuid.UUID:
    async with tenants.acting(LINE) as session:
        return await start_contact(
            session, tenants.ids[LINE], LINE_OPERATOR.user_id, Opening(Channel.PHONE, CallerType.PERSON)
        )


async def new_referral(tenants: Tenants) -> uuid.UUID:
    contact_id = await new_contact(tenants)
    asked = ReferralRequest(seed_service_id(KC), True, "Vill lämna ett nätverk.", "Ring efter 18.")  # noqa: FBT003
    async with tenants.acting(LINE) as session:
        return await refer(session, tenants.ids[LINE], LINE_OPERATOR.user_id, contact_id, asked)


async def referral_row(tenants: Tenants, referral_id: uuid.UUID) -> Referral:
    async with tenants.acting(LINE) as session:
        row = await session.scalar(select(Referral).where(Referral.id == referral_id))
        assert row is not None
        return row


async def test_notes_go_after_the_retention_ended_or_not(tenants: Tenants, owner_engine: Engine) -> None:
    ended, open_ = await new_contact(tenants), await new_contact(tenants)
    long_ago = datetime.now(UTC) - timedelta(days=40)
    for contact_id in (ended, open_):
        owner_acting_for_line(
            owner_engine,
            tenants,
            update(Contact).where(Contact.id == contact_id).values(guidance_notes="Gav råd.", started_at=long_ago),
        )
    owner_acting_for_line(owner_engine, tenants, update(Contact).where(Contact.id == ended).values(ended_at=long_ago))
    async with tenants.acting(None) as session:
        await for_every_line(session, datetime.now(UTC), erase_expired_notes)
    async with tenants.acting(LINE) as session:
        notes = set(await session.scalars(select(Contact.guidance_notes).where(Contact.id.in_([ended, open_]))))
    assert notes == {""}


async def test_what_the_caller_shared_goes_when_answered_or_expired(tenants: Tenants, owner_engine: Engine) -> None:
    answered, forgotten = await new_referral(tenants), await new_referral(tenants)
    async with tenants.acting(KC, KC_HANDLAGGARE.user_id) as session:
        await decide_referral(
            session, tenants.ids[KC], KC_HANDLAGGARE.user_id, answered, Decision(accept=True, reason="")
        )
    row = await referral_row(tenants, answered)
    assert (row.shared_information, row.safe_contact, row.texts_erased_at is not None) == ("", "", True)

    owner_acting_for_line(
        owner_engine,
        tenants,
        update(Referral).where(Referral.id == forgotten).values(sent_at=datetime.now(UTC) - timedelta(days=31)),
    )
    assert (await referral_row(tenants, forgotten)).safe_contact == "Ring efter 18."
    async with tenants.acting(None) as session:
        await for_every_line(session, datetime.now(UTC), erase_expired_notes)
    row = await referral_row(tenants, forgotten)
    assert (row.shared_information, row.safe_contact) == ("", "")


async def test_the_receivers_reason_goes_after_the_retention(tenants: Tenants, owner_engine: Engine) -> None:
    declined = await new_referral(tenants)
    async with tenants.acting(KC, KC_HANDLAGGARE.user_id) as session:
        await decide_referral(
            session, tenants.ids[KC], KC_HANDLAGGARE.user_id, declined, Decision(accept=False, reason="Fullt.")
        )
    async with tenants.acting(None) as session:
        await for_every_line(session, datetime.now(UTC), erase_expired_notes)
    assert (await referral_row(tenants, declined)).decision_reason == "Fullt."
    owner_acting_for_line(
        owner_engine,
        tenants,
        update(Referral).where(Referral.id == declined).values(decided_at=datetime.now(UTC) - timedelta(days=31)),
    )
    async with tenants.acting(None) as session:
        await for_every_line(session, datetime.now(UTC), erase_expired_notes)
    row = await referral_row(tenants, declined)
    assert (row.decision_reason, row.status) == ("", "declined")


def window() -> CallbackRequest:
    start = datetime.now(UTC) + timedelta(hours=1)
    return CallbackRequest("070-123 45 67", start, start + timedelta(hours=2), "Svarar själv.")


async def callback_row(tenants: Tenants, callback_id: uuid.UUID) -> Callback:
    async with tenants.acting(LINE) as session:
        row = await session.scalar(select(Callback).where(Callback.id == callback_id))
        assert row is not None
        return row


async def test_a_callback_closed_or_expired_loses_its_note_and_number(tenants: Tenants, owner_engine: Engine) -> None:
    async with tenants.acting(LINE) as session:
        closed = await request_callback(session, tenants.ids[LINE], SECRET, window())
        kept = await request_callback(session, tenants.ids[LINE], SECRET, window())
        expired = await request_callback(session, tenants.ids[LINE], SECRET, window())
    async with tenants.acting(LINE) as session:
        await close_callback(session, tenants.ids[LINE], closed, CallbackStatus.CANCELLED)
    row = await callback_row(tenants, closed)
    assert (row.note, row.phone_sealed, row.status) == ("", None, CallbackStatus.CANCELLED)

    owner_acting_for_line(
        owner_engine,
        tenants,
        update(Callback).where(Callback.id == expired).values(created_at=datetime.now(UTC) - timedelta(days=8)),
    )
    async with tenants.acting(None) as session:
        await for_every_line(session, datetime.now(UTC), expire_callbacks)
    row = await callback_row(tenants, expired)
    assert (row.note, row.phone_sealed, row.status) == ("", None, CallbackStatus.EXPIRED)
    assert (await callback_row(tenants, kept)).phone_sealed is not None


async def test_by_default_an_open_callback_expires_after_seven_days_and_not_before(
    tenants: Tenants, owner_engine: Engine
) -> None:
    assert DEFAULT_EXPIRY_DAYS == 7
    async with tenants.acting(LINE) as session:
        assert await expiry_days(session, tenants.ids[LINE]) == DEFAULT_EXPIRY_DAYS
        young = await request_callback(session, tenants.ids[LINE], SECRET, window())
        old = await request_callback(session, tenants.ids[LINE], SECRET, window())
    for callback_id, age in ((young, timedelta(days=7) - timedelta(hours=1)), (old, timedelta(days=7, hours=1))):
        owner_acting_for_line(
            owner_engine,
            tenants,
            # Its window long past: overdue, yet only the expiry (or an operator's close) erases the number.
            update(Callback)
            .where(Callback.id == callback_id)
            .values(
                created_at=datetime.now(UTC) - age,
                window_start=datetime.now(UTC) - age,
                window_end=datetime.now(UTC) - age + timedelta(hours=1),
            ),
        )
    async with tenants.acting(None) as session:
        await for_every_line(session, datetime.now(UTC), escalate_overdue)
        await for_every_line(session, datetime.now(UTC), expire_callbacks)
    kept = await callback_row(tenants, young)
    assert (kept.status, kept.phone_sealed is not None, kept.note) == (CallbackStatus.OPEN, True, "Svarar själv.")
    gone = await callback_row(tenants, old)
    assert (gone.status, gone.phone_sealed, gone.note) == (CallbackStatus.EXPIRED, None, "")


async def test_the_expiry_is_the_lines_setting(tenants: Tenants, owner_engine: Engine) -> None:
    async with tenants.acting(LINE) as session:
        callback_id = await request_callback(session, tenants.ids[LINE], SECRET, window())
        await set_expiry_days(session, tenants.ids[LINE], 2)
    owner_acting_for_line(
        owner_engine,
        tenants,
        update(Callback).where(Callback.id == callback_id).values(created_at=datetime.now(UTC) - timedelta(days=3)),
    )
    async with tenants.acting(None) as session:
        await for_every_line(session, datetime.now(UTC), expire_callbacks)
    assert (await callback_row(tenants, callback_id)).status == CallbackStatus.EXPIRED
    async with tenants.acting(LINE) as session:
        await set_expiry_days(session, tenants.ids[LINE], 7)
        await set_retention_days(session, tenants.ids[LINE], 30)


async def test_public_callbacks_reach_the_oldest_line_every_time(tenants: Tenants, owner_engine: Engine) -> None:
    with owner_engine.begin() as connection:
        newer = connection.execute(
            text(
                "INSERT INTO tenant (id, slug, kind, name) VALUES ('00000000-0000-0000-0000-000000000001',"
                " 'stodlinjen-ny', 'guidance_line', 'En nyare stödlinje') RETURNING id"
            )
        ).scalar_one()
    try:
        for _ in range(3):
            async with tenants.acting(None) as session:
                callback_id = await request_callback_from_public(session, SECRET, window())
            assert (await callback_row(tenants, callback_id)).tenant_id == tenants.ids[LINE]
        async with tenants.acting(None) as session:
            lines = await tenant_ids_of_kind(session, TenantKind.GUIDANCE_LINE)
        assert lines.index(tenants.ids[LINE]) < lines.index(newer)
    finally:
        with owner_engine.begin() as connection:
            connection.execute(text("DELETE FROM tenant WHERE id = :id"), {"id": newer})


def test_two_working_days_skip_the_weekend() -> None:
    thursday = datetime(2026, 12, 17, 10, 0, tzinfo=STOCKHOLM)
    assert working_days_after(thursday, 2) == datetime(2026, 12, 21, 10, 0, tzinfo=STOCKHOLM)


async def test_escalations_reach_the_supervisors_queue_and_notifications(
    sign_in: SignIn, tenants: Tenants, owner_engine: Engine
) -> None:
    unanswered = await new_referral(tenants)
    owner_acting_for_line(
        owner_engine,
        tenants,
        update(Referral).where(Referral.id == unanswered).values(sent_at=datetime.now(UTC) - timedelta(days=6)),
    )
    async with tenants.acting(None) as session:
        await for_every_line(session, datetime.now(UTC), escalate_unanswered)
    assert (await referral_row(tenants, unanswered)).unanswered_escalated_at is not None
    async with tenants.acting(LINE) as session:
        late = await request_callback(session, tenants.ids[LINE], SECRET, window())
    owner_acting_for_line(
        owner_engine,
        tenants,
        update(Callback)
        .where(Callback.id == late)
        .values(window_start=datetime.now(UTC) - timedelta(hours=5), window_end=datetime.now(UTC) - timedelta(hours=3)),
    )
    async with tenants.acting(None) as session:
        assert await for_every_line(session, datetime.now(UTC), escalate_overdue) >= 1
    async with tenants.acting(None) as session:
        assert await for_every_line(session, datetime.now(UTC), escalate_overdue) == 0  # told once

    operator = await sign_in(LINE_OPERATOR)
    start = await operator.get("/linjen")
    opened = await operator.post_form(start, "/linjen/kontakter", {"channel": "chat", "caller_type": "person"})
    path = opened.headers["location"]
    console = await operator.get(path)
    lifted = await operator.post_form(console, f"{path}/lyft", {})
    assert lifted.status_code == 200
    assert "Arbetsledningen har fått kontakten" in (await operator.get(path)).text

    supervisor = await sign_in(LINE_SUPERVISOR)
    queue = await supervisor.get("/linjen/arbetsledning")
    assert queue.status_code == 200
    assert f'href="/linjen/granskning/{path.rsplit("/", 1)[1]}"' in queue.text
    assert "inget svar på två arbetsdagar" in queue.text
    assert "försenad" in queue.text
    assert "070-123 45 67" not in queue.text  # no number in the supervisors' queue
    assert "Vill lämna ett nätverk." not in queue.text  # nor what the caller shared
    with owner_engine.connect() as connection:
        notices = connection.execute(
            text("SELECT kind, link FROM notification WHERE user_id = :u"), {"u": LINE_SUPERVISOR.user_id}
        ).all()
    kinds = {kind for kind, link in notices if link == ESCALATED_LINK}
    assert {"line_escalation", "line_referrals_unanswered", "line_callbacks_overdue"} <= kinds
    assert (await operator.get("/linjen/arbetsledning")).status_code in {403, 404}
