"""The networks part's background jobs; importing this module registers them."""

from __future__ import annotations

from avhopp.tenants.networks.notices import (
    notify_followers,
    notify_guest_invited,
    notify_minutes_published,
    remind_of_meetings,
)

JOBS = (notify_guest_invited, notify_minutes_published, remind_of_meetings, notify_followers)
"""This part's jobs, for the composition root."""
