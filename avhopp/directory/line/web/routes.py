"""What the guidance line adds to the web app: the console, callbacks, supervision, referrals."""

from __future__ import annotations

from pathlib import Path

from avhopp.directory.line.web.callbacks import CALLBACK_ROUTES
from avhopp.directory.line.web.console import LINE_ROUTES
from avhopp.directory.line.web.supervision import SUPERVISION_ROUTES
from avhopp.platform.web.parts import PartWeb
from avhopp.platform.web.shell import NavEntry
from avhopp.tenants.registry.service import Role

LINE_WEB = PartWeb(
    name="directory.line",
    routes=[*LINE_ROUTES, *CALLBACK_ROUTES, *SUPERVISION_ROUTES],
    templates=Path(__file__).parent / "templates",
    nav=(
        NavEntry("Stödlinjen", "/linjen", roles=frozenset({Role.LINE_OPERATOR})),
        NavEntry("Återuppringningar", "/linjen/aterringningar", roles=frozenset({Role.LINE_OPERATOR})),
        NavEntry("Granska kontakter", "/linjen/granskning", roles=frozenset({Role.LINE_SUPERVISOR})),
        NavEntry(
            "Stödlinjens statistik",
            "/linjen/statistik",
            roles=frozenset({Role.LINE_SUPERVISOR, Role.NATIONAL_ANALYST}),
        ),
        NavEntry("Remisser från stödlinjen", "/remisser", roles=frozenset({Role.CASE_OFFICER})),
    ),
)
