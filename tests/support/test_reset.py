"""The reset after each test: what a test wrote is gone, what it changed or removed is back."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from avhopp.platform.audit import Action, AuditEvent, record_alone
from tests.support.people import GOTEBORG, GOTEBORG_SOCIALSEKRETERARE

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.support.reset import Baseline


def snapshot(owner_engine: Engine) -> tuple[object, ...]:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.audit_verify', 'on', true)"))
        goteborg = connection.execute(text("SELECT id, name FROM tenant WHERE slug = :s"), {"s": GOTEBORG}).one()
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(goteborg.id)})
        return (
            goteborg.name,
            connection.execute(text("SELECT count(*) FROM app_user")).scalar_one(),
            connection.execute(text("SELECT max(id) FROM audit_event")).scalar_one(),
            connection.execute(
                text("SELECT roles FROM membership WHERE user_id = :u"), {"u": GOTEBORG_SOCIALSEKRETERARE.user_id}
            ).scalar_one_or_none(),
        )


async def test_a_restore_undoes_inserts_updates_deletes_and_the_audit_trail(
    baseline: Baseline, owner_engine: Engine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    baseline.restore()  # whatever tests before this one left, the restore starts from the baseline
    before = snapshot(owner_engine)
    with owner_engine.begin() as connection:
        goteborg = connection.execute(text("SELECT id FROM tenant WHERE slug = :s"), {"s": GOTEBORG}).scalar_one()
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(goteborg)})
        connection.execute(text("UPDATE tenant SET name = 'Omdöpt' WHERE id = :t"), {"t": goteborg})
        connection.execute(text("DELETE FROM membership WHERE user_id = :u"), {"u": GOTEBORG_SOCIALSEKRETERARE.user_id})
        newcomer = connection.execute(
            text("INSERT INTO app_user (display_name) VALUES ('Ny') RETURNING id")
        ).scalar_one()
        connection.execute(
            text("INSERT INTO membership (tenant_id, user_id, roles) VALUES (:t, :u, '{auditor}')"),
            {"t": goteborg, "u": newcomer},
        )
    await record_alone(sessions, AuditEvent(Action.PERSON_READ, goteborg, uuid.uuid4(), reason="reset"))
    assert snapshot(owner_engine) != before

    touched = baseline.restore()

    assert set(touched) >= {"tenant", "membership", "app_user", "audit_event"}
    assert snapshot(owner_engine) == before
    assert baseline.restore() == []
    # The audit trail's guard is back on after the restore.
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.audit_verify', 'on', true)"))
        triggers = connection.execute(
            text("SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_event_append_only'")
        ).scalar_one()
        forced = connection.execute(
            text("SELECT relforcerowsecurity FROM pg_class WHERE oid = 'public.membership'::regclass")
        ).scalar_one()
    assert (triggers, forced) == ("O", True)


def test_a_transaction_left_open_by_a_frozen_job_does_not_hang_the_restore(
    baseline: Baseline, owner_engine: Engine
) -> None:
    baseline.restore()
    with owner_engine.begin() as connection:
        connection.execute(text("INSERT INTO app_user (display_name) VALUES ('Skriven av testet')"))
    # As a job on the stopped event loop leaves it: a write not yet committed, its locks held.
    frozen = owner_engine.connect()
    frozen.execute(text("INSERT INTO app_user (display_name) VALUES ('Aldrig klar')"))

    assert baseline.restore() == ["app_user"]

    with pytest.raises(OperationalError):
        frozen.execute(text("SELECT 1"))
    frozen.invalidate()
    frozen.close()
    with owner_engine.connect() as connection:
        names = connection.execute(
            text("SELECT count(*) FROM app_user WHERE display_name IN ('Skriven av testet', 'Aldrig klar')")
        ).scalar_one()
    assert names == 0
