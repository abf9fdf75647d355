"""The national overview benchmark runs from its documented command and prints its figures (asserting nothing)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from avhopp.bench.follow_up_figures import main

if TYPE_CHECKING:
    import pytest


def test_the_benchmark_prints_the_overview_against_its_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--cases", "300", "--runs", "2"])
    output = capsys.readouterr().out
    assert re.search(r"Loaded 300 cases \(1,800 follow-ups\)", output)
    for path in ("baseline: count the follow-ups", "counts \\(followup_statistics\\)", "disclosure control"):
        assert re.search(rf"{path}\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+", output), path
    overview = re.search(r"national overview \(both\)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", output)
    assert overview is not None
    assert float(overview.group(1)) > 0
