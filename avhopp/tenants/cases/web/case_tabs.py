"""The case page's tabs: each a page of its own, shown only where the actor may see its category.

The owner's team sees every tab; an organisation a consent names sees the overview and the tabs
of the categories the consent names (the consents and the phases stay the owner's); a unit head
who opened the case in an emergency reads everything and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar.response import Template

from avhopp.platform.labels import labels_of
from avhopp.platform.problems import NotFoundError
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.permissions import CASE_WRITE
from avhopp.tenants.cases.service import Category, Phase, case_link, case_summary
from avhopp.tenants.cases.web.common import actor_of, may

if TYPE_CHECKING:
    from uuid import UUID

    from avhopp.platform.scope.request import TenantScope
    from avhopp.tenants.cases.service import CaseSummary

PHASES = labels_of(Phase)
CATEGORIES = labels_of(Category)


@dataclass(frozen=True, slots=True)
class Tab:
    """One tab of the case page."""

    key: str
    label: str
    path: str


_TABS: tuple[tuple[str, str, str, Category | None], ...] = (
    ("oversikt", "Översikt", "", None),
    ("person", "Person", "/person", Category.IDENTITY),
    ("samtycken", "Samtycken", "/samtycken", None),
    ("hotbedomning", "Hotbedömning", "/hotbedomning", Category.THREAT_ASSESSMENT),
    ("handlingsplan", "Handlingsplan", "/handlingsplan", Category.ACTION_PLAN),
    ("skeden", "Skeden", "/skeden", None),
    ("uppfoljning", "Uppföljning", "/uppfoljning", Category.FOLLOW_UP),
)
_OWNERS_ONLY = frozenset({"samtycken", "skeden"})


def tabs_of(summary: CaseSummary) -> list[Tab]:
    """The tabs the actor may open on this case."""
    access = summary.access
    base = case_link(access.case.id)
    return [
        Tab(key, label, base + suffix)
        for key, label, suffix, category in _TABS
        if (access.owner or key not in _OWNERS_ONLY) and (category is None or access.may_see(category))
    ]


@dataclass(frozen=True, slots=True)
class OpenedTab:
    """A case opened at one of its tabs, for one actor."""

    summary: CaseSummary
    tabs: list[Tab]
    key: str
    may_write: bool
    """The actor is on the owner's team and may change the case."""
    may_contribute: bool
    """The actor is on the case's team, of the owner or of an organisation the consent names, and may write."""

    @property
    def case_id(self) -> UUID:
        """The case's id."""
        return self.summary.access.case.id

    def page(
        self,
        template_name: str,
        context: dict[str, Any],
        *,
        form: dict[str, list[str]] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        """The tab's page: the case's header, the tabs, and the tab's own content."""
        return Template(
            template_name=template_name,
            context={
                "summary": self.summary,
                "case": self.summary.access.case,
                "access": self.summary.access,
                "tabs": self.tabs,
                "current": self.key,
                "may_write": self.may_write,
                "may_contribute": self.may_contribute,
                "phases": PHASES,
                "categories": CATEGORIES,
                "today": swedish_date(),
                "form": form or {},
                "errors": errors or {},
                **context,
            },
            status_code=400 if errors else 200,
        )


async def open_tab(acting: TenantScope, case_id: UUID, key: str) -> OpenedTab:
    """The case at tab `key`; NotFoundError where the actor may not see the case or that tab."""
    summary = await case_summary(acting.session, actor_of(acting), case_id)
    tabs = tabs_of(summary)
    if key not in {tab.key for tab in tabs}:
        raise NotFoundError
    access = summary.access
    on_team = access.role is not None and may(acting, CASE_WRITE)
    return OpenedTab(summary, tabs, key, may_write=on_team and access.owner, may_contribute=on_team)
