"""Swedish first, English second: the request's language and its translations.

Swedish is the source language: message ids in code and templates are Swedish, and
`locales/en/LC_MESSAGES/messages.po` translates them. A missing English translation falls
back to the Swedish text rather than to nothing.
"""

from __future__ import annotations

import io
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
LANGUAGE_COOKIE = "avhopp_lang"


LANGUAGE_PARAMETER = "lang"
"""`?lang=en` in the address: the language of a page that sets no cookie (the public page, before anything is sent)."""


def language_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The language named in the address, else the one chosen with the switch (a cookie), else Swedish."""
    named = connection.query_params.get(LANGUAGE_PARAMETER)
    if named in LANGUAGES:
        return str(named)
    chosen = connection.cookies.get(LANGUAGE_COOKIE, DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog for `language`; Swedish needs none."""
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    source = files("avhopp.platform.web").joinpath("locales", language, "LC_MESSAGES", "messages.po")
    catalog = read_po(io.StringIO(source.read_text(encoding="utf-8")), locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def gettext(connection: ASGIConnection[Any, Any, Any, Any], message: str) -> str:
    """`message` in the request's language."""
    return translations(language_of(connection)).gettext(message)
