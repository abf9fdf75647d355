"""The language switch: a form that sets the language cookie and returns to the page."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from avhopp.platform.scope.route_permissions import PUBLIC
from avhopp.platform.web.i18n import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, LANGUAGES
from avhopp.platform.web.redirects import safe_return_path

_YEAR = 365 * 24 * 3600


class LanguageChoice(msgspec.Struct):
    """The switch's form."""

    lang: str
    next: str = "/"


@post("/sprak", opt={"permission": PUBLIC}, include_in_schema=False)
async def choose_language(
    data: Annotated[LanguageChoice, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Redirect:
    """Remember the language for this browser; it is a preference, not personal data."""
    language = data.lang if data.lang in LANGUAGES else DEFAULT_LANGUAGE
    return Redirect(
        safe_return_path(data.next),
        cookies=[Cookie(key=LANGUAGE_COOKIE, value=language, max_age=_YEAR, path="/", samesite="lax", httponly=True)],
    )
