"""The public page as a frightened person uses it: on a phone 375 px wide, in Chromium, with axe.

The line's number first, a way out that leaves nothing to go back to, feedback where the person
is, no request to anyone but the platform, and no cookie until the person sends something.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from avhopp.platform.times import STOCKHOLM
from tests.e2e.conftest import assert_accessible, person_context

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page, Request, Route

    from tests.support.live_server import LiveServer

PHONE = {"width": 375, "height": 667}
NEUTRAL_SITE = "https://www.google.se/"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = person_context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def requests_of(page: Page) -> list[str]:
    seen: list[str] = []

    def note(request: Request) -> None:
        seen.append(request.url)

    page.on("request", note)
    return seen


def test_the_line_first_feedback_where_the_person_is_and_no_trace(phone: Page, live_server: LiveServer) -> None:
    seen = requests_of(phone)
    phone.goto(f"{live_server.url}/hitta-stod")
    call = phone.get_by_role("link", name="070-174 06 50")
    expect(call).to_be_in_viewport()
    expect(phone.get_by_text("måndag–fredag 09:00–21:00")).to_be_in_viewport()
    expect(phone.get_by_role("link", name="Lämna sidan snabbt")).to_be_in_viewport()
    assert phone.context.cookies() == []
    fits_the_phone(phone)
    assert_accessible(phone)

    phone.get_by_label("Vilken kommun bor du i?").select_option(label="Mölndal")
    phone.get_by_label("Hur gammal är du?").fill("17")
    phone.get_by_label("Råd och vägledning").check()
    phone.get_by_role("button", name="Sök", exact=True).click()
    heading = phone.get_by_role("heading", name="Resultat")
    expect(heading).to_be_focused()
    expect(heading).to_be_in_viewport()
    expect(phone.get_by_role("heading", name="Socialtjänsten, Mölndals kommun")).to_be_visible()
    fits_the_phone(phone)
    assert_accessible(phone)

    phone.get_by_label("Hur gammal är du?").fill("tolv")
    phone.get_by_role("button", name="Sök", exact=True).click()
    expect(phone.get_by_role("alert")).to_be_focused()
    assert_accessible(phone)

    # Nothing has been sent to anyone but the platform, and nothing is kept in the browser.
    assert phone.context.cookies() == []
    assert [url for url in seen if not url.startswith(live_server.url)] == []

    now = datetime.now(STOCKHOLM)
    phone.get_by_label("Telefonnummer att ringa").fill("070-765 43 21")
    phone.get_by_label("Det går bra att ringa från").fill((now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    phone.get_by_label("till", exact=True).fill((now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    phone.get_by_role("button", name="Be om att bli uppringd").click()
    thanks = phone.get_by_role("status").filter(has_text="Tack. Vi ringer")
    expect(thanks).to_be_focused()
    expect(thanks).to_be_in_viewport()
    fits_the_phone(phone)
    assert_accessible(phone)
    assert [url for url in seen if not url.startswith(live_server.url)] == []


def neutral(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Google</title><p>Sök")


@pytest.mark.parametrize("how", ["button", "escape"])
def test_leaving_quickly_leaves_nothing_to_go_back_to(phone: Page, live_server: LiveServer, how: str) -> None:
    phone.route(f"{NEUTRAL_SITE}**", neutral)
    phone.goto(f"{live_server.url}/hitta-stod")
    entries = phone.evaluate("history.length")
    if how == "button":
        phone.get_by_role("link", name="Lämna sidan snabbt").click()
    else:
        phone.get_by_label("Vilken kommun bor du i?").focus()
        phone.keyboard.press("Escape")
    phone.wait_for_url(NEUTRAL_SITE)
    # The page was replaced, not left: no entry was added, and Back leads to the empty tab before it.
    assert phone.evaluate("history.length") == entries
    phone.go_back()
    assert phone.url == "about:blank"


def test_in_english_on_a_phone_without_a_cookie(phone: Page, live_server: LiveServer) -> None:
    seen = requests_of(phone)
    phone.goto(f"{live_server.url}/hitta-stod")
    phone.get_by_role("link", name="In English").click()
    expect(phone.get_by_role("link", name="Leave this page quickly")).to_be_in_viewport()
    expect(phone.get_by_role("link", name="070-174 06 50")).to_be_in_viewport()
    fits_the_phone(phone)
    assert_accessible(phone)
    phone.get_by_label("How old are you?").fill("17")
    phone.get_by_role("button", name="Search", exact=True).click()
    expect(phone.get_by_role("alert")).to_be_focused()
    expect(phone.get_by_role("link", name="På svenska")).to_be_visible()
    fits_the_phone(phone)
    assert_accessible(phone)
    assert phone.context.cookies() == []
    assert [url for url in seen if not url.startswith(live_server.url)] == []
