"""Nothing the operator types on the console is lost, whichever button is pressed.

Omar Vägledare fills in the whole console at once (the situation, the record, a referral and a
callback) and presses each of its buttons in turn: search, save a draft, ask the supervisors for
help, a referral and a callback refused and then sent, a referral sent twice, an end refused. After
each, the console he gets back holds every field as he typed it (what a sent referral or booked
callback took is listed on the page instead), and the record is saved as a draft.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pytest

from avhopp.directory.catalogue.seed import seed_service_id
from avhopp.directory.line.callbacks import DUPLICATE_CALLBACK
from avhopp.directory.line.service import DUPLICATE_REFERRAL
from avhopp.platform.times import STOCKHOLM
from tests.directory.line.test_true_statistics import open_contact, recorded_on_page
from tests.support.people import LINE_OPERATOR

if TYPE_CHECKING:
    import httpx

    from tests.conftest import SignIn
    from tests.platform.auth.conftest import Browser

pytestmark = pytest.mark.usefixtures("seeded")

Form = dict[str, list[str]]


class _ConsoleForm(HTMLParser):
    """What a browser would send from the console's form: named inputs, checked boxes, selected options, texts."""

    def __init__(self) -> None:
        super().__init__()
        self.values: Form = {}
        self._inside = False
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and attributes.get("id") == "search-form":
            self._inside = True
        if not self._inside:
            return
        name = attributes.get("name", "")
        if tag == "input" and name and attributes.get("type") not in {"submit", "button"}:
            if attributes.get("type") in {"radio", "checkbox"} and "checked" not in attributes:
                return
            self.values.setdefault(name, []).append(attributes.get("value", ""))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attributes:
                self.values.setdefault(self._select, []).append(value)
                self._select_chosen = True
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                self.values.setdefault(self._select, []).append(self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.values.setdefault(self._textarea, []).append(self._text.removeprefix("\n"))
            self._textarea = None


def sent_by(page: httpx.Response) -> Form:
    parser = _ConsoleForm()
    parser.feed(page.text)
    return parser.values


def local(moment: datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")


SITUATION: Form = {
    "text": [""],
    "home_municipality_code": ["1480"],
    "age": ["30"],
    "threat_level": ["serious"],
    "target_group": ["mc_gang"],
    "needs": ["protection"],
    "substance_use": ["trying_to_stop"],
    "custody": ["on_probation"],
}
RECORD: Form = {
    "record_threat": ["latent"],
    "record_group": ["mc_gang"],
    "record_county": ["14"],
    "record_needs": ["guidance", "protection"],
    "outcomes": ["information_given"],
    "guidance_notes": ["Pratade om skyddat boende.\r\nRinger igen på fredag."],
}
REFERRAL: Form = {
    "service_id": [str(seed_service_id("kc-goteborg"))],
    "consent_given": ["on"],
    "shared_information": ["Vill lämna, behöver boende."],
    "safe_contact": ["Sms efter klockan 18."],
}
RECORD_SHOWN = {
    "record_threat": ["latent"],
    "record_group": ["mc_gang"],
    "record_county": ["14"],
    "record_needs": ["guidance", "protection"],
}


def callback_fields(*, past: bool = False) -> Form:
    now = datetime.now(STOCKHOLM) - (timedelta(hours=5) if past else timedelta(0))
    return {
        "phone_number": ["070-123 45 67"],
        "window_start": [local(now + timedelta(hours=1))],
        "window_end": [local(now + timedelta(hours=2))],
        "note": ["Svarar själv."],
    }


def assert_kept(page: httpx.Response, typed: Form, *, taken: Form | None = None) -> None:
    """Every field typed is on the page again as it was typed; what an action took is emptied."""
    shown = sent_by(page)
    for name, values in typed.items():
        if taken is not None and name in taken:
            assert shown.get(name, [""]) in ([""], []), name
            continue
        assert _filled(shown.get(name, [])) == _filled(values), name


def _filled(values: list[str]) -> list[str]:
    """The values given, as a browser sends them (an empty field is no answer)."""
    return sorted(value.replace("\r\n", "\n") for value in values if value)


async def press(operator: Browser, page: httpx.Response, action: str, typed: Form) -> httpx.Response:
    data: dict[str, str | list[str]] = dict(typed)
    return await operator.post_form(page, action, data)


async def test_every_action_of_the_console_keeps_every_typed_field(sign_in: SignIn) -> None:  # noqa: PLR0915 - one call
    operator = await sign_in(LINE_OPERATOR)
    console, path = await open_contact(operator)
    assert 'name="draft" value="1"' in console.text
    typed: Form = {"draft": ["1"], **SITUATION, **RECORD, **REFERRAL, **callback_fields()}

    # Search: the answer, with the referral form, and everything else as typed; the record is a draft now.
    searched = await press(operator, console, f"{path}/sok", typed)
    assert searched.status_code == 200, searched.text
    assert "Avhopparverksamheten i Göteborg" in searched.text
    assert_kept(searched, typed)
    assert "Utkastet sparades" in searched.text
    assert recorded_on_page(await operator.get(path)) == RECORD_SHOWN
    typed = {name: values for name, values in sent_by(searched).items() if name != "_csrf_token"}
    assert typed["searched"] == ["1"]

    # Save a draft: the console stays, nothing is emptied.
    drafted = await press(operator, searched, path, typed)
    assert drafted.status_code == 200
    assert "Utkastet sparades" in drafted.text
    assert_kept(drafted, typed)

    # A referral without consent and a callback in the past are refused; nothing is lost.
    no_consent = await press(operator, drafted, f"{path}/remisser", typed | {"consent_given": []})
    assert no_consent.status_code == 400
    assert 'href="#consent_given"' in no_consent.text
    assert_kept(no_consent, typed | {"consent_given": []})
    past = await press(operator, no_consent, f"{path}/aterringning", typed | callback_fields(past=True))
    assert past.status_code == 400
    assert 'href="#window_end"' in past.text
    assert_kept(past, typed | callback_fields(past=True))

    # Ending without an answer to the threat is refused, with every field kept.
    unanswered = await press(operator, past, path, typed | {"record_threat": [], "end": ["1"]})
    assert unanswered.status_code == 400
    assert 'href="#record_threat"' in unanswered.text
    assert_kept(unanswered, typed | {"record_threat": []})

    # The referral is sent: it is listed, its fields are emptied, the rest stays.
    referred = await press(operator, unanswered, f"{path}/remisser", typed)
    assert referred.status_code == 200, referred.text
    assert "Remissen är skickad." in referred.text
    assert_kept(referred, typed, taken=REFERRAL)
    # Sent again (a second click, the page sent once more): refused with a clear message, nothing lost.
    again = await press(operator, referred, f"{path}/remisser", typed)
    assert again.status_code == 400
    assert DUPLICATE_REFERRAL in again.text
    assert_kept(again, typed)
    assert again.text.count("Avhopparverksamheten i Göteborg: <strong>") == 1

    # The callback is booked: listed without its number, its fields emptied, the rest stays.
    booked = await press(operator, again, f"{path}/aterringning", typed)
    assert booked.status_code == 200, booked.text
    assert "Återuppringningen är bokad." in booked.text
    assert_kept(booked, typed, taken=callback_fields())
    assert "070-123 45 67" not in booked.text
    # Sent again (a reload of the answer): refused with a clear message, one callback, nothing lost.
    rebooked = await press(operator, booked, f"{path}/aterringning", typed)
    assert rebooked.status_code == 400
    assert DUPLICATE_CALLBACK in rebooked.text
    assert 'href="#window_start"' in rebooked.text
    assert_kept(rebooked, typed)
    listed = rebooked.text.split('id="callbacks-heading"')[1].split("</ul>")[0]
    assert listed.count("<li>") == 1, listed

    # Asking the supervisors for help keeps everything too.
    lifted = await press(operator, rebooked, f"{path}/lyft", typed)
    assert lifted.status_code == 200
    assert "Arbetsledningen har fått en notis" in lifted.text
    assert_kept(lifted, typed)

    # A personal identity number anywhere stops the action and saves nothing, and everything stays.
    with_number = typed | {"guidance_notes": ["Personnummer 811218-9876"]}
    refused = await press(operator, lifted, f"{path}/sok", with_number)
    assert refused.status_code == 400
    assert 'href="#guidance_notes"' in refused.text
    assert_kept(refused, with_number)
    saved = await operator.get(path)
    assert "Personnummer 811218-9876" not in saved.text
    assert re.search(r"Pratade om skyddat boende\.\r?\nRinger igen på fredag\.", saved.text)

    # The explicit save ends the contact.
    ended = await press(operator, refused, path, typed | {"end": ["1"]})
    assert ended.status_code in {302, 303}
    assert "avslutad" in (await operator.get(path)).text
