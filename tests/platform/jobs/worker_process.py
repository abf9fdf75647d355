"""Run as a subprocess: `run_worker` as `avhopp worker` runs it, with the test jobs registered.

Environment: BROKER_URL, DATABASE_URL, AVHOPP_SECRET_KEY and AVHOPP_TEST_APP_URL.
"""

from __future__ import annotations

import os

from sqlalchemy.engine import make_url

import tests.platform.jobs.sample_jobs  # noqa: F401 - registers the jobs this worker runs
from avhopp.platform.jobs import run_worker
from avhopp.platform.logs import configure_logging
from avhopp.platform.settings import load_settings

if __name__ == "__main__":
    settings = load_settings()
    configure_logging("INFO")
    run_worker(settings, make_url(os.environ["AVHOPP_TEST_APP_URL"]), worker_threads=2)
