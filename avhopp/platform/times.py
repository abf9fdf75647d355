"""Time: stored in UTC, shown in Swedish time (Europe/Stockholm) wherever a person reads it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
"""Sweden's time zone, with summer time."""
MINUTE = "%Y-%m-%d %H:%M"


def in_sweden(moment: datetime) -> datetime:
    """The moment in Swedish time; a naive datetime is taken as UTC, as the database stores it."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(STOCKHOLM)


def swedish_date(moment: datetime | None = None) -> date:
    """The calendar day in Sweden at the moment (now if none): a UTC date is wrong between 22/23 and midnight."""
    return in_sweden(moment if moment is not None else datetime.now(UTC)).date()


def swedish_time(moment: datetime | None, pattern: str = MINUTE) -> str:
    """The moment as a person in Sweden reads it (a template filter: `{{ sent_at | swedish_time }}`)."""
    return "" if moment is None else in_sweden(moment).strftime(pattern)
