"""The `avhopp` command as an operator meets it."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.postgres import TestDatabase

SECRET = "s" * 40


def run_avhopp(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m avhopp` with a clean platform environment plus `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "AVHOPP_", "BROKER_"))}
    return subprocess.run(
        [sys.executable, "-m", "avhopp", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_lists_the_commands() -> None:
    result = run_avhopp("--help")

    assert result.returncode == 0
    for command in ("serve", "worker", "db", "geography", "tenants"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "postgres//oops", "AVHOPP_SECRET_KEY": SECRET}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/avhopp", "AVHOPP_SECRET_KEY": SECRET}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/avhopp"}, "AVHOPP_SECRET_KEY"),
        (
            {"DATABASE_APP_URL": "postgresql://nobody@127.0.0.1:1/avhopp", "AVHOPP_SECRET_KEY": SECRET},
            "DATABASE_APP_URL",
        ),
    ],
)
def test_a_wrong_setting_gives_one_clear_line_and_no_traceback(env: dict[str, str], expected: str) -> None:
    result = run_avhopp("db", "current", env=env)

    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def owner_env(database: TestDatabase) -> dict[str, str]:
    return {
        "DATABASE_URL": database.owner_url.render_as_string(hide_password=False),
        "AVHOPP_SECRET_KEY": SECRET,
    }


def test_geography_load_twice_changes_nothing_the_second_time(database: TestDatabase) -> None:
    run_avhopp("geography", "load", env=owner_env(database))
    second = run_avhopp("geography", "load", env=owner_env(database))

    assert second.returncode == 0, second.stderr
    assert "Geografi: 0 nya, 0 uppdaterade, 318 oförändrade." in second.stderr


def test_tenant_provisioning_twice_changes_nothing_the_second_time(database: TestDatabase) -> None:
    run_avhopp("tenants", "provision", env=owner_env(database))
    second = run_avhopp("tenants", "provision", env=owner_env(database))

    assert second.returncode == 0, second.stderr
    assert "Organisationer: 0 nya, 0 uppdaterade, 311 oförändrade." in second.stderr


def test_schema_commands_need_the_owner(database: TestDatabase) -> None:
    runtime_only = {
        "DATABASE_APP_URL": database.app_url.render_as_string(hide_password=False),
        "AVHOPP_SECRET_KEY": SECRET,
    }

    result = run_avhopp("db", "migrate", env=runtime_only)

    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_current_names_the_head_revision(database: TestDatabase) -> None:
    result = run_avhopp("db", "current", env=owner_env(database))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() != "base"


def test_idp_commands_reach_the_owner_connection(database: TestDatabase) -> None:
    created = run_avhopp(
        "idp",
        "create-client",
        "Telefonisystem",
        "--tenant",
        "stodlinjen",
        "--roles",
        "line_operator",
        env=owner_env(database),
    )
    unknown = run_avhopp("idp", "unlock", "finns-inte", env=owner_env(database))

    assert created.returncode == 0, created.stderr
    assert "client_id" in created.stdout.lower() or "klient" in created.stdout.lower()
    assert unknown.returncode == 1
    assert "Traceback" not in unknown.stderr


def test_rekey_asks_for_the_old_key_first(database: TestDatabase) -> None:
    result = run_avhopp("keys", "rekey", env=owner_env(database))

    assert result.returncode == 1
    assert "AVHOPP_PREVIOUS_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_rekey_with_the_same_key_twice_is_refused_by_name(database: TestDatabase) -> None:
    result = run_avhopp("keys", "rekey", env=owner_env(database) | {"AVHOPP_PREVIOUS_SECRET_KEY": SECRET})

    assert result.returncode == 2
    assert "AVHOPP_PREVIOUS_SECRET_KEY" in result.stderr
