"""The notebooks open the catalogue the command uses: ``make desk`` shows what ``make demo`` filled.

JupyterLab runs a notebook in its own folder (``notebooks/``); the notebooks used to open
``notebooks/catalog/connectory.db``, a new empty catalogue, instead of the checkout's.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from connectory import Catalog, inspect
from tests.cli.conftest import CONNECTORY

from .test_notebooks import EXAMPLE, outputs, run_notebook

pytestmark = pytest.mark.xdist_group("notebooks")


def test_the_notebooks_open_the_checkouts_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"  # shaped like a checkout of Connectory
    (root / "catalog").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "connectory"\n')
    monkeypatch.delenv("CONNECTORY_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # not there, if it went wrong
    with Catalog.open(f"sqlite:///{root / 'catalog' / 'connectory.db'}") as catalog:
        catalog.draft(inspect(EXAMPLE, connector="desk-check"))

    text = outputs(run_notebook("explore.ipynb", root / "notebooks"))
    assert "desk-check" in text
    assert not (root / "notebooks" / "catalog").exists()
    assert not (tmp_path / "data").exists()

    # The command, run where the notebook ran, names the same catalogue.
    assert CONNECTORY
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTORY_")}
    said = subprocess.run(
        [CONNECTORY, "info", "--json"],
        capture_output=True,
        text=True,
        cwd=root / "notebooks",
        env=env,
        timeout=300,
        check=True,
    )
    assert json.loads(said.stdout)["file"] == str(root / "catalog" / "connectory.db")
