"""The auditor's page: the acting tenant's trail, newest first, filtered by person, action and date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Request, get
from litestar.exceptions import ClientException
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template
from sqlalchemy import select, text

from avhopp.platform.audit.actions import Action
from avhopp.platform.audit.chain import chain_of
from avhopp.platform.audit.models import AuditEntry
from avhopp.platform.audit.permissions import AUDIT_READ
from avhopp.platform.audit.trail import AuditEvent, record
from avhopp.platform.labels import label, labels_of
from avhopp.platform.scope.request import Acting
from avhopp.platform.times import STOCKHOLM, swedish_time
from avhopp.platform.web.observe import request_id_of
from avhopp.platform.web.parts import PartWeb
from avhopp.platform.web.shell import NavEntry

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncSession

_TEMPLATES = Path(__file__).parent / "templates"
_KNOWN_ACTIONS = frozenset(Action)
"""Codes this version knows; an older row may carry one it no longer does, shown as it is."""
PAGE_SIZE = 50

# The people module's tables, read by name: the platform may not import the modules above it.
_MEMBERS = text(
    "SELECT u.id, u.display_name FROM membership m JOIN app_user u ON u.id = m.user_id"
    " WHERE m.tenant_id = :tenant ORDER BY u.display_name, u.id"
)
_NAMES = text("SELECT id, display_name FROM app_user WHERE id = ANY(:ids)")


@dataclass(frozen=True, slots=True)
class Filters:
    """The page's filters as given in the URL; empty fields filter nothing."""

    person: UUID | None
    action: str | None
    date_from: date | None
    date_to: date | None
    page: int

    def query(self, page: int) -> str:
        """The URL query of these filters on another page."""
        values = {
            "person": str(self.person) if self.person else "",
            "handelse": self.action or "",
            "fran": self.date_from.isoformat() if self.date_from else "",
            "till": self.date_to.isoformat() if self.date_to else "",
            "sida": str(page),
        }
        return urlencode({key: value for key, value in values.items() if value})


@dataclass(frozen=True, slots=True)
class Line:
    """One event as shown in the table."""

    occurred_at: str
    person: str
    action: str
    object: str
    reason: str


@get("/granskning", opt={"permission": AUDIT_READ}, include_in_schema=False)
async def audit_trail(  # noqa: PLR0913 - one argument per filter in the URL
    request: Request[Any, Any, Any],
    acting: Acting,
    *,
    person: FromQuery[str | None] = None,
    action: Annotated[str | None, QueryParameter(name="handelse")] = None,
    date_from: Annotated[str | None, QueryParameter(name="fran")] = None,
    date_to: Annotated[str | None, QueryParameter(name="till")] = None,
    page: Annotated[int, QueryParameter(name="sida", ge=1, le=100_000)] = 1,
) -> Template:
    """The trail of the tenant the auditor acts for; reading it is itself recorded."""
    filters = _parse(person, action, date_from, date_to, page)
    session = acting.session
    members = {row.id: row.display_name for row in await session.execute(_MEMBERS, {"tenant": acting.tenant_id})}
    entries = await _entries(session, chain_of(acting.tenant_id), filters)
    names = await _names(session, members, entries)
    await record(
        session,
        AuditEvent(
            action=Action.AUDIT_VIEWED,
            tenant_id=acting.tenant_id,
            actor_user_id=acting.user_id,
            actor_client_id=acting.principal.client_id,
            object_type="audit_trail",
            request_id=request_id_of(request.scope) or None,
        ),
    )
    shown = entries[:PAGE_SIZE]
    return Template(
        template_name="audit/trail.html",
        context={
            "filters": filters,
            "members": members,
            "actions": labels_of(Action),
            "lines": [_line(entry, names) for entry in shown],
            "previous_query": filters.query(filters.page - 1) if filters.page > 1 else None,
            "next_query": filters.query(filters.page + 1) if len(entries) > PAGE_SIZE else None,
        },
    )


def _parse(person: str | None, action: str | None, date_from: str | None, date_to: str | None, page: int) -> Filters:
    # A GET form sends empty fields as empty strings: they mean "any".
    try:
        return Filters(
            person=UUID(person) if person else None,
            action=action or None,
            date_from=date.fromisoformat(date_from) if date_from else None,
            date_to=date.fromisoformat(date_to) if date_to else None,
            page=page,
        )
    except ValueError:
        raise ClientException from None


async def _entries(session: AsyncSession, chain: str, filters: Filters) -> Sequence[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.chain == chain)
    if filters.person:
        query = query.where(AuditEntry.actor_user_id == filters.person)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.date_from:
        query = query.where(AuditEntry.occurred_at >= datetime.combine(filters.date_from, time(), STOCKHOLM))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(), STOCKHOLM)
        query = query.where(AuditEntry.occurred_at < end)
    # One more than a page tells whether there is a next page.
    query = query.order_by(AuditEntry.seq.desc()).offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    return (await session.execute(query)).scalars().all()


async def _names(session: AsyncSession, members: dict[UUID, str], entries: Sequence[AuditEntry]) -> dict[UUID, str]:
    """Names of the actors on the page, members or not (a former member stays nameable)."""
    missing = list({entry.actor_user_id for entry in entries if entry.actor_user_id} - members.keys())
    names = dict(members)
    if missing:
        names.update({row.id: row.display_name for row in await session.execute(_NAMES, {"ids": missing})})
    return names


def _line(entry: AuditEntry, names: dict[UUID, str]) -> Line:
    if entry.actor_user_id:
        person = names.get(entry.actor_user_id, str(entry.actor_user_id))
    elif entry.actor_client_id:
        person = entry.actor_client_id
    else:
        person = ""
    return Line(
        occurred_at=swedish_time(entry.occurred_at, "%Y-%m-%d %H:%M:%S"),
        person=person,
        action=label(Action(entry.action)) if entry.action in _KNOWN_ACTIONS else entry.action,
        object=" ".join(part for part in (entry.object_type, entry.object_id) if part),
        reason=entry.reason or "",
    )


AUDIT_WEB = PartWeb(
    name="platform.audit",
    routes=[audit_trail],
    templates=_TEMPLATES,
    nav=(NavEntry("Granskning", "/granskning", AUDIT_READ),),
)
