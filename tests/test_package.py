"""The package's surface and layering."""

from __future__ import annotations

import ast
import os
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


HEAVY = (
    "alembic",
    "fastapi",
    "graphql",
    "httpx",
    "jsonschema",
    "lark",
    "lxml",
    "pandas",
    "prefect",
    "pydantic",
    "rfc3987_syntax",
    "rich",
    "sqlalchemy",
    "typer",
    "yaml",
)
"""What some paths need and others never: each is imported on first use (PEP 562 in the packages'
``__init__``, function-level imports), and ``import connectory`` loads none of them."""


def _heavy_imported(code: str, env: dict[str, str] | None = None) -> list[str]:
    """The packages of ``HEAVY`` that a fresh process running ``code`` has imported."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {HEAVY!r} if sys.modules.get(m)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def _command(*argv: str) -> str:
    """Code that runs the console script with ``argv`` (its output above the probe's)."""
    return (
        f"import sys, connectory_cli; sys.argv = ['connectory', *{list(argv)!r}]\n"
        "try:\n    connectory_cli.main()\nexcept SystemExit as stop:\n"
        "    assert not stop.code, stop.code"
    )


def test_importing_the_library_loads_none_of_its_heavy_dependencies() -> None:
    """Not jsonschema either (it builds rfc3987_syntax's grammar, seconds, where the notebooks'
    dependencies installed it): the library never blocks what a notebook installed, it just does
    not load it before a schema is checked."""
    assert _heavy_imported("import connectory") == []
    diffing = _heavy_imported("import connectory.schemas.pointer, connectory.changes.report")
    assert "jsonschema" not in diffing


def test_the_command_loads_only_what_it_uses(tmp_path: Path) -> None:
    """``--help`` loads typer, rich and the model, nothing else of ``HEAVY``; ``list``
    of a catalogue at the newest revision, no Alembic (nothing to migrate) and no jsonschema.
    The console script marks rfc3987_syntax absent for its own process, whatever it imports."""
    from connectory.catalog import Catalog

    url = f"sqlite:///{tmp_path / 'connectory.db'}"
    Catalog.open(url).close()
    env = {**os.environ, "CONNECTORY_DATABASE_URL": url}
    never = {"alembic", "fastapi", "jsonschema", "lark", "pandas", "prefect", "rfc3987_syntax"}
    helped = _heavy_imported(_command("--help"), env)
    assert set(helped) <= {"pydantic", "rich", "typer"}, helped
    listed = _heavy_imported(_command("list"), env)
    assert "sqlalchemy" in listed
    assert not (never | {"httpx"}) & set(listed), listed
    checked = _heavy_imported(_command("--help") + "\nimport jsonschema", env)
    assert "jsonschema" in checked
    assert "rfc3987_syntax" not in checked


def test_a_core_command_loads_no_module_it_cannot_use(tmp_path: Path) -> None:
    """``list``, ``show`` and ``invoke`` run no flow: jsonschema loads none of the modules of
    formats Connectory does not check (``duration``: isoduration), httpcore no HTTP/2; httpx never
    its own command line client (click, pygments). A command that may run a flow (``--help``
    here) keeps jsonschema's formats as installed, for Prefect's checks. Nothing imports the
    modules of the auth kinds a call does not use."""
    from jsonschema import Draft202012Validator

    from connectory.catalog import Catalog

    url = f"sqlite:///{tmp_path / 'connectory.db'}"
    Catalog.open(url).close()  # at the newest revision: no Alembic (nor mako's pygments)
    env = {**os.environ, "CONNECTORY_DATABASE_URL": url}
    probe = (
        "\nimport sys, httpx, connectory.runtime\nfrom jsonschema import Draft202012Validator"
        "\nprint(sorted(Draft202012Validator.FORMAT_CHECKER.checkers), sorted(m for m, v in sys.modules.items() if v))"
    )
    unused = {"click", "pygments", "lxml", "oauthlib", "jmespath", "regex"}
    formats, listed = _loaded(_command("--catalog", url, "list") + probe, env)
    assert not (unused | {"h2", "isoduration", "webcolors", "fqdn"}) & listed
    assert not {"duration", "hostname"} & formats
    assert {"date-time", "email", "ipv4", "ipv6", "regex", "uuid"} <= formats
    formats, helped = _loaded(_command("--help") + probe, env)
    assert not unused & helped
    installed = set(Draft202012Validator.FORMAT_CHECKER.checkers)  # as this machine has them
    assert {"duration", "hostname"} & formats == {"duration", "hostname"} & installed


def _loaded(code: str, env: dict[str, str]) -> tuple[set[str], set[str]]:
    """The formats jsonschema checks and the modules loaded, in a fresh process running ``code``."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    formats, modules = result.stdout.splitlines()[-1].split("] [")
    return set(ast.literal_eval(formats + "]")), set(ast.literal_eval("[" + modules))


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
    (
        "errors",
        "settings",
        "redaction",
        "origins",
        "_gcpause",
        "_lazy",
        "_nesting",
        "_patterns",
        "_wording",
    ),
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
