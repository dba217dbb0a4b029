"""Helpers for the OpenAPI tests: fixture documents, the shared corpus, a generate wrapper."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from connectory.model.version import ConnectorVersion, JsonSchema
from connectory.protocols.openapi.generate import build_version as generate
from tests.conftest import corpus_absent

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "openapi"
CORPUS = Path(
    os.environ.get("CONNECTORY_CORPUS", Path(__file__).resolve().parents[3] / "shared" / "corpus")
)
OPENAPI_CORPUS = CORPUS / "openapi"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SHA256 = "0" * 64
FETCHED_AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def load(path: Path) -> Any:
    """A JSON or YAML document."""
    if path.suffix == ".json":
        return json.loads(path.read_bytes())
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def fixture(name: str) -> Any:
    return load(FIXTURES / name)


def corpus_document(relative: str) -> Any:
    path = OPENAPI_CORPUS / relative
    if not path.is_file():
        corpus_absent(path)
    return load(path)


def generate_version(document: Mapping[str, Any], source: str = "test") -> ConnectorVersion:
    return generate(document, connector="test", source=source, sha256=SHA256, fetched_at=FETCHED_AT)


def schemas_of(version: ConnectorVersion) -> Iterator[tuple[str, JsonSchema]]:
    """Every JSON Schema of a version, each named by where it is, once per object."""
    seen: set[int] = set()

    def once(where: str, schema: JsonSchema | None) -> Iterator[tuple[str, JsonSchema]]:
        if schema is not None and id(schema) not in seen:
            seen.add(id(schema))
            yield where, schema

    for definition in version.definitions:
        yield from once(f"definition {definition.name}", definition.content)  # type: ignore[arg-type]
    for action in version.actions:
        yield from once(f"action {action.name} input", action.input)
        for output in action.outputs:
            yield from once(f"action {action.name} output {output.status}", output.schema_)
            for header, schema in output.headers.items():
                yield from once(f"action {action.name} output {output.status} {header}", schema)
    for trigger in version.triggers:
        yield from once(f"trigger {trigger.name}", trigger.payload)


def check_schemas(version: ConnectorVersion) -> int:
    """Check every schema of ``version`` against the 2020-12 meta-schema; the number checked."""
    count = 0
    for where, schema in schemas_of(version):
        try:
            Draft202012Validator.check_schema(schema)
        except Exception as error:  # pragma: no cover - the message is the point
            raise AssertionError(f"{where}: {error}") from error
        count += 1
    return count


def count_operations(document: Mapping[str, Any]) -> int:
    """Operations under ``paths``, following path item ``$ref``s by hand (independently of the code)."""
    count = 0
    for item in (document.get("paths") or {}).values():
        ref = item.get("$ref") if isinstance(item, dict) else None
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = document
            for token in ref[2:].split("/"):
                target = target[token.replace("~1", "/").replace("~0", "~")]
            item = {**target, **{k: v for k, v in item.items() if k != "$ref"}}
        count += sum(1 for method in METHODS if isinstance(item.get(method), dict))
    return count


def findings_of(version: ConnectorVersion, kind: str) -> dict[str, str]:
    """``{location: message}`` of the findings of one kind."""
    return {f.location: f.message for f in version.findings if f.kind == kind}
