"""The benchmark command runs end to end and prints its figures (a smoke test: no timing asserted)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.bench.placement_engine import main

if TYPE_CHECKING:
    import pytest


def test_the_benchmark_prints_latency_ratios_and_targets(capsys: pytest.CaptureFixture[str]) -> None:
    sizes = ["--units", "400", "--placements", "60", "--singles", "20"]
    main([*sizes, "--batches", "5,8", "--seeds", "1", "--dense-from", "8", "--year-requests", "12"])
    out = capsys.readouterr().out
    assert "Single request, 20 requests: p50" in out
    assert "N=5 " in out
    assert "N=8 " in out
    for name in ("greedy", "heuristic", "engine"):
        assert f"    {name}" in out
    assert "Targets:" in out
    assert "never worse than greedy" in out
    assert "Online year: 12 requests arriving one at a time" in out
    for name in ("online first choice", "naive greedy", "hindsight batch"):
        assert f"  {name}" in out
    assert "online year: first choice >= 95% of the hindsight optimum" in out
