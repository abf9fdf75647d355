"""What every page shows around its content: who acts for which tenant, the menu, the language.

Modules add menu entries with `register_nav`; an entry names the permission (and, like its route,
the tenant kinds) its page needs, and is shown to people who hold that permission in the tenant
they act for, so the menu offers exactly the pages that open. In the same way a part offers a link
on another part's page with `register_page_link` (a page names itself, e.g. "case", and shows the
links offered there with `page_links`), so neither part imports the other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from jinja2 import pass_context

from avhopp.platform.scope.principal import TenantChoice, principal_of
from avhopp.platform.scope.route_permissions import PUBLIC, SIGNED_IN
from avhopp.platform.times import swedish_time
from avhopp.platform.web.i18n import gettext, language_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from jinja2 import Environment
    from jinja2.runtime import Context
    from litestar import Request

    from avhopp.platform.scope.principal import Principal

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static"
UNREAD_NOTICES_KEY = "unread_notices"
"""Request state: the acting person's unread notifications, counted before the handler ran."""


@dataclass(frozen=True, slots=True)
class NavEntry:
    """A menu entry; `label` is a Swedish message id."""

    label: str
    path: str
    permission: str = SIGNED_IN
    """The permission of the route at `path` (PUBLIC or SIGNED_IN: everyone signed in)."""
    tenant_kinds: tuple[str, ...] = ()
    """The route's tenant kinds; empty for every kind."""

    def shown_to(self, principal: Principal) -> bool:
        """Whether the entry's page opens for the principal."""
        if self.tenant_kinds and principal.tenant_kind not in self.tenant_kinds:
            return False
        return self.permission in {PUBLIC, SIGNED_IN} or self.permission in principal.permissions


@dataclass(frozen=True, slots=True)
class NavItem:
    """A menu entry as shown on one page."""

    label: str
    path: str
    current: bool


@dataclass(frozen=True, slots=True)
class TenantOption:
    """A choice in the tenant switcher."""

    id: str
    name: str
    current: bool


@dataclass(frozen=True, slots=True)
class PageShell:
    """The shell's view of one request."""

    signed_in: bool
    user_name: str = ""
    tenant_name: str = ""
    tenants: tuple[TenantOption, ...] = ()
    nav: tuple[NavItem, ...] = ()
    unread_notices: int | None = None
    """None where it was not counted (no tenant acted for, or not a page request)."""


@dataclass(frozen=True, slots=True)
class PageLink:
    """A link one part offers on another part's page; `label` is a Swedish message id."""

    page: str
    """The page's name, as the page's template asks for its links (e.g. "case")."""
    label: str
    path: str
    """The link, with `{id}` for the id of the page's object."""
    permission: str = SIGNED_IN
    """The permission of the route the link opens."""
    tenant_kinds: tuple[str, ...] = ()

    def shown_to(self, principal: Principal) -> bool:
        """Whether the linked page opens for the principal."""
        return NavEntry(self.label, self.path, self.permission, self.tenant_kinds).shown_to(principal)


_NAV: list[NavEntry] = [NavEntry("Översikt", "/", PUBLIC)]
_PAGE_LINKS: list[PageLink] = []


def register_page_link(link: PageLink) -> None:
    """Offer a link on another part's page (modules call this when their routes are mounted)."""
    if link not in _PAGE_LINKS:
        _PAGE_LINKS.append(link)


@pass_context
def page_links(context: Context, page: str, object_id: object) -> list[NavItem]:
    """The links other parts offer on `page` about `object_id` that open for the person acting."""
    principal = principal_of(context["request"])
    if principal is None or principal.person_id is None:
        return []
    return [
        NavItem(link.label, link.path.format(id=object_id), current=False)
        for link in _PAGE_LINKS
        if link.page == page and link.shown_to(principal)
    ]


def register_nav(entry: NavEntry) -> None:
    """Add a menu entry (modules call this when their routes are mounted)."""
    if entry not in _NAV:
        _NAV.append(entry)


def page_shell(request: Request[Any, Any, Any]) -> PageShell:
    """The shell for this request's principal; anonymous visitors get no menu."""
    principal = principal_of(request)
    if principal is None or principal.person_id is None:
        return PageShell(signed_in=False)
    path = request.url.path
    nav = tuple(
        NavItem(entry.label, entry.path, current=path == entry.path) for entry in _NAV if entry.shown_to(principal)
    )
    return PageShell(
        signed_in=True,
        user_name=principal.display_name,
        tenant_name=principal.tenant_name,
        tenants=tuple(_option(choice, principal.tenant_id) for choice in principal.tenants),
        nav=nav,
        unread_notices=request.scope["state"].get(UNREAD_NOTICES_KEY),
    )


def _option(choice: TenantChoice, current: object) -> TenantOption:
    return TenantOption(id=str(choice.id), name=choice.name, current=choice.id == current)


@cache
def static_url(relative: str) -> str:
    """A static file's URL with its content hash, so browsers may cache it for a year."""
    digest = hashlib.sha256((STATIC_DIR / relative).read_bytes()).hexdigest()[:12]
    return f"{STATIC_PATH}/{relative}?v={digest}"


@pass_context
def _translate(context: Context, message: str) -> str:
    return gettext(context["request"], message)


class SaysItself(Protocol):
    """Text made of translatable parts and values (a directory reason naming places and ages)."""

    def in_language(self, gettext: Callable[[str], str]) -> str:
        """The text in the language of `gettext`."""
        ...


@pass_context
def _in_language(context: Context, phrase: SaysItself) -> str:
    request = context["request"]
    return phrase.in_language(lambda message: gettext(request, message))


def install_globals(environment: Environment) -> None:
    """Make the shell's helpers available to every template."""
    environment.filters["swedish_time"] = swedish_time
    environment.filters["in_language"] = _in_language
    environment.globals.update(
        _=_translate,
        lang=language_of,
        static_url=static_url,
        page_shell=page_shell,
        page_links=page_links,
    )
