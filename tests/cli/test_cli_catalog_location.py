"""Which catalogue the command uses, wherever it runs, and ``connectory info`` saying so; the global
options ``--catalog`` and ``--debug`` before or after the command's name.

Before: the catalogue was ``./catalog/connectory.db`` under the working folder, so a command run
from another folder silently made a new empty one; ``connectory list --catalog URL`` was refused.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from connectory.catalog import Catalog, export_catalog
from tests.support.samples import small_version

from .conftest import CONNECTORY, Run


def _published(url: str, connector: str = "acme") -> None:
    with Catalog.open(url) as catalog:
        catalog.draft(small_version(connector), label="1.0.0")
        catalog.publish(connector, "1.0.0")


def _run_in(cwd: Path, home: Path, *args: str, **more: str) -> subprocess.CompletedProcess[str]:
    """The console script in ``cwd``, for a user whose home is ``home``; no catalogue named."""
    assert CONNECTORY
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CONNECTORY_") and k not in ("PREFECT_API_URL", "XDG_DATA_HOME")
    }
    env |= {"HOME": str(home), "COLUMNS": "200", **more}
    env["CONNECTORY_SECRETS_FILE"] = str(home / "secrets.json")
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [CONNECTORY, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )


def _names(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    return [c["name"] for c in json.loads(result.stdout)]


def test_commands_run_from_other_folders_share_the_users_catalogue(tmp_path: Path) -> None:
    home = tmp_path / "home"
    files = tmp_path / "files"
    _published(f"sqlite:///{tmp_path / 'source.db'}")
    with Catalog.open(f"sqlite:///{tmp_path / 'source.db'}") as source:
        export_catalog(source, files)

    imported = _run_in(tmp_path / "a", home, "import", str(files))
    assert imported.returncode == 0, imported.stderr
    assert _names(_run_in(tmp_path / "b" / "c", home, "list", "--json")) == ["acme"]
    assert (home / ".local" / "share" / "connectory" / "connectory.db").is_file()
    assert not (tmp_path / "a" / "catalog").exists()
    assert not (tmp_path / "b" / "c" / "catalog").exists()

    data = tmp_path / "data"  # XDG_DATA_HOME moves it
    moved = _run_in(tmp_path / "a", home, "info", "--json", XDG_DATA_HOME=str(data))
    assert json.loads(moved.stdout)["file"] == str(data / "connectory" / "connectory.db")


def test_inside_a_checkout_commands_use_its_catalogue(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "catalog").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "connectory"\n')
    _published(f"sqlite:///{root / 'catalog' / 'connectory.db'}", "in-checkout")
    home = tmp_path / "home"
    assert _names(_run_in(root / "notebooks", home, "list", "--json")) == ["in-checkout"]

    info = _run_in(root / "notebooks", home, "info")
    assert info.returncode == 0, info.stderr
    lines = info.stdout.splitlines()
    assert f"Catalogue   sqlite+pysqlite:///{root}/catalog/connectory.db" in lines
    assert f"Why         the Connectory checkout at {root}" in lines
    assert "Database    SQLite" in lines
    assert "Holds       1 connector, 1 version" in lines
    assert any(line.startswith("Schema      revision ") for line in lines)

    other = f"sqlite:///{tmp_path / 'other.db'}"
    _published(other, "from-env")
    named = _run_in(root, home, "list", "--json", CONNECTORY_DATABASE_URL=other)
    assert _names(named) == ["from-env"]  # the environment wins over the checkout
    said = json.loads(_run_in(root, home, "info", "--json", CONNECTORY_DATABASE_URL=other).stdout)
    assert (said["reason"], said["why"]) == ("environment", "named by CONNECTORY_DATABASE_URL")


def test_info_of_a_catalogue_not_created_yet(tmp_path: Path) -> None:
    home = tmp_path / "home"
    info = _run_in(tmp_path / "a", home, "info")
    assert info.returncode == 0, info.stderr
    assert "Schema      none yet: the first command that opens the catalogue creates it" in (
        info.stdout
    )
    assert "Why         the user's data folder" in info.stdout
    assert not (home / ".local" / "share" / "connectory").exists()  # info created nothing


def test_info_never_shows_a_password(run: Run) -> None:
    url = "postgresql+psycopg://ann:s3cret-pw@127.0.0.1:1/catalog?password=s3cret-pw"
    result = run("info", "--catalog", url)
    assert result.returncode == 1
    assert "cannot be reached" in result.stderr
    assert "s3cret" not in result.stdout + result.stderr
    assert "ann:***@127.0.0.1:1" in result.stderr


def test_a_catalogue_file_under_a_regular_file_is_named_not_a_traceback(
    run: Run, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("not a folder")
    result = run("list", "--catalog", f"sqlite:///{tmp_path / 'notes.txt' / 'x.db'}")
    assert result.returncode == 1
    assert "internal error" not in result.stderr
    assert f"{tmp_path / 'notes.txt'}: cannot hold the catalogue file: a file, not a folder" in (
        result.stderr
    )


@pytest.mark.parametrize(
    "args",
    [
        ("--catalog", "{url}", "list", "--json"),
        ("list", "--catalog", "{url}", "--json"),
        ("list", "--json", "--catalog={url}"),
        ("--catalog", "sqlite:///{tmp}/not-this.db", "list", "--json", "--catalog", "{url}"),
    ],
)
def test_catalog_before_or_after_the_command(run: Run, tmp_path: Path, args: tuple[str]) -> None:
    url = f"sqlite:///{tmp_path / 'named.db'}"
    _published(url, "named")
    result = run(*(a.format(url=url, tmp=tmp_path) for a in args))
    assert _names(result) == ["named"]


def test_catalog_after_a_subcommand_of_a_group(run: Run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'named.db'}"
    _published(url, "named")
    created = run("board", "create", "ops", "--uses", "named@1.0.0", "--catalog", url)
    assert created.returncode == 0, created.stderr
    listed = run("board", "list", "--json", "--catalog", url)
    assert listed.returncode == 0, listed.stderr
    assert [b["name"] for b in json.loads(listed.stdout)] == ["ops"]


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_before_or_after_the_command(run: Run, where: str) -> None:
    args = ["show", "nowhere"]
    result = run(*(["--debug", *args] if where == "before" else [*args, "--debug"]))
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "NotFound: no connector 'nowhere'" in result.stderr

    plain = run(*args)
    assert (plain.returncode, plain.stderr.strip()) == (2, "error: no connector 'nowhere'")
