"""The start benchmark runs from its documented command and prints every figure (it asserts nothing itself)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from avhopp.bench.startup import main

if TYPE_CHECKING:
    import pytest


def test_the_benchmark_times_a_first_and_a_later_start_against_the_cluster_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["--rounds", "1"])
    output = capsys.readouterr().out
    round_line = next(line for line in output.splitlines() if line.startswith("round 1:"))
    first, later, cluster_first, cluster_later = (float(figure) for figure in re.findall(r"(\d+\.\d+) s", round_line))
    assert first > cluster_first > 0
    assert later > cluster_later > 0
    for label in ("first start", "later start"):
        summary = next(line for line in output.splitlines() if line.startswith(label))
        assert re.search(r"ratio \d+\.\d+×; target < \d s: (met|NOT met)$", summary)
