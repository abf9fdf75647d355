"""The event-loop benchmark runs from its documented command and prints every figure (it asserts nothing itself)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from avhopp.bench.event_loop import main

if TYPE_CHECKING:
    import pytest


def test_the_benchmark_times_a_cheap_read_alone_and_under_eight_searches(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--services", "200", "--rounds", "1", "--reads", "20"])
    output = capsys.readouterr().out
    assert "20 reads alone, 20 under 8 searches" in output
    for label in ("alone", "under searches"):
        line = next(line for line in output.splitlines() if line.startswith(label))
        p50, p95 = (float(figure) for figure in line.split()[-2:])
        assert 0 < p50 <= p95
    assert re.search(r"^ratio p50 \d+\.\d, p95 \d+\.\d \(target at most 2\)$", output, re.MULTILINE)
    served = re.search(r"^searches served (\d+\.\d)/s, web process CPU (\d+\.\d) ms a search$", output, re.MULTILINE)
    assert served is not None
    assert float(served[1]) > 0
    assert float(served[2]) > 0
