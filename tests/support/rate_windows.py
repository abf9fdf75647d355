"""Start a rate-limit test at the beginning of the limiter's window.

The limiter counts in fixed windows of the database's clock and carries the previous window's
hits over by the share of it the slide still covers. A test that fills a limit while a window
ends sees part of its own requests slide out and can be allowed more than the limit, and the
slower the machine, the likelier that is. The database runs on this machine, so its clock is
this clock.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from avhopp.platform.web.ratelimit import RateLimit


def wait_for_a_fresh_window(limit: RateLimit, needed_seconds: float) -> None:
    """Sleep into the next window when fewer than `needed_seconds` are left of the current one."""
    left = limit.seconds - time.time() % limit.seconds
    if left < needed_seconds:
        time.sleep(left + 0.5)
