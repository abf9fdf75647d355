"""The load benchmark runs from its documented command: every persona's requests are served, none fails."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from avhopp.bench.load import main

if TYPE_CHECKING:
    import pytest

_KINDS = (
    "operator: open a contact",
    "operator: search",
    "operator: record the call",
    "officer: open a new case",
    "officer: my cases",
    "officer: one case",
    "visitor: public page",
    "visitor: public search",
)


def test_operators_officers_and_visitors_are_served_on_one_and_on_two_processes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["--services", "100", "--operators", "1", "--officers", "1", "--visitors", "1", "--seconds", "4"])
    output = capsys.readouterr().out
    setups = re.split(r"^\d web process(?:es)?, \d+ s$", output, flags=re.MULTILINE)[1:]
    assert len(setups) == 2
    for setup in setups:
        rows = {line[:28].strip(): line[28:].split() for line in setup.splitlines() if ":" in line[:28]}
        for kind in _KINDS:
            served, _per_second, p50, p95, errors, limited = rows[kind]
            assert int(served) > 0, kind
            assert 0 < float(p50) <= float(p95) or int(served) == 1, kind
            assert (errors, limited) == ("0", "0"), kind
        assert re.search(r"^per request: web processes \d+\.\d ms CPU, PostgreSQL \d+\.\d ms CPU;", setup, re.MULTILINE)
