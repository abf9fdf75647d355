"""Every row of a case carries its case's tenant: the policies read a row's tenant_id as its case's,
so the database refuses a row that names a case of another tenant, even from the owner."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.support.people import MALMO
from tests.tenants.cases.conftest import open_goteborg_case

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager
    from uuid import UUID

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.service import Actor
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

ROWS = {
    "case_follow_up": "INSERT INTO case_follow_up (case_id, tenant_id, months_after, due_on) VALUES (:c, :t, 6, now())",
    "case_phase_change": "INSERT INTO case_phase_change (case_id, tenant_id, to_phase) VALUES (:c, :t, 'acute')",
    "case_meeting": "INSERT INTO case_meeting (case_id, tenant_id, held_on, person_took_part, organisations)"
    " VALUES (:c, :t, now(), true, '{}')",
    "case_person": "UPDATE case_person SET tenant_id = :t WHERE case_id = :c",
}


@pytest.mark.parametrize("table", sorted(ROWS))
async def test_a_row_naming_a_case_of_another_tenant_is_refused(
    acting_as: ActingAs, tenant_ids: dict[str, UUID], owner_engine: Engine, table: str
) -> None:
    case_id = await open_goteborg_case(acting_as)
    # The suite's owner is the server's superuser: row-level security does not stop it, the key does.
    with pytest.raises(IntegrityError, match="fk_"), owner_engine.begin() as connection:
        connection.execute(text(ROWS[table]), {"c": case_id, "t": tenant_ids[MALMO]})
