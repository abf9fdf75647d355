"""The row-level security benchmark times every table that has policies (it asserts nothing itself)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import psycopg

from avhopp.bench.rls import main

if TYPE_CHECKING:
    import pytest
    from sqlalchemy.engine import URL

    from tests.support.postgres import TestDatabase


def test_the_benchmark_prints_a_ratio_for_every_table_with_row_level_security(
    database: TestDatabase, admin_url: URL, capsys: pytest.CaptureFixture[str]
) -> None:
    # The session's server (embedded or not) is the one to create the benchmark's throwaway database on.
    server = admin_url.render_as_string(hide_password=False)
    figures = main(["--tenants", "2", "--rows", "10", "--repeats", "2", "--database-url", server])
    output = capsys.readouterr().out
    conninfo = database.owner_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as connection:
        policed = {
            name
            for (name,) in connection.execute(
                "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relrowsecurity"
            )
        }
    assert set(figures) == policed
    # The audit trail is read by chain: its generated rows stand in their tenant's chain.
    assert figures["audit_event"].rows_policies == figures["audit_event"].rows_owner > 0
    for table in policed:
        line = next(line for line in output.splitlines() if line.split()[:1] == [table])
        assert re.search(r"\d+/\d+(\s+\d+\.\d+){6}", line), line
    assert re.search(r"\d+ of \d+ tables above 1\.2x at p50", output)
    assert re.search(r"\d+ of \d+ above 1\.2x against the same predicate", output)
    assert "load average after" in output
