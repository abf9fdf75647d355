"""Key rotation: every sealed value moves to the new key, an interrupted run resumes, the old key holds nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import LargeBinary, text

from avhopp.all_models import Base
from avhopp.directory.line.callbacks import CallbackRequest, request_callback_from_public
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.idp import ensure_identity_provider
from avhopp.platform.idp.accounts import seal_totp_secret
from avhopp.platform.idp.admin import create_account
from avhopp.platform.rekey import batch, context_of, rekey, sealed_tables
from avhopp.platform.sealing import SealError, unseal, unseal_with
from avhopp.platform.settings import load_settings
from tests.platform.web.conftest import SECRET_KEY
from tests.tenants.cases import conftest as cases

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy import Connection, Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.settings import Settings
    from avhopp.tenants.cases.service import Actor
    from tests.support.people import NamedPerson

# The cases' fixtures, for a case with its person sealed.
acting_as, tenant_ids = cases.acting_as, cases.tenant_ids

OLD = SECRET_KEY
NEW = "ny-nyckel-för-omförsegling-" + "n" * 20


class InterruptedRunError(Exception):
    """Stands for Ctrl-C or a killed process in the middle of a run."""


def test_every_sealed_column_is_declared_so_rekeying_finds_it() -> None:
    binary = {
        f"{name}.{column.name}"
        for name, table in Base.metadata.tables.items()
        for column in table.columns
        if isinstance(column.type, LargeBinary)
    }
    declared = {f"{table.name}.{name}" for table in sealed_tables(Base.metadata) for name, _ in table.columns}

    assert declared == binary
    assert declared >= {
        "case_person.identity_sealed",
        "case_person.address_sealed",
        "case_person.intake_sealed",
        "case_consent.document_sealed",
        "line_callback.phone_sealed",
        "idp_account.totp_secret_encrypted",
        "idp_signing_key.private_jwk_encrypted",
    }


def _values(connection: Connection) -> list[tuple[str, str, bytes, bytes]]:
    """Every stored sealed value: where, its purpose, the value and its context."""
    found = []
    tables = sealed_tables(Base.metadata)
    for sealed in tables:
        connection.execute(text(f'ALTER TABLE "{sealed.name}" NO FORCE ROW LEVEL SECURITY'))
        for row in batch(connection, sealed, None, 100_000):
            for name, info in sealed.columns:
                if row[name] is not None:
                    context = context_of(row[info.context]) if info.context else b""
                    found.append((f"{sealed.name}.{name}", info.purpose, bytes(row[name]), context))
    # Never committed: the connection's transaction is rolled back, forced security with it.
    return found


def _opening_under(owner_engine: Engine, key: str) -> list[str]:
    with owner_engine.connect() as connection:
        opened = []
        for where, purpose, value, context in _values(connection):
            try:
                unseal_with(key, purpose, value, context)
            except SealError:
                continue
            opened.append(where)
        connection.rollback()
    return opened


async def _sealed_data(
    sessions: async_sessionmaker[AsyncSession],
    acting_as: Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]],
    owner_engine: Engine,
    settings: Settings,
) -> None:
    """A case's person, a callback's number, an authenticator secret and a signing key, all under OLD."""
    await cases.open_goteborg_case(acting_as)
    now = datetime.now(UTC)
    async with context_session(sessions, RequestContext()) as session:
        await request_callback_from_public(
            session, OLD, CallbackRequest("070-765 43 21", now + timedelta(hours=1), now + timedelta(hours=2))
        )
    with owner_engine.begin() as connection:
        ensure_identity_provider(connection, settings, [])
        account_id, _ = create_account(connection, f"rekey-{uuid.uuid4().hex[:8]}", "Nyckel Bytesson", None)
        connection.execute(
            text("UPDATE idp_account SET totp_secret_encrypted = :sealed WHERE id = :id"),
            {"sealed": seal_totp_secret(OLD, account_id, "JBSWY3DPEHPK3PXP"), "id": account_id},
        )


async def test_an_interrupted_rekey_resumes_and_leaves_nothing_under_the_old_key(
    sessions: async_sessionmaker[AsyncSession],
    acting_as: Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]],
    owner_engine: Engine,
    test_settings: Settings,
) -> None:
    await _sealed_data(sessions, acting_as, owner_engine, test_settings)
    # Off the event loop: the runtime role's pooled connections belong to it and must stay served.
    await asyncio.to_thread(_rekey_in_two_runs, owner_engine)


def _rekey_in_two_runs(owner_engine: Engine) -> None:
    tables = sealed_tables(Base.metadata)
    before = _opening_under(owner_engine, OLD)
    assert {where.split(".")[0] for where in before} >= {
        "case_person",
        "line_callback",
        "idp_account",
        "idp_signing_key",
    }

    done: list[int] = []

    def stop_after_two_batches(values: int) -> None:
        done.append(values)
        if len(done) == 2:
            raise InterruptedRunError

    with pytest.raises(InterruptedRunError):
        rekey(owner_engine.begin, tables, (OLD, NEW), advance=stop_after_two_batches, batch_size=1)
    halfway = _opening_under(owner_engine, NEW)
    assert 0 < len(halfway) < len(before)
    assert len(_opening_under(owner_engine, OLD)) == len(before) - len(halfway)

    # While it runs, the platform opens values under either key.
    during = load_settings({"AVHOPP_SECRET_KEY": NEW, "AVHOPP_PREVIOUS_SECRET_KEY": OLD})
    with owner_engine.connect() as connection:
        for _, purpose, value, context in _values(connection):
            unseal(during.secret_key, purpose, value, context)
        connection.rollback()

    resumed = rekey(owner_engine.begin, tables, (OLD, NEW), batch_size=3)

    assert resumed.done
    assert resumed.already >= len(halfway)
    assert resumed.rekeyed + len(halfway) >= len(before)
    assert _opening_under(owner_engine, OLD) == []
    assert len(_opening_under(owner_engine, NEW)) >= len(before)
    again = rekey(owner_engine.begin, tables, (OLD, NEW))
    assert again.rekeyed == 0
    # Row-level security is forced again on every table it was switched off for.
    with owner_engine.connect() as connection:
        unforced = connection.execute(
            text(
                "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                " AND relname = ANY(:names) AND NOT relforcerowsecurity"
            ),
            {"names": ["case_person", "case_consent", "line_callback"]},
        ).scalar_one()
    assert unforced == 0
