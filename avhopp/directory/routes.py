"""Everything the directory adds to the app: routes, menu entries, templates, jobs."""

from __future__ import annotations

from pathlib import Path

from avhopp.directory import jobs
from avhopp.directory.api import DIRECTORY_API
from avhopp.directory.hsds_api import HSDS_ROUTES
from avhopp.directory.line import jobs as line_jobs
from avhopp.directory.line import permissions as line
from avhopp.directory.line.callback_pages import CALLBACK_ROUTES
from avhopp.directory.line.pages import LINE_ROUTES
from avhopp.directory.line.permissions import LINE_KINDS, OPERATE, RECEIVE, STATISTICS, STATISTICS_KINDS
from avhopp.directory.line.supervision import SUPERVISION_ROUTES
from avhopp.directory.pages.editor import EDITOR_ROUTES
from avhopp.directory.pages.public import PUBLIC_ROUTES
from avhopp.directory.pages.review import REVIEW_ROUTES
from avhopp.directory.pages.search import SEARCH_ROUTES
from avhopp.directory.permissions import EDIT, REVIEW, REVIEWING_KINDS, SEARCH
from avhopp.platform.web.shell import NavEntry

DIRECTORY_ROUTES = [
    *DIRECTORY_API,
    *HSDS_ROUTES,
    *SEARCH_ROUTES,
    *EDITOR_ROUTES,
    *REVIEW_ROUTES,
    *PUBLIC_ROUTES,
    *LINE_ROUTES,
    *CALLBACK_ROUTES,
    *SUPERVISION_ROUTES,
]
DIRECTORY_TEMPLATES = (Path(__file__).parent / "templates", Path(__file__).parent / "line" / "templates")
DIRECTORY_JOBS = (
    jobs.remind_stale_directory_entries,
    line_jobs.escalate_unopened_referrals,
    line_jobs.erase_expired_guidance_notes,
)
DIRECTORY_NAV = (
    NavEntry("Sök stöd", "/katalog", SEARCH),
    NavEntry("Våra uppgifter i katalogen", "/katalog/redigera", EDIT),
    NavEntry("Granskning av katalogen", "/katalog/granskning", REVIEW, REVIEWING_KINDS),
    NavEntry("Stödlinjen", "/linjen", OPERATE, LINE_KINDS),
    NavEntry("Återuppringningar", "/linjen/aterringningar", OPERATE, LINE_KINDS),
    NavEntry("Granska kontakter", "/linjen/granskning", line.REVIEW, LINE_KINDS),
    NavEntry("Stödlinjens statistik", "/linjen/statistik", STATISTICS, STATISTICS_KINDS),
    NavEntry("Remisser från stödlinjen", "/remisser", RECEIVE),
)
