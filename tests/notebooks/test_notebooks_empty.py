"""A vetter who opens the desk on an empty catalogue is told so in one line, not a traceback: the
notebooks say which catalogue they read and why, and a Connectory error in a notebook shows as
the CLI prints it (``ConnectoryError._render_traceback_``)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from connectory import Catalog

from .test_notebooks import NOTEBOOKS, outputs, run_notebook

pytestmark = pytest.mark.xdist_group("notebooks")


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("CONNECTORY_DATABASE_URL", url)
    Catalog.open(url).close()
    return url


def test_explore_says_which_catalogue_and_that_it_is_empty(empty: str, tmp_path: Path) -> None:
    text = outputs(run_notebook("explore.ipynb", tmp_path))
    assert f"The catalogue: {empty} (named by CONNECTORY_DATABASE_URL)" in text
    assert "It holds no connector yet: make demo (or connectory onboard) adds one." in text


def test_vetting_with_nothing_to_review_says_so_in_one_line(empty: str, tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOKS / "vetting.ipynb", as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    with pytest.raises(CellExecutionError):
        client.execute()  # Run All stops at the cell that found nothing to review
    (error,) = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output["output_type"] == "error"
    ]
    assert error["ename"] == "ConnectoryError"
    assert error["traceback"] == [
        "\x1b[31mConnectoryError\x1b[0m: no draft is waiting for review "
        "(connectory onboard drafts one)"
    ]
    assert f"The catalogue: {empty} (named by CONNECTORY_DATABASE_URL)" in outputs(notebook)
