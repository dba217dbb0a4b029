"""``connectory vet`` records a verdict on what it checked, not on what the draft holds by then.

The checks take a while (``live-auth`` calls the server): a teammate who updates the draft
meanwhile must not get the new content approved. Run in-process, so that the checks can be made
to take that while.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from connectory.catalog import Catalog
from connectory.cli import app
from tests.support.samples import sha, small_version


def test_vet_refuses_a_draft_changed_while_it_was_checked(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Catalog.open(sqlite_url) as catalog:
        catalog.draft(small_version(), label="1.0.0")

    def slow_checks(version, previous):  # type: ignore[no-untyped-def]
        with Catalog.open(sqlite_url) as teammate:  # the draft changes under the vetter
            changed = version.model_copy(update={"title": "Swapped", "sha256": sha("swapped")})
            teammate.update_draft(changed)
        return []

    monkeypatch.setattr("connectory.vetting.checks.run_checks", slow_checks)
    result = CliRunner().invoke(
        app, ["--catalog", sqlite_url, "vet", "acme@1.0.0", "--verdict", "approved"]
    )
    assert result.exit_code == 1, result.output
    assert "changed while it was being reviewed" in result.output
    with Catalog.open(sqlite_url) as catalog:
        assert catalog.list_vettings("acme") == []
