"""A whole call on the guidance line's console with the keyboard only: Tab, Shift+Tab, arrows, Space, Enter, typing.

A new operator signs in and then never touches the mouse: opens a contact, meets the error
summary (its link takes the focus to the field), looks up who can help, sends a referral,
records the contact, books a callback and ends the contact. After each step what was typed
before is still there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

from avhopp.platform.times import STOCKHOLM
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_guidance_line import new_person
from tests.e2e.test_login import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.live_server import LiveServer

FOCUSED = """() => {
  const element = document.activeElement;
  if (!element) { return {label: "", name: "", type: ""}; }
  const label = element.labels && element.labels.length ? element.labels[0].textContent : element.textContent;
  return {
    label: (label || "").replace(/\\s+/g, " ").trim(),
    name: element.getAttribute("name") || "",
    type: element.getAttribute("type") || element.tagName.toLowerCase(),
  };
}"""
STEPS = 400
"""More Tab presses than the console has stops: a field that is never reached fails the test."""


def focused(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(FOCUSED)
    return result


def tab_to(page: Page, label: str, *, name: str | None = None, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focus is on the control whose label starts with `label`."""
    for _ in range(STEPS):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focused(page)
        if now["label"].startswith(label) and (name is None or now["name"] == name):
            return
    raise AssertionError(f"Tab never reached {label!r}")


def tab_to_group(page: Page, name: str) -> None:
    """Press Tab until the focus is in the group of radio buttons called `name`."""
    for _ in range(STEPS):
        page.keyboard.press("Tab")
        if focused(page)["name"] == name:
            return
    raise AssertionError(f"Tab never reached the group {name!r}")


def arrow_to(page: Page, label: str) -> None:
    """Within a group of radio buttons, press the down arrow until `label` is chosen."""
    for _ in range(30):
        if focused(page)["label"] == label:
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"No radio button {label!r} in the group")


def choose(page: Page, label: str) -> None:
    """In a focused drop-down list, type the first letter and press the down arrow until `label` is chosen.

    (Chromium takes letters outside ASCII, such as ö, as inserted text, not as keys for the list.)
    """
    page.keyboard.type(label[0])
    for _ in range(STEPS):
        if page.evaluate("() => document.activeElement.selectedOptions[0].textContent.trim()") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"No option {label!r} in the list")


def press_and_load(page: Page, key: str = "Enter") -> None:
    """Press a key that sends a form or follows a link, and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def type_moment(page: Page, moment: datetime) -> None:
    """Type a time into a focused datetime-local field segment by segment, as Chromium shows it here."""
    page.keyboard.type(moment.strftime("%m%d%Y"))
    page.keyboard.press("ArrowRight")
    page.keyboard.type(moment.strftime("%I%M"))
    page.keyboard.type("A" if moment.hour < 12 else "P")


def test_a_whole_call_is_logged_with_the_keyboard_only(page: Page, live_server: LiveServer) -> None:  # noqa: PLR0915 - one call
    operator = new_person(live_server, "stodlinjen", ["line_operator"])
    sign_in(page, live_server, operator, check=False)

    # Open a contact.
    tab_to(page, "Stödlinjen")
    press_and_load(page)
    tab_to_group(page, "caller_type")
    arrow_to(page, "Anhörig")
    tab_to(page, "Starta kontakten")
    press_and_load(page)
    expect(page.get_by_text("Akut fara: be personen ringa 112")).to_be_visible()

    # Ending at once is refused: the error summary takes the focus, and its link leads to the field.
    tab_to(page, "Spara och avsluta kontakten")
    press_and_load(page)
    summary = page.locator(".ds-error-summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#record_threat input").first).to_be_focused()
    assert_accessible(page)

    # Look up who can help: Enter in a field of the situation searches.
    tab_to(page, "Kommun där personen är folkbokförd", back=True)
    choose(page, "Göteborg")
    tab_to(page, "Ålder")
    page.keyboard.type("30")
    press_and_load(page)
    expect(page.locator("#results")).to_contain_text("Avhopparverksamheten i Göteborg")
    assert_accessible(page)

    # Refer, with the caller's consent and what they want to share.
    tab_to_group(page, "service_id")
    arrow_to(page, "Avhopparverksamheten i Göteborg")
    tab_to(page, "Personen har samtyckt")
    page.keyboard.press("Space")
    tab_to(page, "Det personen vill att verksamheten ska veta")
    page.keyboard.type("Vill lämna ett nätverk, behöver boende.")
    tab_to(page, "Hur och när personen kan kontaktas säkert")
    page.keyboard.type("Sms efter klockan 18.")
    tab_to(page, "Skicka remissen")
    press_and_load(page)
    expect(page.locator("#console-notice")).to_contain_text("Remissen är skickad.")
    expect(page.locator("#remisser")).to_contain_text("Skickad")
    expect(page.get_by_label("Ålder")).to_have_value("30")  # the situation is still there

    # Record what was said.
    tab_to_group(page, "record_threat")
    arrow_to(page, "Frågade inte")
    tab_to(page, "Vilken sorts grupp")
    choose(page, "Vet inte")
    tab_to(page, "Län", name="record_county")
    choose(page, "Västra Götalands län")
    tab_to(page, "Råd och vägledning", name="record_needs")
    page.keyboard.press("Space")
    tab_to(page, "Information lämnad", name="outcomes")
    page.keyboard.press("Space")
    tab_to(page, "Vägledning som gavs")
    page.keyboard.type("Berättade om stödet i Göteborg.")

    # Book a callback; the record typed above is saved as a draft on the way.
    window = (datetime.now(STOCKHOLM) + timedelta(hours=1)).replace(second=0, microsecond=0)
    tab_to(page, "Personen vill bli uppringd", back=True)
    page.keyboard.press("Enter")
    tab_to(page, "Telefonnummer att ringa")
    page.keyboard.type("070-123 45 67")
    tab_to(page, "Det går bra att ringa från")
    type_moment(page, window)
    tab_to(page, "till", name="window_end")
    type_moment(page, window + timedelta(hours=1))
    tab_to(page, "Boka återuppringningen")
    press_and_load(page)
    expect(page.locator("#console-notice")).to_contain_text("Återuppringningen är bokad.")
    expect(page.locator("#console-notice")).to_contain_text("Utkastet sparades")
    expect(page.get_by_label("Vägledning som gavs")).to_have_value("Berättade om stödet i Göteborg.")
    expect(page.get_by_label("Län")).to_have_value("14")
    expect(page.get_by_label("Ålder")).to_have_value("30")
    assert_accessible(page)

    # End the contact.
    tab_to(page, "Spara och avsluta kontakten")
    press_and_load(page)
    expect(page.get_by_role("heading", name="Ny kontakt")).to_be_visible()

    page.goto(f"{live_server.url}/linjen/aterringningar")
    expect(page.get_by_text("070-123 45 67")).to_be_visible()
    page.goto(f"{live_server.url}/linjen/remisser")
    expect(page.get_by_role("table")).to_contain_text("Avhopparverksamheten i Göteborg")
