"""`avhopp tenants invite-admin` as an operator runs it: a file of many tenants, bad lines reported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.tenants.registry.roles import Role
from tests.support.people import create_people, person_in
from tests.test_cli import owner_env, run_avhopp

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine

    from tests.support.postgres import TestDatabase

NINA = person_in("bra", Role.NATIONAL_ADMIN, key="nina-cli")


def test_a_file_of_tenants_is_invited_line_by_line_and_bad_lines_are_named(
    database: TestDatabase,
    owner_engine: Engine,
    tmp_path: Path,
    clean_database: None,  # noqa: ARG001 - Nina and the invitations go when the test ends
) -> None:
    with owner_engine.begin() as connection:
        create_people(connection, [NINA])
        connection.execute(text("UPDATE app_user SET email = 'nina@bra.example' WHERE id = :u"), {"u": NINA.user_id})
    rollout = tmp_path / "utrullning.csv"
    rollout.write_text("organisation,e-post\nkommun-2584,kim@kiruna.example\nkommun-9999,x@y.example\n\x00\n")
    stranger = run_avhopp("tenants", "invite-admin", str(rollout), "--by", "okand@example.org", env=owner_env(database))

    result = run_avhopp("tenants", "invite-admin", str(rollout), "--by", "nina@bra.example", env=owner_env(database))

    assert stranger.returncode == 1
    assert "Ingen nationell administratör" in stranger.stderr
    assert "Traceback" not in stranger.stderr
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "Rad 2 kommun-2584: OK" in result.stderr
    assert "Rad 3 kommun-9999: FEL Organisationen finns inte." in result.stderr
    assert "Rad 4" in result.stderr
    assert "styrtecken" in result.stderr
    assert "Inbjudna: 1, felaktiga rader: 2" in result.stderr
    assert result.stdout.startswith("kommun-2584\thttp")
    assert "/inbjudan/" in result.stdout
