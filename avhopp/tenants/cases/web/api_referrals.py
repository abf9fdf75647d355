"""The guidance line's referrals to your organisation, in the cases API: the inbox, one referral, the answer."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from avhopp.platform.labels import label
from avhopp.platform.scope.request import Acting
from avhopp.tenants.cases.permissions import RECEIVE
from avhopp.tenants.cases.service import (
    UNANSWERED,
    ReferralStatus,
    accept_referral,
    case_for_actor,
    decline_referral,
    read_referral,
    referral_inbox,
)
from avhopp.tenants.cases.web.api_cases import CaseOut, case_out
from avhopp.tenants.cases.web.api_common import actor_of, in_body, needs
from avhopp.tenants.cases.web.api_problems import API_EXCEPTION_HANDLERS, READ_PROBLEMS, WRITE_PROBLEMS

if TYPE_CHECKING:
    from avhopp.tenants.cases.service import ReferralView


class ReferralLineOut(msgspec.Struct):
    """A referral in the inbox: when, to which of your services, where it stands. Nothing about the person."""

    id: UUID
    sent_at: datetime
    service_name: str
    status: ReferralStatus
    status_label: str
    unanswered: bool


class ReferralOut(ReferralLineOut):
    """One referral, opened for you (every read is in the audit trail): what the person agreed to share."""

    shared_information: str
    safe_contact: Annotated[str, msgspec.Meta(description="Hur och när det är säkert att nå personen")]
    decision_reason: str


class DeclineIn(msgspec.Struct, forbid_unknown_fields=True):
    """Why your organisation cannot take the referral; the line reads it to find help elsewhere."""

    reason: str


def _line(view: ReferralView) -> ReferralLineOut:
    referral = view.referral
    status = ReferralStatus(referral.status)
    return ReferralLineOut(
        referral.id, referral.sent_at, view.service_name, status, label(status), status in UNANSWERED
    )


def _field_in_body(field: str) -> str:
    return "reason" if field == "decision_reason" else field


class ReferralApi(Controller):
    """Referrals the guidance line has sent to your organisation, and your answer to each."""

    path = "/api/v1/cases/referrals"
    tags = ["cases"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/", opt=needs(RECEIVE), summary="Remisser från stödlinjen", responses=READ_PROBLEMS)
    async def inbox(self, acting: Acting) -> list[ReferralLineOut]:
        """Every referral to your organisation, newest first; no content about the person."""
        return [_line(view) for view in await referral_inbox(acting.session, actor_of(acting))]

    @get("/{referral_id:uuid}", opt=needs(RECEIVE), summary="En remiss", responses=READ_PROBLEMS)
    async def one(self, acting: Acting, referral_id: FromPath[UUID]) -> ReferralOut:
        """What the person agreed to share and how to reach them; the first read marks it opened, each is audited."""
        view = await read_referral(acting.session, actor_of(acting), referral_id)
        referral = view.referral
        return ReferralOut(
            **msgspec.structs.asdict(_line(view)),
            shared_information=referral.shared_information,
            safe_contact=referral.safe_contact,
            decision_reason=referral.decision_reason,
        )

    @post(
        "/{referral_id:uuid}/accept",
        opt=needs(RECEIVE),
        summary="Acceptera en remiss",
        responses=WRITE_PROBLEMS,
        status_code=201,
    )
    async def accept(self, state: State, acting: Acting, referral_id: FromPath[UUID]) -> CaseOut:
        """Accept: a draft case opens with what the person shared, you as its responsible officer."""
        actor = actor_of(acting)
        case_id = await in_body(accept_referral(acting.session, state.settings.secret_key, actor, referral_id), str)
        return await case_out(acting.session, actor, await case_for_actor(acting.session, actor, case_id))

    @post("/{referral_id:uuid}/decline", opt=needs(RECEIVE), summary="Avböj en remiss", responses=WRITE_PROBLEMS)
    async def decline(self, acting: Acting, referral_id: FromPath[UUID], data: JSONBody[DeclineIn]) -> ReferralLineOut:
        """Decline, with a reason the line sees; a referral already answered cannot be answered again."""
        actor = actor_of(acting)
        await in_body(decline_referral(acting.session, actor, referral_id, data.reason), _field_in_body)
        [view] = [view for view in await referral_inbox(acting.session, actor) if view.referral.id == referral_id]
        return _line(view)
