"""The package's surface and layering."""

from __future__ import annotations

import ast
import pkgutil
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


OUTER_LAYERS = ("prefect", "typer", "fastapi", "starlette", "uvicorn")
OUTER_PACKAGES = ("connectory.api", "connectory.cli")


def _core_modules() -> list[str]:
    """Every module of the core library: the package, less the API and the command."""
    found = []
    for info in pkgutil.walk_packages(connectory.__path__, "connectory."):
        if info.name.startswith(OUTER_PACKAGES) or ".migrations." in f"{info.name}.":
            continue
        found.append(info.name)
    return sorted(found)


def _outer_layers_imported(*modules: str) -> list[str]:
    code = (
        f"import sys; import {', '.join(modules)}; "
        f"print(sorted(m for m in {OUTER_LAYERS!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip())  # type: ignore[no-any-return]


def test_the_core_library_does_not_import_the_outer_layers() -> None:
    """Every module of the core at once, in a fresh process: none pulls in an outer layer's
    framework (when one does, each is imported alone to name the culprit)."""
    modules = _core_modules()
    assert len(modules) > 100  # the walk found the package
    imported = _outer_layers_imported(*modules)
    culprits = [m for m in modules if imported and _outer_layers_imported(m)]
    assert (imported, culprits) == ([], [])


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
