"""The networks part's background jobs; importing this module registers them."""

from __future__ import annotations

from avhopp.tenants.networks.notices import notify_guest_invited

JOBS = (notify_guest_invited,)
