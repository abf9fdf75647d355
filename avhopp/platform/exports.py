"""CSV files for people to open in a spreadsheet: every cell is data, never a formula.

A spreadsheet program reads a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula, and a formula can fetch from the network or run a command
(CSV injection). Every export writes its cells through `write_csv`, which puts an apostrophe
before such a cell, as OWASP advises: spreadsheets show the text and hide the apostrophe. A
plain number ("-12.5") stays as it is; it computes nothing. A cell that already begins with
apostrophes before such a character gets one more, so that `restored`, which an import of our
own files applies, gives back exactly what was written.
"""

from __future__ import annotations

import csv
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import TextIO

_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_NEUTRALISED = re.compile(r"''*[=+\-@\t\r]")


def neutralised(cell: str) -> str:
    """`cell` as a spreadsheet shows it without computing anything."""
    if _FORMULA.match(cell) and not _NUMBER.fullmatch(cell):
        return f"'{cell}"
    return cell


def restored(cell: str) -> str:
    """A cell as it was before `neutralised`."""
    return cell[1:] if _NEUTRALISED.match(cell) else cell


def write_csv(handle: TextIO, rows: Iterable[Sequence[str]]) -> None:
    """Rows as CSV (RFC 4180 quoting, CRLF line ends), every cell neutralised."""
    writer = csv.writer(handle, dialect="excel", lineterminator="\r\n")
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
