"""The console assumes no answer, and what an operator lifts from it reaches the supervisors without personal data.

Omar Vägledare opens a contact: no radio button of the situation or the record is chosen for him.
He books two callbacks from the console, one due now and one for later, and asks the supervisors for
help with the later one. Eva Arbetsledare's queue shows both (due, and lifted), with no number and
no note; her notice is a kind and a link.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from avhopp.directory.line.notices import ESCALATED_LINK
from avhopp.platform.times import STOCKHOLM
from tests.directory.line.test_true_statistics import open_contact
from tests.support.people import LINE_OPERATOR, LINE_SUPERVISOR

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.conftest import SignIn

pytestmark = pytest.mark.usefixtures("seeded")

ANSWERS_WITH_INFORMATION = ("threat_level", "substance_use", "custody", "payment", "record_threat", "record_needs")


def local(moment: datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")


async def test_the_console_chooses_no_answer_for_the_operator(sign_in: SignIn) -> None:
    operator = await sign_in(LINE_OPERATOR)
    console, _path = await open_contact(operator)
    for name in ANSWERS_WITH_INFORMATION:
        assert re.search(rf'name="{name}" value="[^"]*" checked', console.text) is None, name
    for name in ("record_group", "record_county"):
        select = re.search(rf'<select [^>]*name="{name}"[^>]*>(.*?)</select>', console.text, re.DOTALL)
        assert select is not None
        assert " selected" not in select.group(1), name
    # "Not asked" and "unknown" are answers the operator can choose.
    assert 'name="record_threat" value="not_asked"' in console.text
    assert 'name="record_threat" value="unknown"' in console.text


def assumed_on(page: str) -> list[str]:
    """What the console says the search assumed for the unchosen questions (none: no notice)."""
    notice = re.search(r'<div class="ds-alert" data-color="warning" id="assumed-answers">(.*?)</div>', page, re.DOTALL)
    return re.findall(r"<li>(.*?)</li>", notice.group(1)) if notice else []


async def test_a_search_says_what_it_assumed_for_the_questions_left_unchosen(sign_in: SignIn) -> None:
    operator = await sign_in(LINE_OPERATOR)
    console, path = await open_contact(operator)

    bare = await operator.post_form(console, f"{path}/sok", {"home_municipality_code": "1480", "age": "30"})
    answered = await operator.post_form(
        console,
        f"{path}/sok",
        {"home_municipality_code": "1480", "age": "30", "threat_level": "serious", "substance_use": "trying_to_stop"},
    )
    everything = await operator.post_form(
        console,
        f"{path}/sok",
        {
            "home_municipality_code": "1480",
            "age": "30",
            "threat_level": "none",
            "substance_use": "none",
            "custody": "neither",
            "payment": "not_asked",
        },
    )

    assert assumed_on(console.text) == [], "no search yet, nothing assumed"
    assert bare.status_code == answered.status_code == everything.status_code == 200
    assert assumed_on(bare.text) == [
        "Hotbild: Ingen känd hotbild",
        "Betalning: Inte tillfrågad ännu",
        "Droger: Inget känt missbruk",
        "Kriminalvård: Varken frihetsberövad eller under frivårdens tillsyn",
    ]
    assert assumed_on(answered.text) == [
        "Betalning: Inte tillfrågad ännu",
        "Kriminalvård: Varken frihetsberövad eller under frivårdens tillsyn",
    ]
    assert assumed_on(everything.text) == [], "chosen answers, even the everyday ones, are not assumptions"


async def test_lifted_and_due_callbacks_reach_the_supervisors_without_personal_data(
    sign_in: SignIn, owner_engine: Engine
) -> None:
    operator = await sign_in(LINE_OPERATOR)
    console, path = await open_contact(operator)
    now = datetime.now(STOCKHOLM)
    due: dict[str, str | list[str]] = {
        "phone_number": "070-111 22 33",
        "window_start": local(now - timedelta(minutes=5)),
        "window_end": local(now + timedelta(hours=1)),
        "note": "Fråga efter Sara.",
    }
    later = due | {
        "phone_number": "070-444 55 66",
        "window_start": local(now + timedelta(days=1)),
        "window_end": local(now + timedelta(days=1, hours=1)),
    }
    assert (await operator.post_form(console, f"{path}/aterringning", due)).status_code == 200
    booked = await operator.post_form(console, f"{path}/aterringning", later)
    assert booked.status_code == 200
    assert booked.text.count("<strong>Öppen</strong>") == 2  # both listed on the console, without their numbers
    assert "070-444 55 66" not in booked.text

    queue = await operator.get("/linjen/aterringningar")
    later_card = queue.text[queue.text.index("070-444 55 66") :]
    [later_path] = re.findall(r'action="(/linjen/aterringningar/[0-9a-f-]+)"', later_card)[:1]
    lifted = await operator.post_form(queue, later_path, {"action": "escalate"})
    assert lifted.status_code in {302, 303}
    after = await operator.get("/linjen/aterringningar")
    assert "Arbetsledningen har fått återuppringningen att titta på." in after.text

    supervisor = await sign_in(LINE_SUPERVISOR)
    page = await supervisor.get("/linjen/arbetsledning")
    assert page.status_code == 200
    waiting = page.text[page.text.index('id="callbacks-heading"') :]
    assert "dags att ringa" in waiting
    assert "en vägledare vill ha hjälp" in waiting
    for personal in ("070-111 22 33", "070-444 55 66", "Fråga efter Sara."):
        assert personal not in page.text
    with owner_engine.connect() as connection:
        notices = connection.execute(
            text("SELECT kind, link FROM notification WHERE user_id = :u AND kind = 'line_escalation'"),
            {"u": LINE_SUPERVISOR.user_id},
        ).all()
    assert notices
    assert {link for _kind, link in notices} == {ESCALATED_LINK}
