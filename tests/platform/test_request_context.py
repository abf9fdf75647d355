"""The tenant and user reach the database per transaction, and row-level security fails closed."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Text, Uuid, bindparam, event, false, func, literal, null, select, text, true
from sqlalchemy.exc import DBAPIError, MultipleResultsFound

from avhopp.platform.audit.chain import chain_key
from avhopp.platform.database import (
    RequestContext,
    acting_user_id,
    context_of,
    context_session,
    create_app_engine,
    following_read,
    publishing_read,
    read_publishing,
    read_publishing_then,
    session_factory,
)
from avhopp.platform.migration_helpers import TENANT_PREDICATE
from tests.platform.web.conftest import SECRET_KEY

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from tests.support.postgres import TestDatabase

TENANT_A = uuid.uuid4()
TENANT_B = uuid.uuid4()
ANNA = uuid.uuid4()

SETTINGS_AND_PID = text(
    "SELECT current_setting('app.tenant_id', true) AS tenant, current_setting('app.user_id', true) AS user_id,"
    " pg_backend_pid() AS pid"
)


@pytest.fixture
async def one_connection_engine(database: TestDatabase) -> AsyncIterator[AsyncEngine]:
    """A pool of exactly one connection, so consecutive transactions share it."""
    engine = create_app_engine(database.app_url, pool_size=1)
    yield engine
    await engine.dispose()


async def test_context_is_visible_inside_the_transaction(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with context_session(sessions, RequestContext(tenant_id=TENANT_A, user_id=ANNA)) as session:
        row = (await session.execute(SETTINGS_AND_PID)).one()

    assert row.tenant == str(TENANT_A)
    assert row.user_id == str(ANNA)


async def test_a_pooled_connection_carries_no_tenant_into_the_next_transaction(
    one_connection_engine: AsyncEngine,
) -> None:
    sessions = session_factory(one_connection_engine, audit_key=chain_key(SECRET_KEY))
    async with context_session(sessions, RequestContext(tenant_id=TENANT_A, user_id=ANNA)) as session:
        first = (await session.execute(SETTINGS_AND_PID)).one()

    async with one_connection_engine.connect() as connection:
        bare = (await connection.execute(SETTINGS_AND_PID)).one()
    async with context_session(sessions, RequestContext()) as session:
        anonymous = (await session.execute(SETTINGS_AND_PID)).one()

    assert first.pid == bare.pid == anonymous.pid, "the test needs the same pooled connection"
    assert (bare.tenant or "") == ""
    assert (bare.user_id or "") == ""
    assert anonymous.tenant == ""


async def test_every_transaction_of_a_session_publishes_the_context(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions(info={"context": RequestContext(tenant_id=TENANT_B)}) as session:
        async with session.begin():
            first = (await session.execute(SETTINGS_AND_PID)).one()
        async with session.begin():
            second = (await session.execute(SETTINGS_AND_PID)).one()

    assert first.tenant == second.tenant == str(TENANT_B)


async def test_a_session_runs_in_one_transaction_that_an_error_undoes_whole(
    sessions: async_sessionmaker[AsyncSession], tenant_table: str
) -> None:
    # The session begins its transaction itself (with its context, in one message): it must still
    # be one transaction, opened before the first statement and ended with the session.
    class UndoError(Exception):
        pass

    async def write_then_fail() -> tuple[object, object, bool]:
        async with context_session(sessions, RequestContext(tenant_id=TENANT_A)) as session:
            started = await session.scalar(text("SELECT now()"))
            await session.execute(text(f"INSERT INTO {tenant_table} VALUES (:tenant, 'undone')"), {"tenant": TENANT_A})
            later = await session.scalar(text("SELECT now()"))
            opened_before = await session.scalar(text("SELECT transaction_timestamp() < statement_timestamp()"))
            raise UndoError(started, later, opened_before)

    with pytest.raises(UndoError) as undone:
        await write_then_fail()

    started, later, opened_before = undone.value.args
    assert later == started
    assert opened_before is True
    assert await markers(sessions, tenant_table, RequestContext(tenant_id=TENANT_A)) == {"a-marker"}


async def test_a_context_that_is_not_ids_and_flags_is_refused_before_anything_is_sent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    forged = RequestContext(tenant_id="', true); SELECT set_config('app.tenant_id', '")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ids and flags"):
        async with context_session(sessions, forged) as session:
            await session.execute(SETTINGS_AND_PID)


@contextmanager
def statements_sent(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements `engine` sends while the block runs."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_a_read_that_names_who_acts_publishes_them_in_the_same_statement(
    sessions: async_sessionmaker[AsyncSession], app_engine: AsyncEngine
) -> None:
    with statements_sent(app_engine) as sent:
        async with context_session(sessions, RequestContext(tenant_id=TENANT_B)) as session:
            found = await read_publishing(
                session,
                publishing_read(
                    select(literal("found").label("what")),
                    tenant_id=bindparam("tenant", type_=Uuid()),
                    user_id=literal(ANNA),
                ),
                {"tenant": TENANT_A},
            )
            row = (await session.execute(SETTINGS_AND_PID)).one()
            published = context_of(session)

    assert found is not None
    assert found.what == "found"
    assert (row.tenant, row.user_id) == (str(TENANT_A), str(ANNA))
    assert published == RequestContext(tenant_id=TENANT_A, user_id=ANNA)
    # BEGIN with the context and the read that publishes in one message, then the query: nothing more.
    assert len(sent) == 2
    assert sent[0].startswith(f"BEGIN; SELECT set_config('app.tenant_id', '{TENANT_B}', true)")
    assert " AS what" in sent[0]


# What a read sent behind the one that names who acts sees of them: the user and the tenant.
WHO_ACTS = following_read(
    select(acting_user_id().label("user_id"), func.current_setting("app.tenant_id", true()).label("tenant"))
)


async def test_a_read_behind_the_one_that_names_who_acts_goes_in_its_message_and_acts_as_them(
    sessions: async_sessionmaker[AsyncSession], app_engine: AsyncEngine
) -> None:
    with statements_sent(app_engine) as sent:
        async with context_session(sessions, RequestContext(tenant_id=TENANT_B)) as session:
            found, following = await read_publishing_then(
                session,
                publishing_read(
                    select(literal("found").label("what"), literal(7).label("seven")),
                    tenant_id=bindparam("tenant", type_=Uuid()),
                    user_id=literal(ANNA),
                ),
                {"tenant": TENANT_A},
                WHO_ACTS,
            )
            row = (await session.execute(SETTINGS_AND_PID)).one()
            published = context_of(session)

    assert found is not None
    assert (found.what, found.seven) == ("found", 7)
    assert [tuple(row) for row in following] == [(ANNA, str(TENANT_A))]
    assert (row.tenant, row.user_id) == (str(TENANT_A), str(ANNA))
    assert published == RequestContext(tenant_id=TENANT_A, user_id=ANNA)
    # BEGIN with the context, the read that publishes and the one behind it: one message.
    assert len(sent) == 2
    assert sent[0].startswith(f"BEGIN; SELECT set_config('app.tenant_id', '{TENANT_B}', true)")
    assert sent[0].endswith(WHO_ACTS.sql)


async def test_a_read_behind_one_that_finds_nobody_acts_as_nobody(sessions: async_sessionmaker[AsyncSession]) -> None:
    # A forged cookie finds no session: the read behind it (the principal's) must find no person.
    async with context_session(sessions, RequestContext(tenant_id=TENANT_B)) as session:
        found, following = await read_publishing_then(
            session,
            publishing_read(
                select(literal("found")).where(false()), tenant_id=literal(TENANT_A), user_id=literal(ANNA)
            ),
            {},
            WHO_ACTS,
        )
        published = context_of(session)

    assert found is None
    assert [tuple(row) for row in following] == [(None, str(TENANT_B))]
    assert published == RequestContext(tenant_id=TENANT_B)


async def test_a_read_that_names_who_acts_must_name_one(sessions: async_sessionmaker[AsyncSession]) -> None:
    two_rows = publishing_read(
        select(literal("row")).select_from(func.generate_series(1, 2)),
        tenant_id=literal(TENANT_A),
        user_id=literal(ANNA),
    )
    with pytest.raises(MultipleResultsFound):
        async with context_session(sessions, RequestContext(tenant_id=TENANT_B)) as session:
            await read_publishing_then(session, two_rows, {}, WHO_ACTS)


async def test_a_read_behind_the_one_that_names_who_acts_later_in_a_transaction_joins_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # No BEGIN in the message: the published row is still the read's own, not an earlier result.
    async with context_session(sessions, RequestContext(tenant_id=TENANT_B)) as session:
        await session.execute(text("SELECT 1"))
        found, following = await read_publishing_then(
            session,
            publishing_read(select(literal("found").label("what")), tenant_id=literal(TENANT_A), user_id=literal(ANNA)),
            {},
            WHO_ACTS,
        )

    assert found is not None
    assert found.what == "found"
    assert [tuple(row) for row in following] == [(ANNA, str(TENANT_A))]


async def test_a_value_given_to_the_read_that_names_who_acts_stays_a_value(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # The read's parameters are quoted into the message that begins the transaction: a forged
    # cookie or client id that tries to end the string and run a statement of its own is only text.
    forged = f"x' = 'x'; SELECT set_config('app.tenant_id', '{TENANT_A}', true); --"
    async with context_session(sessions, RequestContext(tenant_id=TENANT_B)) as session:
        found = await read_publishing(
            session,
            publishing_read(
                select(literal("found").label("what")).where(bindparam("token", type_=Text()) == "x"),
                tenant_id=literal(TENANT_A),
                user_id=literal(ANNA),
            ),
            {"token": forged},
        )
        row = (await session.execute(SETTINGS_AND_PID)).one()

    assert found is None
    assert (row.tenant, row.user_id) == (str(TENANT_B), "")


async def test_a_read_that_names_who_acts_later_in_a_transaction_joins_it(
    sessions: async_sessionmaker[AsyncSession], tenant_table: str
) -> None:
    # A transaction another statement has begun: no second BEGIN, and what was done before stays in it.
    async with context_session(sessions, RequestContext(tenant_id=TENANT_B)) as session:
        started = await session.scalar(text("SELECT transaction_timestamp()"))
        await session.execute(text(f"INSERT INTO {tenant_table} VALUES (:tenant, 'joined')"), {"tenant": TENANT_B})
        found = await read_publishing(
            session,
            publishing_read(
                select(literal("found").label("what"), text("transaction_timestamp() AS began")),
                tenant_id=literal(TENANT_A),
                user_id=literal(ANNA),
            ),
            {},
        )
        seen = set((await session.execute(text(f"SELECT marker FROM {tenant_table}"))).scalars())

    assert found is not None
    assert found.began == started
    assert seen == {"a-marker"}
    assert await markers(sessions, tenant_table, RequestContext(tenant_id=TENANT_B)) == {"b-marker", "joined"}


async def test_a_read_that_finds_nobody_publishes_nobody(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with context_session(sessions, RequestContext(tenant_id=TENANT_B)) as session:
        nothing = await read_publishing(
            session,
            publishing_read(
                select(literal("found")).where(false()), tenant_id=literal(TENANT_A), user_id=literal(ANNA)
            ),
            {},
        )
        no_account = await read_publishing(
            session, publishing_read(select(literal("found")), tenant_id=literal(TENANT_B), user_id=null()), {}
        )
        row = (await session.execute(SETTINGS_AND_PID)).one()
        published = context_of(session)

    assert nothing is None
    assert no_account is not None
    assert (row.tenant, row.user_id) == (str(TENANT_B), "")
    assert published == RequestContext(tenant_id=TENANT_B)


@pytest.fixture
def tenant_table(owner_engine: Engine, database: TestDatabase) -> Iterator[str]:
    """A table set up exactly as `tenant_scoped_table` sets up every tenant table."""
    name = f"rls_probe_{uuid.uuid4().hex[:8]}"
    role = database.app_url.username
    with owner_engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE TABLE {name} (tenant_id uuid NOT NULL, marker text NOT NULL)")
        connection.exec_driver_sql(f"INSERT INTO {name} VALUES ('{TENANT_A}', 'a-marker'), ('{TENANT_B}', 'b-marker')")
        connection.exec_driver_sql(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
        connection.exec_driver_sql(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY")
        connection.exec_driver_sql(
            f"CREATE POLICY tenant_isolation ON {name} USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
        )
        connection.exec_driver_sql(f"GRANT SELECT, INSERT ON {name} TO {role}")
    yield name
    with owner_engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {name}")


async def markers(sessions: async_sessionmaker[AsyncSession], table: str, context: RequestContext) -> set[str]:
    async with context_session(sessions, context) as session:
        return set((await session.execute(text(f"SELECT marker FROM {table}"))).scalars())


async def test_the_tenant_policy_shows_only_the_current_tenants_rows(
    sessions: async_sessionmaker[AsyncSession], tenant_table: str
) -> None:
    assert await markers(sessions, tenant_table, RequestContext(tenant_id=TENANT_A)) == {"a-marker"}
    assert await markers(sessions, tenant_table, RequestContext(tenant_id=TENANT_B)) == {"b-marker"}


async def test_the_tenant_policy_fails_closed_without_a_tenant(
    sessions: async_sessionmaker[AsyncSession], tenant_table: str, app_engine: AsyncEngine
) -> None:
    assert await markers(sessions, tenant_table, RequestContext()) == set()
    async with app_engine.connect() as connection:  # no set_config at all
        assert (await connection.execute(text(f"SELECT count(*) FROM {tenant_table}"))).scalar_one() == 0


async def test_the_tenant_policy_refuses_writing_into_another_tenant(
    sessions: async_sessionmaker[AsyncSession], tenant_table: str
) -> None:
    with pytest.raises(DBAPIError, match="row-level security"):
        async with context_session(sessions, RequestContext(tenant_id=TENANT_A)) as session:
            await session.execute(
                text(f"INSERT INTO {tenant_table} VALUES (:tenant, 'forged')"), {"tenant": str(TENANT_B)}
            )

    assert await markers(sessions, tenant_table, RequestContext(tenant_id=TENANT_B)) == {"b-marker"}


def test_every_table_with_a_tenant_column_has_forced_rls_and_a_policy(owner_engine: Engine) -> None:
    with owner_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
                " (SELECT count(*) FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname)"
                "   AS policies"
                " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
                " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"
                " AND a.attname = 'tenant_id' AND NOT a.attisdropped"
                " AND c.relname NOT LIKE 'rls_probe_%' AND c.relname NOT LIKE 'test_%'"
            )
        ).all()

    unprotected = [row.relname for row in rows if not (row.relrowsecurity and row.relforcerowsecurity and row.policies)]
    assert unprotected == []


async def test_without_a_ping_at_checkout_the_pool_recovers_by_itself_when_the_server_drops_its_connections(
    database: TestDatabase, owner_engine: Engine
) -> None:
    engine = create_app_engine(database.app_url, pool_size=2)
    sessions = session_factory(engine, audit_key=chain_key(SECRET_KEY))
    try:
        async with (
            context_session(sessions, RequestContext()) as first,
            context_session(sessions, RequestContext()) as second,
        ):
            pids = {(await session.execute(SETTINGS_AND_PID)).one().pid for session in (first, second)}
        # What a restart of PostgreSQL does to the pooled connections.
        with owner_engine.connect() as connection:
            for pid in pids:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

        with pytest.raises(DBAPIError) as dropped:
            async with context_session(sessions, RequestContext()) as session:
                await session.execute(SETTINGS_AND_PID)
        assert dropped.value.connection_invalidated
        async with context_session(sessions, RequestContext(tenant_id=TENANT_A)) as session:
            later = (await session.execute(SETTINGS_AND_PID)).one()
    finally:
        await engine.dispose()

    assert later.pid not in pids
    assert later.tenant == str(TENANT_A)
