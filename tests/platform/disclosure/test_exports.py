"""Statistics files: built from the published table only, with their metadata, and nothing computes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from avhopp.platform.disclosure import Rule, one_way, protect, two_way
from avhopp.platform.disclosure.exports import METADATA_SHEET, Metadata, Sheet, csv_bytes, xlsx_bytes

RULE = Rule()
LABELS = {
    "person": "Personen själv",
    "relative": "Anhörig",
    "anonymous": "Vill inte säga",
    "other": '=HYPERLINK("https://evil.example")',
}


def files() -> tuple[Metadata, list[Sheet]]:
    published = protect(
        one_way("caller", {"person": 40, "relative": 3, "other": 12, "anonymous": 30}), RULE, withhold_too_detailed=True
    )
    crossed = protect(
        two_way("t", {("a", "x"): 30, ("a", "y"): 20, ("b", "x"): 10, ("b", "y"): 12}, ["a", "b"], ["x", "y"]), RULE
    )
    metadata = Metadata(
        "Stödlinjens statistik",
        "2026-09-10 – 2026-12-03",
        (("Kontakt", "Ett samtal, en chatt eller ett mejl till stödlinjen."),),
        RULE,
        datetime(2026, 12, 3, 15, 30, tzinfo=UTC),
    )
    sheets = [
        Sheet.of(published, "caller", "Vem hörde av sig", lambda value: LABELS[value]),
        Sheet.of(crossed, "t", "Korstabell", str.upper),
    ]
    return metadata, sheets


def test_the_excel_file_opens_with_its_metadata_sheet_and_hidden_counts() -> None:
    metadata, sheets = files()
    workbook = load_workbook(io.BytesIO(xlsx_bytes(metadata, sheets)))
    assert workbook.sheetnames == [METADATA_SHEET, "Vem hörde av sig", "Korstabell"]
    about = {row[0]: row[1] for row in workbook[METADATA_SHEET].iter_rows(values_only=True)}
    assert about["Statistik"] == "Stödlinjens statistik"
    assert about["Period"] == "2026-09-10 – 2026-12-03"
    assert about["Uttaget"] == "2026-12-03 16:30 svensk tid (Europe/Stockholm)"
    assert "från 1 till 4" in str(about["Röjandekontroll"])
    assert about["Definition: Kontakt"] == "Ett samtal, en chatt eller ett mejl till stödlinjen."
    callers = list(workbook["Vem hörde av sig"].iter_rows(values_only=True))
    assert callers[1:] == [
        ("Värde", "Antal"),
        ("Personen själv", 40),
        ("Anhörig", ".."),
        ('=HYPERLINK("https://evil.example")', ".."),
        ("Vill inte säga", 30),
        ("Totalt", 85),
    ]
    # The label that looks like a formula is stored as text; the corner cell is empty.
    assert workbook["Vem hörde av sig"]["A5"].data_type == "s"
    crossed = list(workbook["Korstabell"].iter_rows(values_only=True))
    assert crossed[1:] == [(None, "X", "Y", "Totalt"), ("A", 30, 20, 50), ("B", 10, 12, 22), ("Totalt", 40, 32, 72)]


def test_the_csv_file_carries_the_metadata_and_neutralises_formulas() -> None:
    metadata, sheets = files()
    data = csv_bytes(metadata, sheets)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Statistik", "Stödlinjens statistik"]
    assert ["Uttaget", "2026-12-03 16:30 svensk tid (Europe/Stockholm)"] in rows
    assert ['\'=HYPERLINK("https://evil.example")', ".."] in rows
    assert ["Anhörig", ".."] in rows
    assert ["Totalt", "85"] in rows


def test_a_withheld_table_is_exported_as_too_detailed() -> None:
    published = protect(one_way("a", {"x": 1, "y": 2, "z": 9}), RULE, withhold_too_detailed=True)
    assert published.withheld == ("a",)
    sheet = Sheet.of(published, "a", "A", str)
    assert sheet.rows == (("Tabellen är för detaljerad för att visas.",),)
