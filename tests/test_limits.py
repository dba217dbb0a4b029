"""``max_operations`` and ``max_types``: a document with more is refused, naming the limit, the
count and the variable that raises it; one within them is onboarded. Small limits on small
documents (the cost of huge ones is ``benchmarks/huge.py``'s business)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from connectory.errors import DocumentError
from connectory.onboarding import inspect
from connectory.settings import Settings
from tests.support.soap import CALCULATOR


def _openapi(tmp_path: Path, operations: int, *, webhooks: int = 0) -> Path:
    ok = {"200": {"description": "ok"}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {f"/items{i}": {"get": {"responses": ok}} for i in range(operations)},
        "webhooks": {f"hook{i}": {"post": {"responses": ok}} for i in range(webhooks)},
    }
    path = tmp_path / "api.json"
    path.write_text(json.dumps(document))
    return path


def _introspection(tmp_path: Path, types: int, roots: int) -> Path:
    def field(name: str, type_name: str, kind: str) -> dict[str, object]:
        return {"name": name, "args": [], "type": {"kind": kind, "name": type_name}}

    listed: list[dict[str, object]] = [{"kind": "SCALAR", "name": "String"}]
    for i in range(types):
        listed.append(
            {
                "kind": "OBJECT",
                "name": f"T{i}",
                "fields": [field("s", "String", "SCALAR")],
                "interfaces": [],
            }
        )
    query = [field(f"q{i}", "String", "SCALAR") for i in range(roots)]
    listed.append({"kind": "OBJECT", "name": "Query", "fields": query, "interfaces": []})
    path = tmp_path / "schema.json"
    path.write_text(
        json.dumps({"data": {"__schema": {"queryType": {"name": "Query"}, "types": listed}}})
    )
    return path


def _sdl(tmp_path: Path, types: int, roots: int) -> Path:
    lines = [f"type T{i} {{ s: String }}" for i in range(types)]
    lines.append("type Query { " + " ".join(f"q{i}: String" for i in range(roots)) + " }")
    path = tmp_path / "schema.graphql"
    path.write_text("\n".join(lines))
    return path


def _refused(source: Path, settings: Settings, *, protocol: str | None = None) -> str:
    with pytest.raises(DocumentError) as refused:
        inspect(source, protocol=protocol, settings=settings)
    return str(refused.value)


def test_openapi_operations_over_the_limit_are_refused_naming_it(tmp_path: Path) -> None:
    source = _openapi(tmp_path, 3)
    message = _refused(source, Settings(max_operations=2))
    assert "more than 2 operations (CONNECTORY_MAX_OPERATIONS, 3 counted so far)" in message
    assert message.startswith("/paths/~1items2/get: ")  # where the count passed the limit
    assert len(inspect(source, settings=Settings(max_operations=3)).actions) == 3


def test_openapi_webhooks_count_with_the_operations(tmp_path: Path) -> None:
    source = _openapi(tmp_path, 2, webhooks=1)
    assert "/webhooks/hook0/post" in _refused(source, Settings(max_operations=2))
    assert len(inspect(source, settings=Settings(max_operations=3)).triggers) == 1


def test_the_limit_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONNECTORY_MAX_OPERATIONS", "2")
    with pytest.raises(DocumentError, match="CONNECTORY_MAX_OPERATIONS"):
        inspect(_openapi(tmp_path, 3))  # no settings given: Settings.from_env()


def test_graphql_introspection_types_over_the_limit_are_refused(tmp_path: Path) -> None:
    source = _introspection(tmp_path, types=5, roots=1)  # and String, Query: 7 types
    message = _refused(source, Settings(max_types=6))
    assert "the document has 7 types, more than the 6 allowed (CONNECTORY_MAX_TYPES)" in message
    assert message.startswith(f"{source}#/data/__schema/types: ")
    version = inspect(source, settings=Settings(max_types=7))
    assert len(version.definitions) == 6  # not String: a built-in scalar


def test_graphql_root_fields_count_as_operations(tmp_path: Path) -> None:
    source = _introspection(tmp_path, types=1, roots=4)
    message = _refused(source, Settings(max_operations=3))
    assert (
        "4 operations (root fields), more than the 3 allowed (CONNECTORY_MAX_OPERATIONS)" in message
    )
    assert len(inspect(source, settings=Settings(max_operations=4)).actions) == 4


def test_graphql_sdl_counts_types_and_root_fields(tmp_path: Path) -> None:
    source = _sdl(tmp_path, types=3, roots=2)  # T0, T1, T2 and Query
    assert "4 types, more than the 3 allowed" in _refused(source, Settings(max_types=3))
    assert "2 operations (root fields)" in _refused(source, Settings(max_operations=1))
    version = inspect(source, settings=Settings(max_types=4, max_operations=2))
    assert len(version.actions) == 2


def test_wsdl_operations_and_types_over_the_limits_are_refused() -> None:
    message = _refused(CALCULATOR, Settings(max_operations=3))
    assert "more than 3 operations (CONNECTORY_MAX_OPERATIONS, 4 counted so far)" in message
    message = _refused(CALCULATOR, Settings(max_types=7))
    assert "more than 7 types (global XSD types and elements) (CONNECTORY_MAX_TYPES" in message
    version = inspect(CALCULATOR, settings=Settings(max_operations=4, max_types=8))
    assert {action.name.split(".")[-1] for action in version.actions} == {
        "Add",
        "Subtract",
        "Multiply",
        "Divide",
    }


def test_the_defaults_are_far_above_real_documents() -> None:
    defaults = Settings()
    assert defaults.max_operations >= 10 * 1_223  # GitHub's REST description
    assert defaults.max_types >= 10 * 2_242  # Workday's Human Resources WSDL
    assert dataclasses.replace(defaults, max_types=1).max_types == 1
