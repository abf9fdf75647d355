"""Times are stored in UTC and shown in Swedish time, summer and winter alike."""

from __future__ import annotations

from datetime import UTC, datetime

from jinja2 import Environment

from avhopp.platform.times import in_sweden, swedish_time
from avhopp.platform.web.shell import install_globals


def test_summer_and_winter_time_are_shown_as_in_sweden() -> None:
    assert swedish_time(datetime(2026, 7, 1, 10, 0, tzinfo=UTC)) == "2026-07-01 12:00"
    assert swedish_time(datetime(2026, 1, 15, 10, 0, tzinfo=UTC)) == "2026-01-15 11:00"
    # The night summer time ends: 00:30 UTC is 02:30 summer time, 01:30 UTC is 02:30 winter time.
    assert swedish_time(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "%H:%M %Z") == "02:30 CEST"
    assert swedish_time(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "%H:%M %Z") == "02:30 CET"


def test_a_naive_time_from_the_database_is_taken_as_utc() -> None:
    assert in_sweden(datetime(2026, 7, 1, 22, 30)).isoformat()  # noqa: DTZ001 - naive on purpose == "2026-07-02T00:30:00+02:00"
    assert swedish_time(None) == ""


def test_every_template_can_show_swedish_time() -> None:
    environment = Environment(autoescape=True)
    install_globals(environment)
    page = environment.from_string("{{ sent_at | swedish_time }} / {{ sent_at | swedish_time('%H:%M') }}")
    assert page.render(sent_at=datetime(2026, 12, 3, 23, 15, tzinfo=UTC)) == "2026-12-04 00:15 / 00:15"
