"""Pages, redirects and cookies of the provider: never cached, cookies HttpOnly and scoped to /idp."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from avhopp.platform.web.i18n import gettext

if TYPE_CHECKING:
    from collections.abc import Sequence

    from litestar import Request

    from avhopp.platform.idp.provider import Provider

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
SESSION_COOKIE = "avhopp_idp_session"
LOGIN_COOKIE = "avhopp_idp_login"
COOKIE_PATH = "/idp"


def page(template: str, context: dict[str, Any], *, status: int = 200, cookies: Sequence[Cookie] = ()) -> Template:
    """A page from `templates/idp/`."""
    return Template(
        template_name=f"idp/{template}.html",
        context=context,
        status_code=status,
        headers=NO_STORE,
        cookies=list(cookies),
    )


def refusal(title: str, message: str, *, status: int = 400) -> Template:
    """A page that refuses a request and sends the browser nowhere (Swedish message ids)."""
    return page("refused", {"title": title, "message": message}, status=status)


def redirect(location: str, *, status: Literal[302, 303], cookies: Sequence[Cookie] = ()) -> Redirect:
    """A redirect that no cache keeps (it may carry a code)."""
    return Redirect(location, status_code=status, headers=NO_STORE, cookies=list(cookies))


def translated(request: Request[Any, Any, Any], messages: dict[str, str]) -> dict[str, str]:
    """Message ids by field, in the request's language."""
    return {name: gettext(request, message) for name, message in messages.items()}


def provider_cookie(provider: Provider, name: str, value: str, *, max_age: int | None = None) -> Cookie:
    """A cookie only the provider's paths receive, unreadable by scripts."""
    return Cookie(
        key=name,
        value=value,
        path=COOKIE_PATH,
        max_age=max_age,
        httponly=True,
        secure=provider.secure_cookies,
        samesite="lax",
    )


def cleared_cookie(provider: Provider, name: str) -> Cookie:
    """Tells the browser to forget a provider cookie."""
    return provider_cookie(provider, name, "", max_age=0)
