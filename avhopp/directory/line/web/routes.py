"""What the guidance line adds to the web app: the console, callbacks, supervision, the referrals it sent."""

from __future__ import annotations

from pathlib import Path

from avhopp.directory.line.permissions import LINE_KINDS, OPERATE, REVIEW, STATISTICS, STATISTICS_KINDS
from avhopp.directory.line.web.callbacks import CALLBACK_ROUTES
from avhopp.directory.line.web.console import LINE_ROUTES
from avhopp.directory.line.web.supervision import SUPERVISION_ROUTES
from avhopp.platform.web.parts import PartWeb
from avhopp.platform.web.shell import NavEntry

LINE_WEB = PartWeb(
    name="directory.line",
    routes=[*LINE_ROUTES, *CALLBACK_ROUTES, *SUPERVISION_ROUTES],
    templates=Path(__file__).parent / "templates",
    nav=(
        NavEntry("Stödlinjen", "/linjen", OPERATE, LINE_KINDS),
        NavEntry("Återuppringningar", "/linjen/aterringningar", OPERATE, LINE_KINDS),
        NavEntry("Arbetsledning", "/linjen/arbetsledning", REVIEW, LINE_KINDS),
        NavEntry("Granska kontakter", "/linjen/granskning", REVIEW, LINE_KINDS),
        NavEntry("Stödlinjens statistik", "/linjen/statistik", STATISTICS, STATISTICS_KINDS),
    ),
)
