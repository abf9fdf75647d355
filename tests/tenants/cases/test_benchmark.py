"""The cases benchmark runs from its documented command and prints every figure (it measures; it asserts nothing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.bench.cases import main

if TYPE_CHECKING:
    import pytest

PATHS = ("SQL, owner, no policies", "SQL, policies", "service, owner, no policies", "service, policies", "API")


def test_the_benchmark_prints_latencies_and_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--cases", "300", "--tenant-cases", "60", "--officers", "4", "--probes", "6", "--signed-in", "2"])
    output = capsys.readouterr().out
    assert "300 case_file" in output
    for use_case in ("open a case", "my cases"):
        table = output.split(f"\n{use_case}\n", 1)[1]
        for path in PATHS:
            line = next(line for line in table.splitlines() if line.startswith(path))
            p50, p95, p50_ratio, p95_ratio = (float(figure) for figure in line[30:].split())
            assert 0 < p50 <= p95
            assert p50_ratio > 0
            assert p95_ratio > 0
        for layer in ("SQL", "service"):
            line = next(line for line in output.splitlines() if line.startswith(f"{use_case}, {layer}"))
            assert all(float(ratio) > 0 for ratio in line[30:].split())
