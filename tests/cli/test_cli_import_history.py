"""``connectory import`` keeps when each version was drafted, published and vetted.

Issue 18 saw ``created_at``, ``published_at`` and ``vetted_at`` reset to the import time; the store
keeps them since the import goes through ``catalog.files`` (tests/catalog/test_catalog_files_trust.py
``test_import_keeps_the_history``). This checks the command's path end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

from connectory.catalog import Catalog, export_catalog
from connectory.model.version import Vetting
from tests.support.samples import small_version

from .conftest import Run


def test_import_keeps_the_timestamps(run: Run, tmp_path: Path) -> None:
    with Catalog.open(f"sqlite:///{tmp_path / 'source.db'}") as source:
        source.draft(small_version(), label="1.0.0")
        source.record_vetting(
            Vetting(connector="acme", version="1.0.0", reviewer="ann", verdict="approved")
        )
        source.publish("acme", "1.0.0")
        export_catalog(source, tmp_path / "files")
        original = source.get_version("acme", "1.0.0")
        (vetting,) = source.list_vettings("acme", "1.0.0")

    imported = run("import", str(tmp_path / "files"))  # into the run's own, empty catalogue
    assert imported.returncode == 0, imported.stderr
    shown = json.loads(run("show", "acme@1.0.0", "--json").stdout)
    assert (shown["created_at"], shown["published_at"]) == (
        original.model_dump(mode="json")["created_at"],
        original.model_dump(mode="json")["published_at"],
    )
    listed = json.loads(run("vetting", "list", "acme", "--json").stdout)
    assert [v["vetted_at"] for v in listed] == [vetting.model_dump(mode="json")["vetted_at"]]
