"""The package's surface and layering."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import connectory

ROOT = Path(__file__).resolve().parents[1]


def test_exported_members_exist_and_are_sorted() -> None:
    assert connectory.__all__ == sorted(connectory.__all__)
    for name in connectory.__all__:
        assert getattr(connectory, name) is not None, name
    public = {n for n in vars(connectory) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(connectory, n)).__name__ == "module"}
    assert public - modules - {"annotations"} == set(connectory.__all__)


def test_the_core_library_does_not_import_the_outer_layers() -> None:
    code = (
        "import sys, connectory, connectory.catalog, connectory.onboarding; "
        "print(sorted(m for m in ('prefect', 'typer', 'fastapi') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_command_does_not_import_what_it_never_uses() -> None:
    """The console script's process skips rfc3987_syntax (1.8 s to import), which jsonschema
    would import when JupyterLab's dependencies installed it; the library itself does not."""
    imported = (
        "import sys; {}; "
        "print(sys.modules.get('rfc3987_syntax') is not None, 'jsonschema' in sys.modules)"
    )
    command = imported.format(
        "import connectory_cli; sys.argv = ['connectory', '--help']\n"
        "try:\n connectory_cli.main()\nexcept SystemExit:\n pass"
    )
    result = subprocess.run(
        [sys.executable, "-c", command], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "False True"
    library = subprocess.run(
        [sys.executable, "-c", imported.format("import connectory")],
        capture_output=True,
        text=True,
        check=True,
    )
    try:
        import rfc3987_syntax  # noqa: F401
    except ImportError:
        return  # not installed here: nothing more to tell apart
    assert library.stdout.strip() == "True True"


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT / "src").parts)
        for init in (ROOT / "src").rglob("__init__.py")
    } | {"connectory_flows"}
    assert found == listed
