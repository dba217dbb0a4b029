"""Benchmark: jsonschema-rs against today's validators (jsonschema, ``connectory.schemas``).

    .venv/bin/python benchmarks/validators.py

On GitHub's GraphQL version (``../shared/corpus/graphql/github``, 1,600 definitions; without the
corpus, ``tests/fixtures/graphql/shop.graphql``), in one run:

- an action's input check, cold (the registry of every definition and the validator built, as
  ``connectory invoke`` does once) and warm (the validator kept): ``runtime.checks.errors_in``
  against ``jsonschema_rs.Draft202012Validator`` with a ``jsonschema_rs.Registry`` of the same
  definitions;
- the meta-schema check of every schema of the version: ``schemas.validation.validate`` (the
  ``MetaschemaChecker``) against ``jsonschema_rs.meta.is_valid`` on each;
- the findings: the messages each gives for a few wrong inputs, side by side (Connectory's are
  jsonschema's, which the tests and users read; adopting jsonschema-rs needs them the same).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema_rs

from connectory import inspect
from connectory.model.version import definition_uri
from connectory.runtime import checks
from connectory.runtime.checks import errors_in
from connectory.schemas.validation import iter_schemas, validate

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT.parent / "shared/corpus/graphql/github/schema-15.25.0.json"
SHOP = ROOT / "tests/fixtures/graphql/shop.graphql"


def _cpu(fn: Callable[[], object], runs: int = 5) -> float:
    """The median CPU seconds of ``runs`` calls of ``fn``."""
    found = []
    for _ in range(runs):
        started = time.process_time()
        fn()
        found.append(time.process_time() - started)
    return statistics.median(found)


def _rust_registry(version: Any) -> Any:
    resources = [
        (definition_uri(d.name), d.content if d.format == "json-schema" else d.json_schema)
        for d in version.definitions
        if d.format == "json-schema" or d.json_schema is not None
    ]
    return jsonschema_rs.Registry(resources)


def main() -> None:
    source, action = (GITHUB, "repository") if GITHUB.is_file() else (SHOP, "product")
    version = inspect(str(source), protocol="graphql", connector="bench")
    schema = next(a for a in version.actions if a.name == action).input
    assert schema is not None
    wrong: list[Any] = [{}, {"owner": 5, "name": "x"}, {"owner": "o", "name": "n", "extra": 1}]
    right = {"owner": "octocat", "name": "hello-world"} if source == GITHUB else {"id": "1"}

    def ours_cold() -> object:
        checks._by_content.clear()  # the registry and the validator built again
        return errors_in(version, schema, right, root="(input)")

    def rust_cold() -> object:
        return jsonschema_rs.Draft202012Validator(
            schema, registry=_rust_registry(version), validate_formats=True
        ).is_valid(right)

    rust = jsonschema_rs.Draft202012Validator(
        schema, registry=_rust_registry(version), validate_formats=True
    )
    errors_in(version, schema, right, root="(input)")
    schemas = [s for _, s in iter_schemas(version)]
    rows = [
        ("input check, cold", _cpu(ours_cold), _cpu(rust_cold)),
        (
            "input check, warm",
            _cpu(lambda: errors_in(version, schema, right, root="(input)"), 50),
            _cpu(lambda: rust.is_valid(right), 50),
        ),
        (
            f"meta-schema check ({len(schemas)} schemas)",
            _cpu(lambda: validate(version), 3),
            _cpu(lambda: [jsonschema_rs.meta.is_valid(s) for s in schemas], 3),
        ),
    ]
    print(f"{source.name}, action {action}: median CPU milliseconds")
    print(f"{'':34}  {'today':>8}  {'jsonschema-rs':>13}  {'ratio':>6}")
    for name, ours, theirs in rows:
        print(f"{name:34}  {ours * 1e3:8.3f}  {theirs * 1e3:13.3f}  {ours / theirs:6.1f}")
    print("\nfindings for wrong inputs (today | jsonschema-rs):")
    same = True
    for value in wrong:
        today = errors_in(version, schema, value, root="(input)")
        theirs = [
            f"{'/'.join(map(str, e.instance_path)) or '(input)'}: {e.message}"
            for e in rust.iter_errors(value)
        ]
        same = same and today == theirs
        print(f"  {value!r}\n    {today}\n    {theirs}")
    print(f"\nthe same findings: {same}")


if __name__ == "__main__":
    sys.exit(main())
