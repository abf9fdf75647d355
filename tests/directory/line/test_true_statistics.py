"""The line's statistics are what the operators recorded, whichever way a contact was saved.

Omar Vägledare records contacts through every path of the console: straight away, after a
search, after sending a referral (the console it answers with), beside a callback, and one he never
records. Eva Arbetsledare's statistics page then counts exactly those answers: "not asked" and
"unknown" as answers of their own, the unrecorded one as not recorded, nothing as "no threat".
"""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from avhopp.directory.catalogue.seed import seed_service_id
from avhopp.directory.catalogue.vocabulary import Intervention, TargetGroup, ThreatLevel
from avhopp.directory.line.vocabulary import Unanswered
from avhopp.directory.line.web.supervision import NOT_RECORDED
from avhopp.platform.labels import label
from avhopp.platform.times import STOCKHOLM
from tests.support.people import LINE_OPERATOR, LINE_SUPERVISOR

if TYPE_CHECKING:
    import httpx

    from tests.conftest import SignIn
    from tests.platform.auth.conftest import Browser

pytestmark = pytest.mark.usefixtures("seeded")

SECTIONS = {
    "record_threat": "Hotbild",
    "record_group": "Vilken sorts grupp",
    "record_county": "Län",
    "record_needs": "Behov",
}
COUNTY_NAMES = {"12": "Skåne län", "14": "Västra Götalands län", "01": "Stockholms län"}


async def page_figures(supervisor: Browser) -> dict[str, Counter[str]]:
    """Every table of the statistics page, as label -> count."""
    page = await supervisor.get("/linjen/statistik")
    assert page.status_code == 200
    return {
        html.unescape(title): Counter(
            {
                html.unescape(name): int(count)
                for name, count in re.findall(r'<th scope="row">(.*?)</th><td>(\d+)</td>', body)
            }
        )
        for title, body in re.findall(r"<caption>(.*?)</caption>(.*?)</table>", page.text, re.DOTALL)
    }


def recorded_on_page(page: httpx.Response) -> dict[str, list[str]]:
    """The record form's answers as the page shows them: checked boxes and selected options."""
    shown: dict[str, list[str]] = {name: [] for name in SECTIONS}
    for name, value in re.findall(r'name="(record_\w+)" value="([^"]*)" checked', page.text):
        shown[name].append(value)
    for name, options in re.findall(r'<select [^>]*name="(record_\w+)"[^>]*>(.*?)</select>', page.text, re.DOTALL):
        shown[name] += re.findall(r'<option value="([^"]+)" selected>', options)
    return shown


async def open_contact(operator: Browser) -> tuple[httpx.Response, str]:
    start = await operator.get("/linjen")
    opened = await operator.post_form(start, "/linjen/kontakter", {"channel": "phone", "caller_type": "relative"})
    path = opened.headers["location"]
    return await operator.get(path), path


def answers(threat: str, group: str, county: str, needs: list[str]) -> dict[str, str | list[str]]:
    return {"record_threat": threat, "record_group": group, "record_county": county, "record_needs": needs}


def shown_as(value: str) -> str:
    for vocabulary in (ThreatLevel, TargetGroup, Intervention, Unanswered):
        try:
            return label(vocabulary(value))
        except ValueError:
            continue
    return COUNTY_NAMES.get(value, NOT_RECORDED if value == "" else value)


async def test_the_statistics_page_counts_what_was_recorded_through_every_path(sign_in: SignIn) -> None:
    operator = await sign_in(LINE_OPERATOR)
    supervisor = await sign_in(LINE_SUPERVISOR)
    before = await page_figures(supervisor)
    recorded: list[dict[str, str | list[str]]] = []
    ended: dict[str, str | list[str]] = {"outcomes": "information_given", "guidance_notes": "Gav råd.", "end": "1"}

    # Straight away.
    console, path = await open_contact(operator)
    direct = answers("serious", "mc_gang", "12", ["protection", "guidance"])
    assert (await operator.post_form(console, path, direct | ended)).status_code in {302, 303}
    recorded.append(direct)

    # After a search: the situation searched for is not what is recorded.
    console, path = await open_contact(operator)
    searched = await operator.post_form(
        console, f"{path}/sok", {"home_municipality_code": "1480", "age": "30", "threat_level": "serious"}
    )
    assert searched.status_code == 200
    assert recorded_on_page(searched) == {name: [] for name in SECTIONS}  # nothing preselected
    after_search = answers("not_asked", "not_asked", "not_asked", ["not_asked"])
    assert (await operator.post_form(searched, path, after_search | ended)).status_code in {302, 303}
    recorded.append(after_search)

    # Saved, then a referral, then ended from the console the referral answers with.
    console, path = await open_contact(operator)
    early = answers("latent", "relatives", "14", ["guidance"])
    assert (await operator.post_form(console, path, early | {"guidance_notes": "Pågår."})).status_code == 200
    referred = await operator.post_form(
        console,
        f"{path}/remisser",
        {
            "service_id": str(seed_service_id("kc-goteborg")),
            "consent_given": "on",
            "shared_information": "Vill ha stöd.",
        },
    )
    assert referred.status_code == 200
    back = referred
    shown = recorded_on_page(back)
    assert shown == {name: sorted([value] if isinstance(value, str) else value) for name, value in early.items()} | {
        "record_needs": ["guidance"]
    }
    assert (await operator.post_form(back, path, {**shown, **ended})).status_code in {302, 303}
    recorded.append(early)

    # Beside a callback, with what nobody knew.
    console, path = await open_contact(operator)
    now = datetime.now(STOCKHOLM)
    callback: dict[str, str | list[str]] = {
        "phone_number": "070-123 45 67",
        "window_start": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "window_end": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    assert (await operator.post_form(console, f"{path}/aterringning", callback)).status_code == 200
    unknown = answers("unknown", "unknown", "unknown", ["unknown"])
    assert (await operator.post_form(await operator.get(path), path, unknown | ended)).status_code in {302, 303}
    recorded.append(unknown)

    # Opened and never recorded: counted as not recorded, never as "no threat".
    await open_contact(operator)
    recorded.append(answers("", "", "", [""]))

    after = await page_figures(supervisor)
    for field, title in SECTIONS.items():
        expected: Counter[str] = Counter()
        for record in recorded:
            values = record[field]
            expected.update(shown_as(value) for value in ([values] if isinstance(values, str) else values))
        change = after[title] - before.get(title, Counter())
        change.pop("Totalt", None)
        assert change == expected, title
    callers = after["Vem hörde av sig"]["Totalt"] - before.get("Vem hörde av sig", Counter())["Totalt"]
    assert callers == len(recorded)
