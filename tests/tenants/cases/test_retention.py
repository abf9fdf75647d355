"""Erasure after retention: the identity and the consent's words go, the coded facts stay, and
row-level security lets nothing else be erased, whoever asks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import DBAPIError

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.models import CasePerson
from avhopp.tenants.cases.retention import erase_expired
from avhopp.tenants.cases.service import Category, ConsentInput, EndReason, Phase, change_phase, record_consent
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import GOTEBORG, GOTEBORG_ENHETSCHEF, GOTEBORG_SOCIALSEKRETERARE, MALMO
from tests.tenants.cases.conftest import open_goteborg_case

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.tenants.cases.service import Actor
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

TODAY = swedish_date()


def _as_owner(owner_engine: Engine, tenant: UUID, sql: str, **values: object) -> list[tuple[object, ...]]:
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})
        result = connection.execute(text(sql), values)
        return [tuple(row) for row in result] if result.returns_rows else []


def _everything(owner_engine: Engine, sql: str, **values: object) -> list[tuple[object, ...]]:
    """What is stored, past row-level security (the suite's owner is the server's superuser)."""
    with owner_engine.connect() as connection:
        connection.execute(text("SET row_security = off"))
        return [tuple(row) for row in connection.execute(text(sql), values)]


async def test_a_closed_case_past_retention_loses_its_identity_and_nothing_else_does(
    acting_as: ActingAs,
    tenant_ids: dict[str, UUID],
    owner_engine: Engine,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    old, recent = await open_goteborg_case(acting_as), await open_goteborg_case(acting_as, "Bo Berg")
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await record_consent(
            session,
            actor,
            old,
            ConsentInput(
                organisations=(tenant_ids[MALMO],),
                categories=(Category.IDENTITY,),
                purpose="Samordning",
                valid_from=TODAY - timedelta(days=1),
                valid_until=TODAY + timedelta(days=30),
                witnessed_by="Handläggaren",
                document=b"%PDF-1.7 undertecknat",
            ),
            SECRET_KEY,
        )
        for case_id in (old, recent):
            await change_phase(session, actor, case_id, Phase.ENDED_EARLY, EndReason.NO_CONTACT)
    goteborg = tenant_ids[GOTEBORG]
    _as_owner(
        owner_engine, goteborg, "UPDATE case_file SET last_entry_at = now() - interval '6 years' WHERE id = :c", c=old
    )

    # Until it is erased, its identity is still its team's alone: the unit head, of the same
    # tenant but not on the team, reads nothing of it.
    async with acting_as(GOTEBORG_ENHETSCHEF) as (session, _head):
        assert await session.scalar(select(func.count()).where(CasePerson.case_id == old)) == 0
    # Nobody deletes an identity directly; the runtime role has no right to.
    with pytest.raises(DBAPIError, match="permission denied"):
        async with context_session(sessions, RequestContext(tenant_id=goteborg)) as session:
            await session.execute(delete(CasePerson).where(CasePerson.case_id == recent))
    # Erasure acts for a tenant, and only on its own cases: Malmö erases nothing of Göteborg's.
    with pytest.raises(DBAPIError, match="erasure acts for a tenant"):
        async with context_session(sessions, RequestContext()) as session:
            await erase_expired(session, goteborg, datetime.now(UTC))
    async with context_session(sessions, RequestContext(tenant_id=tenant_ids[MALMO])) as session:
        assert await erase_expired(session, tenant_ids[MALMO], datetime.now(UTC)) == 0
    # The job acts for the tenant and for nobody in particular.
    async with context_session(sessions, RequestContext(tenant_id=goteborg)) as session:
        assert await erase_expired(session, goteborg, datetime.now(UTC)) == 1

    people = _everything(owner_engine, "SELECT case_id FROM case_person WHERE case_id IN (:a, :b)", a=old, b=recent)
    assert [row[0] for row in people] == [recent]
    [consent] = _everything(
        owner_engine, "SELECT purpose, witnessed_by, document_sealed FROM case_consent WHERE case_id = :c", c=old
    )
    assert consent == ("", "", None)
    [facts] = _everything(
        owner_engine, "SELECT phase, end_reason, erased_at IS NOT NULL FROM case_file WHERE id = :c", c=old
    )
    assert facts == (Phase.ENDED_EARLY.value, EndReason.NO_CONTACT.value, True)
