"""The benchmark runs from its documented command and prints every figure (it measures; it asserts nothing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.bench.directory_search import main

if TYPE_CHECKING:
    import pytest


def test_the_benchmark_prints_latencies_and_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--services", "120", "--searches", "8"])
    output = capsys.readouterr().out
    assert "Published 120 services" in output
    for path in ("bare SQL", "search statement", "service layer", "API", "API, served", "HTTP only, served"):
        line = next(line for line in output.splitlines() if line.startswith(path))
        p50, p95, p50_ratio, p95_ratio = (float(figure) for figure in line[len(path) :].split())
        assert 0 < p50 <= p95
        assert p50_ratio > 0
        assert p95_ratio > 0
    assert "API at p95: " in output
    assert "(target at most 1.5x)" in output
