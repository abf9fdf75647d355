"""The national follow-up record: one versioned schema, drafts and closing, bad input, what is missing, completeness."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from avhopp.platform.problems import InvalidInputError
from avhopp.platform.times import STOCKHOLM
from avhopp.tenants.cases.follow_up_schema import (
    FOLLOW_UP_SCHEMA_V1,
    FOLLOW_UP_SCHEMA_V2,
    NOT_ASKED,
    SCHEMAS,
    UNKNOWN,
    Question,
    answer_of,
)
from avhopp.tenants.cases.models import CaseFile, FollowUp
from avhopp.tenants.cases.service import (
    ContactSource,
    FollowUpEntry,
    NewCase,
    PersonDetails,
    Phase,
    change_phase,
    follow_ups,
    gaps_of,
    open_case,
    save_follow_up,
    unit_completeness,
)
from avhopp.tenants.cases.web.follow_up_form import QUESTIONS
from tests.platform.web.conftest import SECRET_KEY
from tests.support.people import GOTEBORG, GOTEBORG_ENHETSCHEF, GOTEBORG_ERSATTARE, GOTEBORG_SOCIALSEKRETERARE
from tests.tenants.cases.conftest import open_goteborg_case
from tests.tenants.cases.test_lifecycle import ANSWERS, as_owner

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy import Engine

    from tests.tenants.cases.test_lifecycle import ActingAs

TODAY = datetime.now(STOCKHOLM).date()


def test_every_question_of_every_version_allows_unknown_and_has_swedish_labels() -> None:
    for schema in SCHEMAS.values():
        for question in (*schema.intake, *schema.follow_up):
            assert UNKNOWN in question.answers
            assert set(QUESTIONS[question.code][1]) == set(question.answers), question.code
    with pytest.raises(ValueError, match="unknown"):
        Question("forgetful", ("yes", "no"))


def test_answers_of_an_older_version_compare_question_by_question() -> None:
    # A version-1 answer set never asked about addiction: that is "not asked", neither "no" nor "unknown".
    old = {"housing": "own_lease", "occupation": "work", "contact_with_group": "none", "new_crime": "none_known"}
    assert answer_of(old, FOLLOW_UP_SCHEMA_V1.version, "housing") == "own_lease"
    assert answer_of(old, FOLLOW_UP_SCHEMA_V1.version, "addiction") == NOT_ASKED
    assert answer_of(old, FOLLOW_UP_SCHEMA_V1.version, "own_view") is None
    # A code keeps its meaning from one version to the next.
    for question in FOLLOW_UP_SCHEMA_V1.follow_up:
        later = FOLLOW_UP_SCHEMA_V2.question(question.code)
        assert later is not None
        assert set(question.answers) <= set(later.answers)


async def _started_case(acting_as: ActingAs) -> tuple[UUID, FollowUp]:
    case_id = await open_goteborg_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await change_phase(session, actor, case_id, Phase.ACUTE)
        return case_id, (await follow_ups(session, actor, case_id))[0]


async def test_a_draft_keeps_what_is_answered_and_closing_needs_every_answer(acting_as: ActingAs) -> None:
    _, first = await _started_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        await save_follow_up(session, actor, first.id, FollowUpEntry({"housing": "homeless", "new_crime": UNKNOWN}))
        draft = await session.get(FollowUp, first.id)
        assert draft is not None
        assert (draft.answers, draft.schema_version, draft.done_at) == (
            {"housing": "homeless", "new_crime": UNKNOWN},
            2,
            None,
        )
        assert "housing" not in gaps_of(draft)
        assert len(gaps_of(draft)) == len(FOLLOW_UP_SCHEMA_V2.follow_up) - 2

        with pytest.raises(InvalidInputError) as refused:
            await save_follow_up(session, actor, first.id, FollowUpEntry({"housing": "homeless"}, TODAY, close=True))
        messages = {problem.field: problem.message for problem in refused.value.problems}
        assert set(messages) == {f"answers.{code}" for code in ANSWERS if code != "housing"}
        assert messages["answers.occupation"] == "Svara på frågan. ”Vet inte” går bra."
        await session.refresh(draft)
        assert draft.answers == {"housing": "homeless", "new_crime": UNKNOWN}, "a refusal saved nothing"

        # "Unknown" to everything is a complete follow-up: counted as unknown, never as "no".
        everything_unknown = dict.fromkeys(ANSWERS, UNKNOWN)
        await save_follow_up(session, actor, first.id, FollowUpEntry(everything_unknown, TODAY, close=True))
        await session.refresh(draft)
        assert draft.done_at is not None
        assert draft.answers == everything_unknown
        assert draft.held_on == TODAY
        assert gaps_of(draft) == []


async def test_bad_answers_dates_and_a_second_save_are_refused_by_field_and_change_nothing(
    acting_as: ActingAs,
) -> None:
    case_id, first = await _started_case(acting_as)
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):
        started_on = (await session.get(CaseFile, case_id)).started_on  # type: ignore[union-attr]
        assert started_on is not None
        bad = {**ANSWERS, "occupation": "pirate", "addiction": "Unknown", "housing": "own_lease\x00"}
        with pytest.raises(InvalidInputError) as refused:
            await save_follow_up(session, actor, first.id, FollowUpEntry(bad, TODAY, close=True))
        assert {problem.field for problem in refused.value.problems} == {
            "answers.occupation",
            "answers.addiction",
            "answers.housing",
        }
        assert all("Välj ett av svaren" in problem.message for problem in refused.value.problems)

        before = started_on - timedelta(days=1)
        with pytest.raises(InvalidInputError) as refused:
            await save_follow_up(session, actor, first.id, FollowUpEntry(ANSWERS, before, close=True))
        [problem] = refused.value.problems
        assert problem.field == "held_on"
        assert f"före ärendets start ({started_on.isoformat()})" in problem.message

        with pytest.raises(InvalidInputError) as refused:
            await save_follow_up(session, actor, first.id, FollowUpEntry(ANSWERS, TODAY + timedelta(days=1)))
        assert [problem.field for problem in refused.value.problems] == ["held_on"]

        with pytest.raises(InvalidInputError) as refused:
            await save_follow_up(session, actor, first.id, FollowUpEntry(ANSWERS, None, close=True))
        assert [problem.field for problem in refused.value.problems] == ["held_on"]

        row = await session.get(FollowUp, first.id)
        assert row is not None
        assert (row.answers, row.done_at) == (None, None)

        await save_follow_up(session, actor, first.id, FollowUpEntry(ANSWERS, TODAY, close=True))
        with pytest.raises(InvalidInputError) as refused:
            await save_follow_up(session, actor, first.id, FollowUpEntry({**ANSWERS, "housing": "homeless"}, TODAY))
        assert [problem.field for problem in refused.value.problems] == ["follow_up"]
        assert "redan registrerad" in refused.value.problems[0].message
        await session.refresh(row)
        assert row.answers == ANSWERS


async def test_the_situation_at_intake_is_coded_and_checked(acting_as: ActingAs) -> None:
    async with acting_as(GOTEBORG_SOCIALSEKRETERARE) as (session, actor):

        def opening(situation: dict[str, str]) -> NewCase:
            return NewCase(
                ContactSource.PERSON,
                PersonDetails(name="Cecilia Carlsson"),
                situation=situation,
                deputy_id=GOTEBORG_ERSATTARE.user_id,
            )

        with pytest.raises(InvalidInputError) as refused:
            await open_case(session, SECRET_KEY, actor, opening({"threat": "mild", "own_view": "better"}))
        assert {problem.field for problem in refused.value.problems} == {"situation.threat", "situation.own_view"}
        case_id = await open_case(session, SECRET_KEY, actor, opening({"threat": "serious", "addiction": UNKNOWN}))
        case = await session.get(CaseFile, case_id)
        assert case is not None
        assert (case.intake_answers, case.intake_version) == ({"threat": "serious", "addiction": UNKNOWN}, 2)


async def test_the_unit_head_sees_the_share_of_follow_ups_done_on_time(
    acting_as: ActingAs, owner_engine: Engine, tenant_ids: dict[str, UUID]
) -> None:
    goteborg = tenant_ids[GOTEBORG]
    case_id, _ = await _started_case(acting_as)
    async with acting_as(GOTEBORG_ENHETSCHEF) as (session, head):
        nothing_yet = await unit_completeness(session, head.tenant_id, TODAY)
        assert (nothing_yet.counted, nothing_yet.share_on_time) == (0, None)
    # As if the case had started long ago: 6 months done on time, 12 done late, 24 never done.
    for months, due_days_ago, done_days_after_due in ((6, 400, 10), (12, 200, 20), (24, 30, None)):
        done = "NULL" if done_days_after_due is None else f"(current_date - {due_days_ago} + {done_days_after_due})"
        as_owner(
            owner_engine,
            goteborg,
            f"UPDATE case_follow_up SET due_on = current_date - {due_days_ago},"
            f" done_at = {done}::timestamp AT TIME ZONE 'Europe/Stockholm' + interval '12 hours',"
            " answers = CASE WHEN :done THEN CAST(:answers AS jsonb) END, schema_version = CASE WHEN :done THEN 2 END,"
            " held_on = CASE WHEN :done THEN current_date - 1 END"
            " WHERE case_id = :case AND months_after = :months",
            done=done_days_after_due is not None,
            answers='{"housing": "unknown"}',
            case=str(case_id),
            months=months,
        )
    async with acting_as(GOTEBORG_ENHETSCHEF) as (session, head):
        found = await unit_completeness(session, head.tenant_id, TODAY)
        assert (found.counted, found.on_time, found.late, found.missing) == (3, 1, 1, 1)
        assert found.share_on_time == pytest.approx(1 / 3)
