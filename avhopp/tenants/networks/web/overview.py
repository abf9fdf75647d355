"""The overview as JSON: a member's networks, next meeting and new documents; for coordinators, their workspace.

The page shows the same at `/natverk` (`avhopp.tenants.networks.web.pages`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec
from litestar import Controller, get

from avhopp.platform.scope.request import Acting
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.cases.web.components import API_EXCEPTION_HANDLERS
from avhopp.tenants.networks.permissions import NETWORK_PARTICIPATE
from avhopp.tenants.networks.service import overview
from avhopp.tenants.networks.web.api import SpaceOut, space_out
from avhopp.tenants.networks.web.common import actor_of, needs

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

    from avhopp.tenants.networks.service import MeetingSummary

PARTICIPATING = needs(NETWORK_PARTICIPATE)


class SpaceSummaryOut(msgspec.Struct):
    """One of your spaces; `members` only for the spaces your organisation runs (null otherwise)."""

    space: SpaceOut
    members: int | None
    """Running member organisations."""
    upcoming_meetings: int
    """Meetings still to come that you see."""


class MeetingSummaryOut(msgspec.Struct):
    """A meeting: its space, title and time (Europe/Stockholm offsets)."""

    id: UUID
    space_id: UUID
    space_name: str
    title: str
    starts_at: datetime
    ends_at: datetime


class NewDocumentOut(msgspec.Struct):
    """A document added or given a new version in the last 30 days."""

    id: UUID
    space_id: UUID
    space_name: str
    title: str
    version: int
    organisation: str
    """The organisation that added it."""
    uploaded_at: datetime


class OverviewOut(msgspec.Struct):
    """Your networks at a glance; `minutes_to_approve` holds drafts only for spaces your organisation runs."""

    spaces: list[SpaceSummaryOut]
    next_meeting: MeetingSummaryOut | None
    new_documents: list[NewDocumentOut]
    coordinator: bool
    """Your organisation runs at least one of the spaces."""
    minutes_to_approve: list[MeetingSummaryOut]


def _meeting(meeting: MeetingSummary) -> MeetingSummaryOut:
    return MeetingSummaryOut(
        meeting.meeting_id,
        meeting.space_id,
        meeting.space_name,
        meeting.title,
        meeting.starts_at.astimezone(STOCKHOLM),
        meeting.ends_at.astimezone(STOCKHOLM),
    )


class OverviewApi(Controller):
    """The member's view and the coordinator's workspace."""

    path = "/api/v1/networks"
    tags = ["networks"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/overview", opt=PARTICIPATING, summary="Översikt över mina nätverk")
    async def overview(self, acting: Acting) -> OverviewOut:
        """Your networks, the next meeting, new documents; for coordinators members, meetings and minutes to approve."""
        seen = await overview(acting.session, actor_of(acting), datetime.now(STOCKHOLM))
        return OverviewOut(
            spaces=[
                SpaceSummaryOut(space_out(summary.line), summary.members, summary.upcoming) for summary in seen.spaces
            ],
            next_meeting=None if seen.next_meeting is None else _meeting(seen.next_meeting),
            new_documents=[
                NewDocumentOut(
                    document.document_id,
                    document.space_id,
                    document.space_name,
                    document.title,
                    document.version,
                    document.organisation,
                    document.uploaded_at.astimezone(STOCKHOLM),
                )
                for document in seen.new_documents
            ],
            coordinator=seen.coordinator,
            minutes_to_approve=[_meeting(meeting) for meeting in seen.minutes_to_approve],
        )


OVERVIEW_ROUTES: list[ControllerRouterHandler] = [OverviewApi]
