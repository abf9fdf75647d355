"""Statistics as files: CSV and Excel, built only from what disclosure control published.

A `Sheet` is made from a `Published` table (`Sheet.of`), so a file can hold nothing that the
page could not show: hidden counts are "..", a withheld section says it is too detailed. Every
file carries its `Metadata`: what the figures mean, the period, the suppression rule and when
they were taken out, in Swedish time. CSV cells go through `write_csv` (no cell is read as a
formula); in the Excel file every text cell is stored as text for the same reason. Each export
is recorded in the audit trail with `record_export`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from avhopp.platform.audit import Action, AuditEvent, record
from avhopp.platform.disclosure.tables import TOTAL
from avhopp.platform.exports import write_csv
from avhopp.platform.times import swedish_time

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.disclosure.suppression import Published, Rule

HIDDEN = ".."
"""A hidden count, as Statistics Sweden writes it."""
WITHHELD = "Tabellen är för detaljerad för att visas."
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
METADATA_SHEET = "Om statistiken"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

Cell: TypeAlias = str | int


@dataclass(frozen=True, slots=True)
class Sheet:
    """One published table laid out in rows, hidden counts as `HIDDEN`."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @classmethod
    def of(
        cls, published: Published, section: str, title: str, label: Callable[[str], str], *, heading: str = "Antal"
    ) -> Sheet:
        """A section as rows: one column of counts (one-way) or a column per value (two-way), totals last."""
        if section in published.withheld:
            return cls(title, ("",), ((WITHHELD,),))
        keys = published.table.cells_of(section)

        def shown(key: tuple[str, ...]) -> Cell:
            value = published.value(key)
            return HIDDEN if value is None else value

        def name(value: str) -> str:
            return "Totalt" if value == TOTAL else label(value)

        if all(len(key) == 2 for key in keys):  # noqa: PLR2004 - (section, value)
            ordered = [key for key in keys if key[1] != TOTAL] + [key for key in keys if key[1] == TOTAL]
            return cls(title, ("Värde", heading), tuple((name(key[1]), shown(key)) for key in ordered))
        rows = list(dict.fromkeys(key[1] for key in keys))
        columns = list(dict.fromkeys(key[2] for key in keys))
        return cls(
            title,
            ("", *(name(column) for column in columns)),
            tuple((name(row), *(shown((section, row, column)) for column in columns)) for row in rows),
        )


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a file says about its figures."""

    title: str
    period: str
    definitions: tuple[tuple[str, str], ...]
    rule: Rule
    extracted_at: datetime

    def rows(self) -> list[tuple[str, str]]:
        """The metadata as label and text, as both file formats write it."""
        return [
            ("Statistik", self.title),
            ("Period", self.period),
            ("Uttaget", f"{swedish_time(self.extracted_at)} svensk tid (Europe/Stockholm)"),
            ("Röjandekontroll", self.rule.statement),
            ("Tecken", f"{HIDDEN} = talet visas inte (röjandekontroll)"),
            *((f"Definition: {term}", text) for term, text in self.definitions),
        ]


def csv_bytes(metadata: Metadata, sheets: Sequence[Sheet]) -> bytes:
    """One CSV file: the metadata, then each table under its title, separated by empty rows.

    UTF-8 with a byte order mark, so that a spreadsheet reads å, ä and ö right.
    """
    rows: list[list[str]] = [list(row) for row in metadata.rows()]
    for sheet in sheets:
        rows += [[], [sheet.title], list(sheet.header)]
        rows += [[str(cell) for cell in row] for row in sheet.rows]
    handle = io.StringIO()
    write_csv(handle, rows)
    return handle.getvalue().encode("utf-8-sig")


def xlsx_bytes(metadata: Metadata, sheets: Sequence[Sheet]) -> bytes:
    """An Excel workbook: the metadata sheet first, then a sheet per table."""
    from openpyxl import Workbook  # noqa: PLC0415 - loads only for an export

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    about = workbook.create_sheet(METADATA_SHEET)
    for label, text in metadata.rows():
        about.append((label, text))
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 100
    names = {METADATA_SHEET}
    for sheet in sheets:
        page = workbook.create_sheet(_sheet_name(sheet.title, names))
        page.append((sheet.title,))
        page.append(sheet.header)
        for cells in sheet.rows:
            page.append(cells)
        page.column_dimensions["A"].width = 32
    for page in workbook.worksheets:
        for written in page.iter_rows():
            for cell in written:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula, whatever it begins with
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def _sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (at most 31 characters, none of the characters it forbids), not yet used."""
    base = _SHEET_NAME_FORBIDDEN.sub("-", title)[:28] or "Tabell"
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base} {number}"
    taken.add(name)
    return name


async def record_export(  # noqa: PLR0913 - who, for which tenant, what, in which form, in which request
    session: AsyncSession,
    *,
    tenant_id: UUID,
    actor_user_id: UUID | None,
    statistic: str,
    file_format: str,
    request_id: str | None,
) -> None:
    """The audit trail's record that `statistic` was taken out as a `file_format` file."""
    await record(
        session,
        AuditEvent(
            Action.STATISTICS_EXPORTED,
            tenant_id,
            actor_user_id,
            object_type="statistics",
            object_id=statistic,
            reason=file_format,
            request_id=request_id,
        ),
    )
