"""County networks: the use cases other parts, the pages and the API may call. No HTTP here.

Every use case takes an `Actor` and answers `NotFoundError` alike for what does not exist and what
the actor's organisation and person do not reach; row-level security checks every row again.
"""

from __future__ import annotations

from avhopp.tenants.networks.access import Actor, SpaceAccess, space_for
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
from avhopp.tenants.networks.models import NetworkMeeting
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
from avhopp.tenants.networks.vocabulary import NetworkRole, SpaceScope

__all__ = [
    "Actor",
    "AgendaLine",
    "AgendaPoint",
    "Candidate",
    "Invitation",
    "MeetingInput",
    "MeetingView",
    "MemberLine",
    "NetworkMeeting",
    "NetworkRole",
    "Organisation",
    "SpaceAccess",
    "SpaceLine",
    "SpaceScope",
    "SpaceView",
    "answer",
    "end_membership",
    "guest_meetings",
    "invite_guest",
    "invite_member",
    "meeting_link",
    "meeting_view",
    "meetings_of",
    "name_representatives",
    "open_space",
    "organisations",
    "plan_meeting",
    "representative_candidates",
    "space_for",
    "space_view",
    "spaces_of",
]
