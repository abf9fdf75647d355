"""The follow-up copy benchmark runs from its documented command and prints its figures (it asserts nothing itself)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from avhopp.bench.followup_copy import main

if TYPE_CHECKING:
    import pytest


def test_the_benchmark_prints_the_copy_of_a_days_changes(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--cases", "80", "--changed", "0.1"])
    output = capsys.readouterr().out
    first = re.search(r"first copy \(every started case\)\s+(\d+) cases\s+([\d.]+) s", output)
    changed = re.search(r"a day of changes\s+(\d+) cases changed", output)
    day = re.search(r"copy of a day of changes\s+(\d+) cases\s+([\d.]+) s", output)
    assert first is not None
    assert changed is not None
    assert day is not None
    # Only the day's changes are copied again, not every case.
    assert 0 < int(changed.group(1)) == int(day.group(1)) < int(first.group(1))
    assert float(day.group(2)) > 0
    assert "per copied case" in output
    # The baseline reads the same day's changes in the same run, and the copy is put beside it.
    baseline = re.search(r"baseline: read the changes only\s+(\d+) cases\s+([\d.]+) s", output)
    assert baseline is not None
    assert int(baseline.group(1)) == int(day.group(1))
    assert re.search(r"copy / baseline\s+[\d.]+", output)
