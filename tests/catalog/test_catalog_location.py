"""One home for the embedded catalogue: the environment's URL, else the checkout's, else the user's.

The catalogue used to be ``./catalog/connectory.db`` relative to wherever a command ran: JupyterLab
runs the notebooks in ``notebooks/`` and opened a new empty catalogue there, and every command run
from another folder silently created another one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from connectory.catalog import Catalog, default_location, status
from tests.support.samples import small_version

ROOT = Path(__file__).resolve().parents[2]


def checkout(folder: Path, name: str = "connectory") -> Path:
    """A folder shaped like a Connectory checkout (or another project's, by ``name``)."""
    (folder / "catalog").mkdir(parents=True)
    (folder / "notebooks").mkdir()
    (folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "0"\n')
    return folder


def test_inside_a_checkout_every_folder_uses_its_catalog(tmp_path: Path) -> None:
    root = checkout(tmp_path / "repo")
    deep = root / "notebooks" / "a" / "b"
    deep.mkdir(parents=True)
    for cwd in (root, root / "notebooks", deep):
        found = default_location({}, cwd)
        assert (found.reason, found.path) == ("checkout", root / "catalog" / "connectory.db")
        assert sa.make_url(found.url).database == str(root / "catalog" / "connectory.db")
        assert str(root) in found.describe()


def test_this_repository_is_a_checkout() -> None:
    """`make demo` runs at the root, `make desk` runs the notebooks in notebooks/: one catalogue."""
    for cwd in (ROOT, ROOT / "notebooks"):
        assert default_location({}, cwd).path == ROOT / "catalog" / "connectory.db"


def test_outside_a_checkout_the_users_data_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "catalog").mkdir(parents=True)  # a catalog/ folder alone is no checkout
    found = default_location({"XDG_DATA_HOME": str(tmp_path / "data")}, elsewhere)
    assert (found.reason, found.path) == (
        "user",
        tmp_path / "data" / "connectory" / "connectory.db",
    )
    assert "data folder" in found.describe()


def test_the_users_data_folder_defaults_to_local_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".local" / "share" / "connectory" / "connectory.db"
    assert default_location({}, tmp_path).path == expected
    # The XDG specification: a relative path is invalid and ignored.
    assert default_location({"XDG_DATA_HOME": "relative/data"}, tmp_path).path == expected


@pytest.mark.parametrize(
    "pyproject",
    [
        '[project]\nname = "other"\n',  # another project's checkout
        "[project\nname = connectory",  # not TOML
        "[tool.connectory]\n",  # no project table
    ],
)
def test_another_projects_folder_is_no_checkout(tmp_path: Path, pyproject: str) -> None:
    root = checkout(tmp_path / "repo")
    (root / "pyproject.toml").write_text(pyproject)
    found = default_location({"XDG_DATA_HOME": str(tmp_path / "data")}, root / "notebooks")
    assert found.reason == "user"


def test_a_project_inside_a_checkout_is_not_taken_for_it(tmp_path: Path) -> None:
    root = checkout(tmp_path / "repo")
    inner = checkout(root / "notebooks" / "other", name="other")
    assert default_location({}, inner).path == root / "catalog" / "connectory.db"


def test_the_environment_wins(tmp_path: Path) -> None:
    root = checkout(tmp_path / "repo")
    found = default_location({"CONNECTORY_DATABASE_URL": " sqlite:///elsewhere.db "}, root)
    assert (found.url, found.reason, found.path) == ("sqlite:///elsewhere.db", "environment", None)
    assert found.describe() == "named by CONNECTORY_DATABASE_URL"
    assert default_location({"CONNECTORY_DATABASE_URL": "  "}, root).reason == "checkout"


def test_the_status_of_a_catalogue_not_created_yet_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = checkout(tmp_path / "repo")
    monkeypatch.delenv("CONNECTORY_DATABASE_URL", raising=False)
    monkeypatch.chdir(root / "notebooks")
    found = status()
    assert (found.reason, found.exists, found.revision, found.connectors) == (
        "checkout",
        False,
        None,
        None,
    )
    assert found.file == root / "catalog" / "connectory.db"
    assert list((root / "catalog").iterdir()) == []

    with Catalog.open() as catalog:
        catalog.draft(small_version())
    found = status()
    assert found.current
    assert (found.database, found.connectors, found.versions) == ("SQLite", 1, 1)


def test_the_status_of_a_catalogue_at_an_older_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    Catalog.open(url, migrate=False).close()  # an empty database, no schema yet
    (tmp_path / "old.db").touch()
    found = status(url, why="named by a test")
    assert (found.exists, found.revision, found.current, found.why) == (
        True,
        None,
        False,
        "named by a test",
    )
    assert found.connectors is None
