"""`avhopp directory export` and `import`: a round trip loses nothing; a package with bad rows imports nothing."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from avhopp.directory.catalogue.hsds.package import read_package
from tests.test_cli import SECRET, run_avhopp

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine

    from tests.support.postgres import TestDatabase

pytestmark = pytest.mark.usefixtures("seeded")


def environment(database: TestDatabase) -> dict[str, str]:
    return {"DATABASE_URL": database.owner_url.render_as_string(hide_password=False), "AVHOPP_SECRET_KEY": SECRET}


def revisions(owner_engine: Engine) -> int:
    with owner_engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM directory_revision")).scalar_one())


def test_export_then_import_changes_nothing(database: TestDatabase, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    exported = run_avhopp("directory", "export", str(first), "--internal", env=environment(database))
    assert exported.returncode == 0, exported.stderr
    imported = run_avhopp("directory", "import", str(first), env=environment(database))
    assert imported.returncode == 0, imported.stderr
    assert "publicerade" in imported.stdout
    run_avhopp("directory", "export", str(second), "--internal", env=environment(database))
    assert read_package(second) == read_package(first)


def test_a_package_with_bad_rows_imports_nothing_and_lists_every_row(
    database: TestDatabase, owner_engine: Engine, tmp_path: Path
) -> None:
    run_avhopp("directory", "export", str(tmp_path), env=environment(database))
    services = tmp_path / "services.csv"
    with services.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    rows[0]["id"] = "inte-ett-uuid"
    rows[2]["minimum_age"] = "arton"
    with services.open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    before = revisions(owner_engine)

    result = run_avhopp("directory", "import", str(tmp_path), env=environment(database))

    assert result.returncode == 1
    assert "services.csv, rad 1, id" in result.stderr
    assert "services.csv, rad 3, minimum_age" in result.stderr
    assert "Ingenting är inläst" in result.stderr
    assert revisions(owner_engine) == before
