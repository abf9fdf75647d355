"""The directory in Chromium: the public page without login or cookies, the professionals' pages, with axe."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_login import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.live_server import LiveServer


def test_anyone_finds_support_without_leaving_a_cookie(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/hitta-stod")
    expect(page.get_by_text("Är någon i fara just nu? Ring 112.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Vilken kommun bor du i?").select_option(label="Mölndal")
    page.get_by_label("Hur gammal är du?").fill("17")
    page.get_by_label("Råd och vägledning").check()
    page.get_by_role("button", name="Sök").click()
    expect(page.get_by_role("heading", name="Socialtjänsten, Mölndals kommun")).to_be_visible()
    expect(page.get_by_text("Är någon i fara just nu? Ring 112.")).to_be_visible()
    assert_accessible(page)
    assert page.context.cookies() == []


def test_a_wrong_age_is_named_next_to_its_field(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/hitta-stod")
    page.get_by_label("Vilken kommun bor du i?").select_option(label="Göteborg")
    page.get_by_label("Hur gammal är du?").fill("tolv")
    page.get_by_role("button", name="Sök").click()
    expect(page.get_by_role("alert")).to_contain_text("Ange personens ålder som ett heltal")
    assert_accessible(page)


def test_a_professional_sees_who_can_help_and_why(page: Page, live_server: LiveServer) -> None:
    # Each demo account enrols its authenticator once per server: tests sign in with different ones.
    sign_in(page, live_server, "polis", check=False)
    page.get_by_role("link", name="Sök stöd").click()
    assert_accessible(page)
    page.get_by_label("Kommun där personen är folkbokförd").select_option(label="Mölndal")
    page.get_by_label("Ålder").fill("30")
    page.get_by_label("Visa även verksamheter som inte kan ta emot, med skälen").check()
    page.get_by_role("button", name="Sök").click()
    expect(
        page.get_by_text("Tar bara emot folkbokförda i Göteborg. Personen är folkbokförd i Mölndal.")
    ).to_be_visible()
    expect(
        page.get_by_text("Socialtjänsten i 289 andra kommuner: bara för dem som är folkbokförda där")
    ).to_be_visible()
    assert_accessible(page)
    # The query is in the address: a service and Back bring the same results, and the link can be shared.
    assert "home_municipality_code=1481" in page.url
    results = page.url
    page.get_by_role("link", name="Socialtjänsten, Mölndals kommun").click()
    page.go_back()
    expect(page.get_by_label("Ålder")).to_have_value("30")
    expect(
        page.get_by_text("Tar bara emot folkbokförda i Göteborg. Personen är folkbokförd i Mölndal.")
    ).to_be_visible()
    page.goto(results)
    expect(page.get_by_role("link", name="Socialtjänsten, Mölndals kommun")).to_be_visible()


def test_the_editor_is_accessible_and_its_long_lists_searched(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "redaktor", check=False)
    page.get_by_role("link", name="Våra uppgifter i katalogen").click()
    expect(page.get_by_role("heading", name="Våra uppgifter i katalogen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Avhopparverksamheten i Göteborg").click()
    assert_accessible(page)
    # Long choice lists are searched as one types (choice-filter.js); nothing scrolls sideways on a phone.
    municipalities = page.locator("#catchment_municipalities")
    search = municipalities.get_by_label("Sök i listan")
    expect(search).to_be_visible()
    search.fill("mölnd")
    expect(municipalities.get_by_label("Mölndal")).to_be_visible()
    expect(municipalities.get_by_label("Kiruna")).to_be_hidden()
    expect(municipalities.get_by_text("1 val visas")).to_be_visible()
    municipalities.get_by_label("Mölndal").check()
    search.press("Enter")  # filters; does not send the form
    expect(search).to_be_visible()
    search.fill("")
    expect(municipalities.get_by_label("Mölndal")).to_be_checked()
    languages = page.locator("#languages")
    languages.get_by_label("Sök i listan").fill("arab")
    expect(languages.get_by_label("Arabiska")).to_be_visible()
    expect(languages.get_by_label("Engelska")).to_be_hidden()
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_review_queue_is_accessible(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "katalog", check=False)
    page.get_by_role("link", name="Granskning av katalogen").click()
    expect(page.get_by_role("heading", name="Granskning av katalogen")).to_be_visible()
    assert_accessible(page)
