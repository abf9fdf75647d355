"""Exports: no cell is read as a formula by a spreadsheet, and our import gets back what was written."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avhopp.platform.exports import neutralised, restored, write_csv

FORMULA_STARTS = "=+-@\t\r"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("https://example.com","x")', '\'=HYPERLINK("https://example.com","x")'),
        ("+46 31 365 00 00", "'+46 31 365 00 00"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'=1+1", "''=1+1"),
        ("-12.5", "-12.5"),
        ("42", "42"),
        ("Göteborg", "Göteborg"),
        ("'s-Hertogenbosch", "'s-Hertogenbosch"),
        ("", ""),
    ],
)
def test_a_cell_that_would_compute_is_neutralised(cell: str, written: str) -> None:
    assert neutralised(cell) == written
    assert restored(written) == cell


@given(st.text(st.sampled_from(FORMULA_STARTS + "'0123456789.a ") | st.characters(), max_size=20))
def test_neutralising_is_undone_exactly_and_leaves_no_formula(cell: str) -> None:
    written = neutralised(cell)

    assert restored(written) == cell
    assert written[:1] not in set(FORMULA_STARTS) or re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", written)


def test_write_csv_neutralises_every_cell() -> None:
    handle = io.StringIO(newline="")
    write_csv(handle, [["name", "phone"], ["=1+1", "+46 70 123 45 67"], ["Mottagningen", "031-365 00 00"]])

    assert handle.getvalue().endswith("\r\n")
    assert list(csv.reader(io.StringIO(handle.getvalue(), newline=""))) == [
        ["name", "phone"],
        ["'=1+1", "'+46 70 123 45 67"],
        ["Mottagningen", "031-365 00 00"],
    ]
