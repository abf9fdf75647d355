"""Page pieces the catalogue offers other parts' pages: the situation form, its results, the public page.

The guidance line's console embeds the directory's search, and its public callback form lives on
the public page; they reach these through this module only.
"""

from __future__ import annotations

from avhopp.directory.catalogue.web.common import result_labels, situation_options
from avhopp.directory.catalogue.web.forms import assumed_answers, read_search
from avhopp.directory.catalogue.web.public import public_page

__all__ = ["assumed_answers", "public_page", "read_search", "result_labels", "situation_options"]
