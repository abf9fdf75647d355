"""County networks: the use cases other parts, the pages and the API may call. No HTTP here.

Every use case takes an `Actor` and answers `NotFoundError` alike for what does not exist and what
the actor's organisation and person do not reach; row-level security checks every row again.
"""

from __future__ import annotations

from avhopp.tenants.networks.access import Actor, SpaceAccess, space_for
from avhopp.tenants.networks.documents import (
    DocumentLine,
    add_document,
    add_version,
    documents_of,
    download,
    remove_document,
)
from avhopp.tenants.networks.meetings import (
    AgendaLine,
    AgendaPoint,
    MeetingInput,
    MeetingView,
    answer,
    guest_meetings,
    invite_guest,
    meeting_view,
    meetings_of,
    plan_meeting,
)
from avhopp.tenants.networks.minutes import (
    MinutesView,
    OutcomeInput,
    OutcomeLine,
    advance_minutes,
    draft_minutes,
    mark_done,
    meeting_calendar,
    minutes_of,
)
from avhopp.tenants.networks.models import MAX_DOCUMENT_BYTES, NetworkMeeting
from avhopp.tenants.networks.needs import CountyNeeds, county_needs
from avhopp.tenants.networks.notices import meeting_link
from avhopp.tenants.networks.spaces import (
    Candidate,
    Invitation,
    MemberLine,
    Organisation,
    SpaceLine,
    SpaceView,
    end_membership,
    invite_member,
    name_representatives,
    open_space,
    organisations,
    representative_candidates,
    space_view,
    spaces_of,
)
from avhopp.tenants.networks.vocabulary import MinutesStatus, NetworkRole, OutcomeKind, SpaceScope

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "Actor",
    "AgendaLine",
    "AgendaPoint",
    "Candidate",
    "CountyNeeds",
    "DocumentLine",
    "Invitation",
    "MeetingInput",
    "MeetingView",
    "MemberLine",
    "MinutesStatus",
    "MinutesView",
    "NetworkMeeting",
    "NetworkRole",
    "Organisation",
    "OutcomeInput",
    "OutcomeKind",
    "OutcomeLine",
    "SpaceAccess",
    "SpaceLine",
    "SpaceScope",
    "SpaceView",
    "add_document",
    "add_version",
    "advance_minutes",
    "answer",
    "county_needs",
    "documents_of",
    "download",
    "draft_minutes",
    "end_membership",
    "guest_meetings",
    "invite_guest",
    "invite_member",
    "mark_done",
    "meeting_calendar",
    "meeting_link",
    "meeting_view",
    "meetings_of",
    "minutes_of",
    "name_representatives",
    "open_space",
    "organisations",
    "plan_meeting",
    "remove_document",
    "representative_candidates",
    "space_for",
    "space_view",
    "spaces_of",
]
