"""The networks part's audit actions (stable codes, stored in hashed rows) and one way to record them."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from avhopp.platform.audit import AuditEvent, record
from avhopp.platform.labels import register_labels

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.access import Actor


class NetworkAction(enum.StrEnum):
    """What happened in a network. Codes are stable."""

    SPACE_OPENED = "network.space_opened"
    MEMBER_INVITED = "network.member_invited"
    MEMBER_ENDED = "network.member_ended"
    REPRESENTATIVES_NAMED = "network.representatives_named"
    MEETING_PLANNED = "network.meeting_planned"
    GUEST_INVITED = "network.guest_invited"
    MINUTES_PUBLISHED = "network.minutes_published"
    DOCUMENT_ADDED = "network.document_added"
    DOCUMENT_DOWNLOADED = "network.document_downloaded"
    DOCUMENT_REMOVED = "network.document_removed"


register_labels(
    (
        (NetworkAction.SPACE_OPENED, "Nätverk öppnat"),
        (NetworkAction.MEMBER_INVITED, "Organisation inbjuden till nätverk"),
        (NetworkAction.MEMBER_ENDED, "Organisation lämnade nätverk"),
        (NetworkAction.REPRESENTATIVES_NAMED, "Representanter i nätverk utsedda"),
        (NetworkAction.MEETING_PLANNED, "Nätverksmöte planerat"),
        (NetworkAction.GUEST_INVITED, "Gäst inbjuden till nätverksmöte"),
        (NetworkAction.MINUTES_PUBLISHED, "Protokoll från nätverksmöte publicerat"),
        (NetworkAction.DOCUMENT_ADDED, "Dokument i nätverk tillagt"),
        (NetworkAction.DOCUMENT_DOWNLOADED, "Dokument i nätverk hämtat"),
        (NetworkAction.DOCUMENT_REMOVED, "Dokument i nätverk borttaget"),
    )
)


async def record_network_event(
    session: AsyncSession, action: NetworkAction, object_type: str, object_id: UUID, actor: Actor
) -> None:
    """Append one event to the acting tenant's audit chain, in the caller's transaction (ids only)."""
    await record(
        session,
        AuditEvent(
            action=action,
            tenant_id=actor.tenant_id,
            actor_user_id=actor.user_id,
            object_type=object_type,
            object_id=str(object_id),
        ),
    )
