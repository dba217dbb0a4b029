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
    lazy = {"invoke"}  # imported on first use (the module's __getattr__)
    assert public - modules - {"annotations"} | lazy == set(connectory.__all__)


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


# The layers of the core, lowest first: a module imports only from its own layer or those below
# (imports under ``if TYPE_CHECKING`` aside). ``connectory.protocols`` itself (the contract and
# the lookup) sits below ``changes``; the protocol packages, which build their part of a diff on
# ``changes``, above it.
LAYERS = (
    ("errors", "settings", "redaction", "origins", "_gcpause", "_nesting", "_patterns", "_wording"),
    ("model",),
    ("documents",),
    ("schemas",),
    ("protocols.__init__", "protocols.contract", "protocols.naming"),
    ("changes",),
    ("protocols",),
    ("catalog",),
    ("render", "vetting", "runtime"),
    ("onboarding",),
    ("api", "cli", "__init__"),
)
# Jupyter's display protocol looks ``_repr_html_`` up on the object: the model names its renderer,
# imported when a notebook first shows a version.
ALLOWED_UPWARD = {("connectory.model.version", "connectory.render.html")}


def _layer_of(module: str) -> int:
    """The index in ``LAYERS`` of the longest prefix naming ``module``."""
    name = module.removeprefix("connectory.")
    matches = [
        (len(prefix), index)
        for index, group in enumerate(LAYERS)
        for prefix in group
        if name == prefix or name.startswith(prefix + ".")
    ]
    assert matches, f"{module} is in no layer"
    return max(matches)[1]


def _imports(path: Path, module: str) -> list[tuple[str, int]]:
    """``(imported module, line)`` for every import of Connectory's that runs."""
    tree = ast.parse(path.read_text())
    only_typing = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    package = (
        module.removesuffix(".__init__")
        if path.name == "__init__.py"
        else module.rpartition(".")[0]
    )
    found = []
    for node in ast.walk(tree):
        if id(node) in only_typing:
            continue
        if isinstance(node, ast.ImportFrom):
            parts = package.split(".")[: len(package.split(".")) - max(node.level - 1, 0)]
            if node.level:
                base = ".".join([*parts, node.module] if node.module else parts)
            else:
                base = node.module or ""
            for alias in node.names:
                child = f"{base}.{alias.name}"
                is_module = (ROOT / "src" / Path(*child.split("."))).with_suffix(".py").exists()
                is_package = (ROOT / "src" / Path(*child.split("."))).is_dir()
                target = child if is_module or is_package else base
                if (ROOT / "src" / Path(*target.split("."))).is_dir():
                    target += ".__init__"
                found.append((target, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return [(name, line) for name, line in found if name.startswith("connectory.")]


def test_every_module_imports_only_from_its_layer_or_below() -> None:
    source = ROOT / "src" / "connectory"
    upward = []
    checked = 0
    for path in sorted(source.rglob("*.py")):
        parts = path.relative_to(ROOT / "src").with_suffix("").parts
        module = ".".join(parts)
        if ".migrations." in f"{module}.":
            continue
        checked += 1
        for target, line in _imports(path, module):
            if target.endswith(".__init__") and target.count(".") == 1:
                continue  # ``from connectory import x``: outer layers only (checked below)
            if _layer_of(target) > _layer_of(module) and (module, target) not in ALLOWED_UPWARD:
                upward.append(f"{path.relative_to(ROOT)}:{line}: {module} imports {target}")
    assert checked > 150
    assert upward == []
