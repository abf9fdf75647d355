"""Everything the directory adds to the app: routes, menu entries, templates, jobs."""

from __future__ import annotations

from pathlib import Path

from avhopp.directory import jobs
from avhopp.directory.api import DIRECTORY_API
from avhopp.directory.hsds_api import HSDS_ROUTES
from avhopp.directory.line import jobs as line_jobs
from avhopp.directory.line import notices as line_notices
from avhopp.directory.line.callback_pages import CALLBACK_ROUTES
from avhopp.directory.line.pages import LINE_ROUTES
from avhopp.directory.line.supervision import SUPERVISION_ROUTES
from avhopp.directory.pages.editor import EDITOR_ROUTES
from avhopp.directory.pages.public import PUBLIC_ROUTES
from avhopp.directory.pages.review import REVIEW_ROUTES
from avhopp.directory.pages.search import SEARCH_ROUTES
from avhopp.platform.web.shell import NavEntry
from avhopp.tenants.roles import Role

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
    line_notices.notify_referral_received,
)
_SEARCHERS = frozenset(
    {
        Role.CASE_OFFICER,
        Role.SECURITY_OFFICER,
        Role.PLACEMENT_COORDINATOR,
        Role.DIRECTORY_EDITOR,
        Role.DIRECTORY_REVIEWER,
        Role.LINE_OPERATOR,
        Role.LINE_SUPERVISOR,
        Role.NETWORK_COORDINATOR,
        Role.NETWORK_MEMBER,
    }
)
DIRECTORY_NAV = (
    NavEntry("Sök stöd", "/katalog", roles=_SEARCHERS),
    NavEntry("Våra uppgifter i katalogen", "/katalog/redigera", roles=frozenset({Role.DIRECTORY_EDITOR})),
    NavEntry("Granskning av katalogen", "/katalog/granskning", roles=frozenset({Role.DIRECTORY_REVIEWER})),
    NavEntry("Stödlinjen", "/linjen", roles=frozenset({Role.LINE_OPERATOR})),
    NavEntry("Återuppringningar", "/linjen/aterringningar", roles=frozenset({Role.LINE_OPERATOR})),
    NavEntry("Granska kontakter", "/linjen/granskning", roles=frozenset({Role.LINE_SUPERVISOR})),
    NavEntry(
        "Stödlinjens statistik", "/linjen/statistik", roles=frozenset({Role.LINE_SUPERVISOR, Role.NATIONAL_ANALYST})
    ),
    NavEntry("Remisser från stödlinjen", "/remisser", roles=frozenset({Role.CASE_OFFICER})),
)
