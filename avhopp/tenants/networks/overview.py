"""The overview: a member's view of their networks, and the coordinator's workspace of the spaces they run.

A member sees their networks, the next meeting of any of them and the documents added or given a new
version in them lately. The coordinators of a space see too how many organisations are members, how
many meetings are still to come, and the minutes drafted and not yet approved. Everything comes from the
spaces the actor's organisation runs or is a member of; row-level security leaves out the rest again
(an invited organisation's other people see no meetings or documents).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from avhopp.tenants.networks.models import (
    NetworkDocument,
    NetworkDocumentVersion,
    NetworkMeeting,
    NetworkMember,
    NetworkMinutes,
)
from avhopp.tenants.networks.spaces import SpaceLine, spaces_of
from avhopp.tenants.networks.vocabulary import MinutesStatus
from avhopp.tenants.registry.service import tenant_names

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.access import Actor

NEW_FOR = timedelta(days=30)
"""A document is new for this long after its latest version was added."""
NEW_DOCUMENTS = 10
"""The overview lists at most this many new documents, the newest first."""


@dataclass(frozen=True, slots=True)
class MeetingSummary:
    """A meeting in the overview."""

    meeting_id: UUID
    space_id: UUID
    space_name: str
    title: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document added or given a new version lately."""

    document_id: UUID
    space_id: UUID
    space_name: str
    title: str
    version: int
    organisation: str
    """The organisation that added the document."""
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class SpaceSummary:
    """One of the actor's spaces; the counts only for the spaces their organisation runs."""

    line: SpaceLine
    members: int | None
    """Running member organisations (for its coordinators)."""
    upcoming: int
    """Meetings still to come that the actor sees."""


@dataclass(frozen=True, slots=True)
class Overview:
    """The actor's networks at a glance."""

    spaces: tuple[SpaceSummary, ...]
    next_meeting: MeetingSummary | None
    new_documents: tuple[NewDocument, ...]
    minutes_to_approve: tuple[MeetingSummary, ...]
    """Drafted minutes of the meetings of spaces the actor's organisation runs, oldest meeting first."""

    @property
    def coordinator(self) -> bool:
        """Whether the actor's organisation runs any of the spaces."""
        return any(summary.line.owner for summary in self.spaces)


def _summary(meeting: NetworkMeeting, names: dict[UUID, str]) -> MeetingSummary:
    return MeetingSummary(
        meeting.id, meeting.space_id, names[meeting.space_id], meeting.title, meeting.starts_at, meeting.ends_at
    )


async def overview(session: AsyncSession, actor: Actor, now: datetime) -> Overview:
    """The actor's networks, their next meeting, new documents and, for coordinators, minutes to approve."""
    lines = await spaces_of(session, actor)
    names = {line.space_id: line.name for line in lines}
    ids = list(names)
    owned = [line.space_id for line in lines if line.owner]
    upcoming = list(
        await session.scalars(
            select(NetworkMeeting)
            .where(NetworkMeeting.space_id.in_(ids), NetworkMeeting.ends_at >= now)
            .order_by(NetworkMeeting.starts_at, NetworkMeeting.id)
        )
    )
    members = dict(
        (
            await session.execute(
                select(NetworkMember.space_id, func.count())
                .where(NetworkMember.space_id.in_(owned), NetworkMember.left_at.is_(None))
                .group_by(NetworkMember.space_id)
            )
        ).all()
    )
    spaces = tuple(
        SpaceSummary(
            line,
            members.get(line.space_id, 0) if line.owner else None,
            sum(1 for meeting in upcoming if meeting.space_id == line.space_id),
        )
        for line in lines
    )
    drafts = list(
        await session.scalars(
            select(NetworkMeeting)
            .join(NetworkMinutes, NetworkMinutes.meeting_id == NetworkMeeting.id)
            .where(NetworkMinutes.space_id.in_(owned), NetworkMinutes.status == MinutesStatus.DRAFT.value)
            .order_by(NetworkMeeting.starts_at, NetworkMeeting.id)
        )
    )
    return Overview(
        spaces,
        _summary(upcoming[0], names) if upcoming else None,
        tuple(await _new_documents(session, ids, names, now)),
        tuple(_summary(meeting, names) for meeting in drafts),
    )


async def _new_documents(
    session: AsyncSession, space_ids: list[UUID], names: dict[UUID, str], now: datetime
) -> list[NewDocument]:
    latest = (
        select(
            NetworkDocumentVersion.document_id,
            func.max(NetworkDocumentVersion.version).label("version"),
            func.max(NetworkDocumentVersion.uploaded_at).label("uploaded_at"),
        )
        .where(NetworkDocumentVersion.space_id.in_(space_ids))
        .group_by(NetworkDocumentVersion.document_id)
        .subquery()
    )
    rows = list(
        await session.execute(
            select(NetworkDocument, latest.c.version, latest.c.uploaded_at)
            .join(latest, latest.c.document_id == NetworkDocument.id)
            .where(NetworkDocument.removed_at.is_(None), latest.c.uploaded_at >= now - NEW_FOR)
            .order_by(latest.c.uploaded_at.desc(), NetworkDocument.id)
            .limit(NEW_DOCUMENTS)
        )
    )
    organisations = await tenant_names(session, {document.uploader_tenant_id for document, _, _ in rows})
    return [
        NewDocument(
            document.id,
            document.space_id,
            names[document.space_id],
            document.title,
            version,
            organisations.get(document.uploader_tenant_id, ""),
            uploaded_at,
        )
        for document, version, uploaded_at in rows
    ]
