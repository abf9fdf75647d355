"""A guidance line's referral arrives in the receiving organisation's case workspace; accepting it
opens a draft case holding only what the caller agreed to share."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.tenants.cases.service import (
    ContactSource,
    Phase,
    accept_referral,
    case_for_actor,
    decline_referral,
    my_cases,
    open_person,
    referral_inbox,
)
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import KC_HANDLAGGARE, MALMO_SOCIALSEKRETERARE
from tests.tenants.cases.conftest import referral_to_kc

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.cases.service import Actor
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

pytestmark = pytest.mark.usefixtures("seeded")


async def test_accepting_a_referral_opens_a_draft_with_only_what_the_caller_shared(acting_as: ActingAs) -> None:
    referral_id = await referral_to_kc(acting_as)
    async with acting_as(KC_HANDLAGGARE) as (session, actor):
        assert referral_id in [view.referral.id for view in await referral_inbox(session, actor)]
        case_id = await accept_referral(session, SECRET_KEY, actor, referral_id)
    async with acting_as(KC_HANDLAGGARE) as (session, actor):
        [line] = await my_cases(session, actor)
        assert (line.case_id, line.phase, line.initials) == (case_id, Phase.DRAFT, "–")
        access = await case_for_actor(session, actor, case_id)
        assert (access.case.contact_source, access.case.referral_id) == (ContactSource.GUIDANCE_LINE, referral_id)
        person = await open_person(session, SECRET_KEY, actor, access)
        assert (person.details.name, person.details.personal_number) == ("", "")
        assert person.details.safe_contact == "Sms efter kl. 18"
        assert person.intake is not None
        assert person.intake.situation == "Vill lämna en grupp, behöver boende."
        # A referral is answered once.
        with pytest.raises(InvalidInputError):
            await accept_referral(session, SECRET_KEY, actor, referral_id)


async def test_another_organisation_can_neither_see_nor_answer_the_referral(acting_as: ActingAs) -> None:
    referral_id = await referral_to_kc(acting_as)
    async with acting_as(MALMO_SOCIALSEKRETERARE) as (session, actor):
        assert await referral_inbox(session, actor) == []
        with pytest.raises(NotFoundError):
            await accept_referral(session, SECRET_KEY, actor, referral_id)
        with pytest.raises(NotFoundError):
            await decline_referral(session, actor, referral_id, "Inte vår")
