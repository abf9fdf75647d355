"""Tenant B's case for the isolation harness, made through the cases service as B's officer.

The case has everything a route can name: a consent (to the police, not to tenant A), a threat
assessment asked of the police, a meeting with an intervention, and the follow-ups that the
acute phase schedules. Its markers are the person's name (sealed at rest: only an opened identity
could leak it) and the consent's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from avhopp.platform.database import RequestContext, context_session
from avhopp.tenants.cases.service import (
    Actor,
    Category,
    ConsentInput,
    ContactSource,
    Intervention,
    InterventionInput,
    MeetingInput,
    NewCase,
    PersonDetails,
    Phase,
    action_plan,
    change_phase,
    follow_ups,
    open_case,
    record_consent,
    record_meeting,
    request_threat_assessment,
)
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import MALMO_SOCIALSEKRETERARE

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@dataclass(frozen=True)
class ForeignCase:
    """Tenant B's case and the objects in it that routes name."""

    case_id: UUID
    consent_id: UUID
    assessment_id: UUID
    intervention_id: UUID
    follow_up_id: UUID
    markers: tuple[str, ...]


async def foreign_case(
    sessions: async_sessionmaker[AsyncSession], tenant_id: UUID, officer: UUID, police: UUID, marker: str
) -> ForeignCase:
    """A case of tenant B's, its officer responsible, shared with the police only."""
    actor = Actor(tenant_id, officer)
    name, purpose = f"Cecilia Ärende {marker}", f"Samordning i Malmö {marker}"
    today = datetime.now(UTC).date()
    async with context_session(sessions, RequestContext(tenant_id=tenant_id, user_id=officer)) as session:
        case_id = await open_case(
            session,
            SECRET_KEY,
            actor,
            NewCase(ContactSource.PERSON, PersonDetails(name=name), deputy_id=MALMO_SOCIALSEKRETERARE.user_id),
        )
        consent_id = await record_consent(
            session,
            actor,
            case_id,
            ConsentInput(
                organisations=(police,),
                categories=tuple(Category),
                purpose=purpose,
                valid_from=today - timedelta(days=1),
                valid_until=today + timedelta(days=365),
                witnessed_by=f"Vittnet {marker}",
                contributors=(police,),
            ),
            SECRET_KEY,
        )
        assessment_id = await request_threat_assessment(session, actor, case_id, police)
        await record_meeting(
            session,
            actor,
            case_id,
            MeetingInput(
                held_on=today,
                person_took_part=True,
                organisations=(tenant_id,),
                interventions=(InterventionInput(Intervention.OCCUPATION, tenant_id, today),),
            ),
        )
        await change_phase(session, actor, case_id, Phase.ACUTE)
        [intervention] = (await action_plan(session, actor, case_id))[1]
        follow_up = (await follow_ups(session, actor, case_id))[0]
    return ForeignCase(case_id, consent_id, assessment_id, intervention.id, follow_up.id, (name, purpose))
