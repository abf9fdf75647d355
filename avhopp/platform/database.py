"""Connections to PostgreSQL and the per-transaction request context.

Two roles: the owner runs migrations and loads reference data (sync engine, CLI and setup),
and the runtime role, which owns nothing and cannot bypass row-level security, serves
requests and jobs (async engine). The tenant and user of a request reach the database
through `set_config(..., true)` at the start of every transaction (and, for the principal, in
the read that finds who acts: `read_publishing`), so they die with the transaction and a pooled
connection never carries them into the next one.

A session's transaction is begun by the session itself, in the same message as its context
(`BEGIN; SELECT set_config(...)`): the driver, left to begin it, would send BEGIN alone, one
more round trip per request. Its connections are therefore in the driver's autocommit mode,
which only means that the driver sends no BEGIN of its own: it still commits or rolls back
whenever the server says a transaction is open. A request's first read, the one that says who
acts (`read_publishing`), goes in that same message too, and so can a read that needs to know who
acts (a `FollowingRead`, the person's memberships behind their web session).
"""

from __future__ import annotations

import re
from collections import namedtuple
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any, Self
from uuid import UUID

from psycopg import AsyncClientCursor, AsyncConnection, AsyncCursor
from sqlalchemy import Text, Uuid, cast, create_engine, event, func, text, true
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.exc import MultipleResultsFound
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from avhopp.platform.settings import APP_ROLE_DEFAULT

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from sqlalchemy import ColumnElement, Connection, CursorResult, Engine, Row, Select, SQLColumnExpression
    from sqlalchemy.engine import URL

_SET_CONTEXT = text(
    "SELECT set_config('app.tenant_id', :tenant_id, true),"
    " set_config('app.user_id', :user_id, true),"
    " set_config('app.job_relay', :job_relay, true)"
)


_CONTEXT_VALUE = re.compile(r"[0-9a-f-]*|on")
"""What a context value can be (a UUID, a flag, or empty): it is sent as a literal, so nothing else may pass."""


class RuntimeRoleError(RuntimeError):
    """The runtime role could bypass row-level security; the platform must not start."""


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Who acts, for which tenant; made visible to row-level security policies."""

    tenant_id: UUID | None = None
    user_id: UUID | None = None
    job_relay: bool = False
    """Only the job outbox relay reads the outbox across tenants (see avhopp.platform.jobs)."""


def app_url_for(owner_url: URL, app_url: URL | None) -> URL:
    """The runtime connection: the one given, or the owner's server and database as the app role."""
    if app_url is not None:
        return app_url
    return owner_url.set(username=APP_ROLE_DEFAULT, password=None)


def create_owner_engine(owner_url: URL) -> Engine:
    """A small sync engine for migrations, role set-up and reference data."""
    return create_engine(owner_url, pool_size=2, max_overflow=0, pool_pre_ping=True)


_RECYCLE_SECONDS = 1800
"""Connections older than this are replaced at checkout, before a firewall or server drops them idle."""


def create_app_engine(app_url: URL, *, pool_size: int = 10) -> AsyncEngine:
    """The runtime engine. Its sessions must come from `session_factory`.

    No ping at every checkout: that is a round trip to the database per transaction. A connection
    the server has closed (a restart, a failover) fails its next statement instead; SQLAlchemy
    recognises the disconnect and invalidates it and every connection of the pool opened before it,
    so that request fails and the ones after it get fresh connections.
    """
    return create_async_engine(
        app_url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        pool_recycle=_RECYCLE_SECONDS,
        connect_args={"cursor_factory": LastResultCursor},
    )


_EARLIER_RESULTS: ContextVar[list[tuple[tuple[str, ...], list[Any]]] | None] = ContextVar(
    "earlier_results", default=None
)
"""Set while a message carries a read behind the one that publishes: the cursor leaves there the
column names and rows of each result before the last (which SQLAlchemy reads as usual)."""


class LastResultCursor(AsyncCursor[Any]):
    """A cursor that answers a message of several statements with its last result, as libpq's PQexec does.

    psycopg keeps every result and starts at the first, which for `BEGIN; ...; <read>` is BEGIN's
    empty one; SQLAlchemy fetches only the result the cursor is on.
    """

    async def execute(self, *args: Any, **kwargs: Any) -> Self:  # noqa: ANN401 - psycopg's signature
        """Execute, then move on to the last result."""
        await super().execute(*args, **kwargs)
        earlier = _EARLIER_RESULTS.get()
        if earlier is None:
            while self.nextset():
                pass
            return self
        while True:
            names = tuple(column.name for column in self.description or ())
            rows = await self.fetchall() if names else []
            if not self.nextset():
                if rows:  # back to the start of the last result, for SQLAlchemy to read
                    await self.scroll(0, mode="absolute")
                return self
            earlier.append((names, rows))


_AUDIT_KEY = "audit_key"


class NoAuditKeyError(RuntimeError):
    """These sessions were made without the audit trail's key, so they cannot append to it."""


def session_factory(engine: AsyncEngine, *, audit_key: bytes | None) -> async_sessionmaker[AsyncSession]:
    """Sessions whose every transaction starts by publishing the request context.

    They carry the key of the audit trail's HMAC (`avhopp.platform.audit.chain.chain_key`), which
    the database never holds; None for sessions that record nothing in the trail.
    """
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        sync_session_class=ContextSession,
        info={_AUDIT_KEY: audit_key},
    )


def audit_key_of(sessions: async_sessionmaker[AsyncSession]) -> bytes | None:
    """The audit key that `sessions` carry (for a worker that opens its own engine)."""
    key: bytes | None = sessions.kw.get("info", {}).get(_AUDIT_KEY)
    return key


def audit_key_of_session(session: AsyncSession) -> bytes:
    """The audit key of the factory that made `session`."""
    key: bytes | None = session.info.get(_AUDIT_KEY)
    if key is None:
        raise NoAuditKeyError
    return key


class ContextSession(Session):
    """A Session that carries a RequestContext in `info["context"]`."""


def _context_values(context: RequestContext) -> dict[str, str]:
    # An empty string, not NULL: set_config cannot take NULL, and the policies read '' as unset.
    return {
        "tenant_id": str(context.tenant_id) if context.tenant_id else "",
        "user_id": str(context.user_id) if context.user_id else "",
        "job_relay": "on" if context.job_relay else "",
    }


def _begin_with(context: RequestContext) -> str:
    """BEGIN and the context's settings as one simple query (it takes no parameters, hence literals)."""
    values = _context_values(context)
    if not all(_CONTEXT_VALUE.fullmatch(value) for value in values.values()):
        raise ValueError("a request context holds only ids and flags")
    return (
        f"BEGIN; SELECT set_config('app.tenant_id', '{values['tenant_id']}', true),"
        f" set_config('app.user_id', '{values['user_id']}', true),"
        f" set_config('app.job_relay', '{values['job_relay']}', true)"
    )


_BEGIN_WITH_READ = "begin_with_read"
"""Set while `read_publishing` opens the transaction: it sends BEGIN itself, with its read."""
_BEGIN_OWED = "begin_owed"
"""Set by the hook when it left BEGIN to `read_publishing`."""


@event.listens_for(ContextSession, "after_begin")
def _publish_context(session: Session, _transaction: Any, connection: Connection) -> None:  # noqa: ANN401 - SQLAlchemy's hook
    if session.info.get(_BEGIN_WITH_READ):
        session.info[_BEGIN_OWED] = True
        return
    context: RequestContext = session.info.get("context", RequestContext())
    connection.exec_driver_sql(_begin_with(context))


@asynccontextmanager
async def context_session(
    sessions: async_sessionmaker[AsyncSession], context: RequestContext
) -> AsyncIterator[AsyncSession]:
    """One session for one request or job, in one tenant. Commits on success, rolls back on error."""
    async with sessions(info={"context": context}) as session, session.begin():
        yield session


@asynccontextmanager
async def continued_session(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Take over a session whose transaction is already open: commit on success, roll back on error."""
    try:
        yield session
    except BaseException:
        await session.rollback()
        raise
    else:
        await session.commit()
    finally:
        await session.close()


def context_of(session: AsyncSession) -> RequestContext:
    """The context `session` publishes."""
    context: RequestContext = session.info.get("context", RequestContext())
    return context


async def act_as(session: AsyncSession, context: RequestContext) -> None:
    """Publish another context for the rest of this transaction, and for the session's later ones.

    For the sign-in check, which learns who acts only from its first read: it then goes on as that
    person in the same transaction instead of opening a second one.
    """
    session.info["context"] = context
    await session.execute(_SET_CONTEXT, _context_values(context))


_PSYCOPG = psycopg_dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy's dialects are untyped


@dataclass(frozen=True, slots=True)
class PublishingRead:
    """A read that names who acts and publishes them as it reads (see `read_publishing`).

    Compiled once, at import, with placeholders for what varies: neither built nor compiled again
    on every request.
    """

    sql: str
    """The statement's SQL for psycopg, with `%(name)s` for each parameter."""
    constants: dict[str, Any]
    """The values of the parameters the statement itself fixed (the settings' names, say)."""


def publishing_read(
    statement: Select[*tuple[Any, ...]], *, tenant_id: SQLColumnExpression[Any], user_id: SQLColumnExpression[Any]
) -> PublishingRead:
    """`statement` with two more columns that set the tenant and the user it names for the transaction."""
    published = statement.add_columns(
        func.set_config("app.tenant_id", func.coalesce(cast(tenant_id, Text), ""), true()).label("published_tenant"),
        func.set_config("app.user_id", func.coalesce(cast(user_id, Text), ""), true()).label("published_user"),
    )
    compiled = published.compile(dialect=_PSYCOPG)
    constants = {compiled.bind_names[bind]: bind.value for bind in compiled.binds.values() if not bind.required}
    return PublishingRead(compiled.string, constants)


def acting_user_id() -> ColumnElement[Any]:
    """The person (or system account) the transaction acts as, in SQL; NULL for nobody."""
    return _context_uuid("app.user_id")


def acting_tenant_id() -> ColumnElement[Any]:
    """The tenant the transaction acts for, in SQL; NULL for none."""
    return _context_uuid("app.tenant_id")


def _context_uuid(setting: str) -> ColumnElement[Any]:
    # The context's settings hold '' for unset (set_config cannot take NULL).
    return cast(func.nullif(func.current_setting(setting, true()), ""), Uuid())


@dataclass(frozen=True, slots=True)
class FollowingRead:
    """A read sent behind a `read_publishing` in its message, so that it sees whom that read published.

    It takes no parameters: who it is about comes from the context (`acting_user_id`).
    """

    sql: str


def following_read(statement: Select[*tuple[Any, ...]]) -> FollowingRead:
    """`statement`, compiled once with its constants written in."""
    return FollowingRead(str(statement.compile(dialect=_PSYCOPG, compile_kwargs={"literal_binds": True})))


@cache
def _row_type(names: tuple[str, ...]) -> type[tuple[Any, ...]]:
    """A named tuple for a publishing read's columns (a few reads, each with its one set of names)."""
    return namedtuple("Published", names)  # noqa: PYI024 - the names are known only when the row comes


async def read_publishing_then(
    session: AsyncSession, read: PublishingRead, parameters: dict[str, Any], then: FollowingRead
) -> tuple[Any, Sequence[Row[Any]]]:
    """As `read_publishing`, with `then` read in the same message, acting as whom `read` published.

    The published row is a named tuple (None if `read` found none); `then`'s rows as usual.
    """
    earlier: list[tuple[tuple[str, ...], list[Any]]] = []
    collecting = _EARLIER_RESULTS.set(earlier)
    try:
        following = await _send_publishing(session, read, parameters, then.sql)
    finally:
        _EARLIER_RESULTS.reset(collecting)
    names, rows = earlier[-1]
    if len(rows) > 1:
        raise MultipleResultsFound("a read that names who acts found more than one row")
    published = _row_type(names)(*rows[0]) if rows else None
    _publish_from(session, published)
    return published, following.all()


async def read_publishing(session: AsyncSession, read: PublishingRead, parameters: dict[str, Any]) -> Row[Any] | None:
    """The one row `read` finds with `parameters`; the rest of the transaction acts as who it names.

    For the read that says who acts (a web session, a machine client's account): the context is
    set as that row is read, not by a `set_config` of its own. As the transaction's first
    statement it goes in the message that begins the transaction (`BEGIN; <context>; <read>`,
    one simple query, so its parameters are bound by psycopg's client-side quoting): one round
    trip for both. The session's context is taken from the values the server answers it set, so
    the two cannot differ; with no row nothing is set.
    """
    published: Row[Any] | None = (await _send_publishing(session, read, parameters)).one_or_none()
    _publish_from(session, published)
    return published


async def _send_publishing(
    session: AsyncSession, read: PublishingRead, parameters: dict[str, Any], then: str | None = None
) -> CursorResult[Any]:
    """Send `read` (after BEGIN and the context, if the transaction is not open yet, and before `then`)."""
    session.info[_BEGIN_WITH_READ] = True
    try:
        connection = await session.connection()
    finally:
        del session.info[_BEGIN_WITH_READ]
    begin = session.info.pop(_BEGIN_OWED, False)
    raw = (await connection.get_raw_connection()).driver_connection
    if not isinstance(raw, AsyncConnection):
        raise TypeError("the runtime engine's connections are psycopg's")
    message = AsyncClientCursor(raw).mogrify(read.sql, {**read.constants, **parameters})
    if begin:
        message = f"{_begin_with(context_of(session))}; {message}"
    if then is not None:
        message = f"{message}; {then}"
    return await connection.exec_driver_sql(message)


def _publish_from(session: AsyncSession, published: tuple[Any, ...] | None) -> None:
    """Take the session's context from the values the server answers the read set (none if it found no row)."""
    if published is None:
        return
    tenant, user = tuple(published)[-2:]
    session.info["context"] = replace(
        context_of(session), tenant_id=UUID(tenant) if tenant else None, user_id=UUID(user) if user else None
    )


async def verify_runtime_role(engine: AsyncEngine) -> None:
    """Refuse to run as a role that row-level security does not bind."""
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT r.rolname, r.rolsuper, r.rolbypassrls,"
                    " (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid"
                    "  AND c.relnamespace = 'public'::regnamespace) AS owned"
                    " FROM pg_roles r WHERE r.rolname = current_user"
                )
            )
        ).one()
    if row.rolsuper:
        raise RuntimeRoleError(f"Databasrollen {row.rolname} är superanvändare och får inte köra plattformen.")
    if row.rolbypassrls:
        raise RuntimeRoleError(f"Databasrollen {row.rolname} kan kringgå radsäkerheten (BYPASSRLS).")
    if row.owned:
        raise RuntimeRoleError(f"Databasrollen {row.rolname} äger tabeller och kringgår därmed radsäkerheten.")


async def act_for_tenant(session: AsyncSession, tenant_id: UUID | None) -> None:
    """Switch the rest of this transaction to another tenant (None: no tenant).

    For jobs that act for several tenants in turn (reminders, escalations, erasure), and for the
    few use cases whose very point is another tenant: switching to a tenant the person belongs to,
    accepting an invitation, a visitor's callback request to the guidance line. Row-level
    security then checks each row against the tenant it is read or written for. Handlers never
    call this themselves; their tenant is the principal's.
    """
    await session.execute(
        text("SELECT set_config('app.tenant_id', :tenant, true)"),
        {"tenant": "" if tenant_id is None else str(tenant_id)},
    )
