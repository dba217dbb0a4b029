"""``connectory export`` and ``connectory import`` through the installed console script."""

from __future__ import annotations

import json
from pathlib import Path

from connectory import inspect
from connectory.catalog import Catalog

from .conftest import Run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"


def test_export_then_import_into_another_catalogue(
    run: Run, sqlite_url: str, tmp_path: Path
) -> None:
    with Catalog.open(sqlite_url) as catalog:
        drafted = catalog.draft(inspect(EXAMPLE, connector="onepassword-connect"))
        catalog.publish("onepassword-connect", drafted.version.version or "")
    exported = run("export", "--json")  # to catalog/ in the working directory
    assert exported.returncode == 0, exported.stderr
    written = json.loads(exported.stdout)["written"]
    assert sorted(Path(p).name for p in written) == ["1.5.7.json", "connector.json"]
    assert (tmp_path / "catalog" / "onepassword-connect" / "1.5.7.json").is_file()
    again = run("export")
    assert "0 files written, 2 already up to date." in again.stdout

    other = f"sqlite:///{tmp_path / 'other.db'}"
    imported = run("--catalog", other, "import")
    assert imported.returncode == 0, imported.stderr
    assert "published onepassword-connect@1.5.7" in imported.stdout
    assert "1 version imported, 0 already in the store." in imported.stdout
    shown = run("--catalog", other, "show", "onepassword-connect@1.5.7", "--json")
    assert json.loads(shown.stdout)["state"] == "published"

    (tmp_path / "catalog" / "onepassword-connect" / "1.5.7.json").write_text("{")
    broken = run("--catalog", other, "import")
    assert broken.returncode == 2
    assert "1.5.7.json:1:2: not valid JSON" in broken.stderr
