"""The per-request benchmark runs from its documented command and prints every figure it promises."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from avhopp.bench.request_cost import main

if TYPE_CHECKING:
    import pytest

_PATHS = ("SQL, direct", "API, bearer token", "API, session cookie", "HTTP only (/health/live)")


def test_the_benchmark_times_a_read_both_ways_against_the_query_and_counts_its_round_trips(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["--requests", "20", "--counted", "3"])
    lines = capsys.readouterr().out.splitlines()
    assert any(re.search(r"load average \d+\.\d+", line) for line in lines)
    timed = {
        path: [float(figure) for figure in line[len(path) :].split()]
        for path in _PATHS
        for line in lines
        if line.startswith(path) and len(line[len(path) :].split()) == 4
    }
    assert set(timed) == set(_PATHS)
    assert timed["SQL, direct"][2:] == [1.0, 1.0]
    assert all(p50 > 0 and p95 >= p50 for p50, p95, _, _ in timed.values())
    counted = {
        path: [float(figure) for figure in line[len(path) :].split()]
        for path in _PATHS[1:3]
        for line in lines
        if line.startswith(path) and len(line[len(path) :].split()) == 2
    }
    assert set(counted) == set(_PATHS[1:3])
    # One transaction a read, for a person as for a machine client, and no ping before it: BEGIN
    # with the context and the read that names who acts (for a person, their principal behind it),
    # in one message; the query; COMMIT. The policy's version and the signing keys, checked at most
    # once a second, may add one or two to a mean of three.
    assert all(1 <= transactions < 2 for _, transactions in counted.values())
    assert all(3 <= round_trips <= 5 for round_trips, _ in counted.values())
