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


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT / "src").parts)
        for init in (ROOT / "src").rglob("__init__.py")
    } | {"connectory_flows"}
    assert found == listed
