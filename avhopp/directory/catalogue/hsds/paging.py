"""The HSDS API's paged list response (`Page` in openapi.json)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from avhopp.directory.catalogue.hsds.reading import JsonObject


def page_of(items: Sequence[JsonObject], *, page_number: int = 1, per_page: int = 50) -> JsonObject:
    """Page `page_number` (counted from 1) of `items`, `per_page` at a time."""
    if page_number < 1 or per_page < 1:
        raise ValueError("page_number and per_page count from 1")
    start = (page_number - 1) * per_page
    return paged(
        list(items[start : start + per_page]), total_items=len(items), page_number=page_number, per_page=per_page
    )


def paged(contents: list[JsonObject], *, total_items: int, page_number: int, per_page: int) -> JsonObject:
    """The page `contents`, cut by the database, of `total_items` in all."""
    total_pages = math.ceil(total_items / per_page)
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": total_items == 0,
        "contents": contents,
    }
