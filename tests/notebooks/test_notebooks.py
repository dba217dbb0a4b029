"""The vetters' notebooks run top to bottom against a catalogue built from real documents.

Each notebook is executed by a real Jupyter kernel (nbclient); a failing cell fails the test. The
tests then look at what the notebooks did: the verdict recorded, the version published, the charts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from connectory import Catalog, inspect

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
EXAMPLE = ROOT / "examples" / "openapi" / "1password-connect.json"

pytestmark = pytest.mark.xdist_group("notebooks")


def run_notebook(name: str, tmp_path: Path) -> Any:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        f"{name} is saved with outputs"
    )
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    return notebook


def outputs(notebook: Any) -> str:
    """Every text and HTML output of the notebook, as one string."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            data = output.get("data", {})
            parts += [str(data.get("text/plain", "")), str(data.get("text/html", ""))]
    return "\n".join(parts)


def images(notebook: Any) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )


@pytest.fixture(params=["1.6.0"])
def catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> str:
    """op@1.5.7 published (1Password Connect), and op@1.6.0 (or the label a test asks for)
    drafted without its /metrics path: a breaking change."""
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    monkeypatch.setenv("CONNECTORY_DATABASE_URL", url)
    document = json.loads(EXAMPLE.read_text())
    del document["paths"]["/metrics"]
    document["info"]["version"] = request.param
    edited = tmp_path / "connect-edited.json"
    edited.write_text(json.dumps(document))
    with Catalog.open(url) as catalog:
        catalog.draft(inspect(EXAMPLE, connector="op"))
        catalog.publish("op", "1.5.7")
        catalog.draft(inspect(edited, connector="op"))
    return url


def _approve_and_publish(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("VET_VERDICT", "approved")
    monkeypatch.setenv("VET_REVIEWER", "ada")
    monkeypatch.setenv("VET_NOTES", "fine")
    monkeypatch.setenv("VET_PUBLISH", "1")
    return outputs(run_notebook("vetting.ipynb", tmp_path))


def test_vetting_cannot_publish_around_the_policy(
    catalogue: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notebook published a removed action under a minor label, recording no changes: it
    called the store's publish, which skipped the policy. There is one publish path now."""
    text = _approve_and_publish(monkeypatch, tmp_path)
    assert "Recorded: approved by ada" in text
    assert "Not published: op@1.6.0 has 1 breaking change since op@1.5.7" in text
    assert "op@2.0.0" in text  # the label it suggests
    with Catalog.open(catalogue) as catalog:
        assert catalog.get_version("op", "1.6.0").state == "draft"


@pytest.mark.parametrize("catalogue", ["2.0.0"], indirect=True)
def test_vetting_records_the_verdict_and_publishes(
    catalogue: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _approve_and_publish(monkeypatch, tmp_path)
    assert "op@2.0.0" in text
    assert "compared with op@1.5.7" in text
    assert "GetPrometheusMetrics" in text  # the action the draft removed, in the change report
    assert "Recorded: approved by ada" in text
    assert "Published op@2.0.0: 1 change since op@1.5.7" in text
    with Catalog.open(catalogue) as catalog:
        published = catalog.get_version("op", "2.0.0")
        assert published.state == "published"
        assert [c.kind for c in published.changes] == ["action-removed"]
        (vetting,) = catalog.list_vettings("op")
    assert (vetting.reviewer, vetting.verdict, vetting.notes) == ("ada", "approved", "fine")
    assert {check.name for check in vetting.checks} >= {"definitions-valid", "actions-complete"}


def test_vetting_without_a_verdict_changes_nothing(catalogue: str, tmp_path: Path) -> None:
    notebook = run_notebook("vetting.ipynb", tmp_path)
    assert "No verdict yet" in outputs(notebook)
    with Catalog.open(catalogue) as catalog:
        assert catalog.get_version("op", "1.6.0").state == "draft"
        assert catalog.list_vettings("op") == []


def test_explore_draws_the_catalogue(catalogue: str, tmp_path: Path) -> None:
    notebook = run_notebook("explore.ipynb", tmp_path)
    assert images(notebook) >= 2
    text = outputs(notebook)
    assert "op" in text
    assert "published" in text


def test_drift_runs_on_a_catalogue_without_graphql(catalogue: str, tmp_path: Path) -> None:
    notebook = run_notebook("drift.ipynb", tmp_path)
    assert "no changes recorded" in outputs(notebook)
