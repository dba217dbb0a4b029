"""pandas views of the catalogue, for the vetters' notebooks: one DataFrame per kind of record.

Every function returns a DataFrame with stable columns, even when there are no rows, so that a
notebook cell never fails on an empty catalogue. Views of one version take the version; views of
the catalogue take a ``Catalog``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from connectory.catalog import Catalog
from connectory.model.version import Action, Change, ConnectorVersion, Definition, JsonSchema

from .summary import action_target

__all__ = [
    "actions_frame",
    "auth_methods_frame",
    "boards_frame",
    "changes_frame",
    "connectors_frame",
    "definitions_frame",
    "findings_frame",
    "versions_frame",
]


def _frame(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(columns))


def connectors_frame(catalog: Catalog) -> pd.DataFrame:
    """One row per connector: name, protocol, number of versions, latest published, default."""
    columns = [
        "name",
        "protocol",
        "title",
        "versions",
        "latest_published",
        "default_version",
        "newest",
        "vetting_status",
    ]
    rows = ({**c.model_dump(), "versions": c.version_count} for c in catalog.list_connectors())
    return _frame(rows, columns)


def versions_frame(catalog: Catalog, connector: str | None = None) -> pd.DataFrame:
    """One row per version (of ``connector``, or of every connector), without content."""
    columns = [
        "connector",
        "label",
        "state",
        "document_version",
        "created_at",
        "published_at",
        "sunset",
        "replacement",
        "action_count",
        "trigger_count",
        "definition_count",
        "finding_count",
        "sha256",
        "source",
    ]
    names = [connector] if connector else [c.name for c in catalog.list_connectors()]
    rows = (info.model_dump() for name in names for info in catalog.list_versions(name))
    return _frame(rows, columns)


def _schema_summary(schema: JsonSchema | None) -> str:
    """``{path: id*, query: per_page, body}`` style: the top-level shape of an input."""
    if not isinstance(schema, dict):
        return "" if schema is None else json.dumps(schema)
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit(":", 1)[-1]
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return str(schema.get("type", ""))
    required = set(schema.get("required", []))
    parts = []
    for name, sub in properties.items():
        inner = sub.get("properties") if isinstance(sub, dict) else None
        if isinstance(inner, dict) and name in ("path", "query", "header", "cookie"):
            needed = set(sub.get("required", []))
            fields = ", ".join(f"{n}{'*' if n in needed else ''}" for n in inner)
            parts.append(f"{name}: {fields}")
        else:
            parts.append(f"{name}{'*' if name in required else ''}")
    return "; ".join(parts)


def _auth_summary(action: Action, version: ConnectorVersion) -> str:
    alternatives = version.default_auth if action.auth is None else action.auth
    if not alternatives:
        return "none"
    return " | ".join(
        " + ".join(
            f"{name}({', '.join(scopes)})" if scopes else name for name, scopes in alt.items()
        )
        or "(optional)"
        for alt in alternatives
    )


def actions_frame(version: ConnectorVersion) -> pd.DataFrame:
    """One row per action: what it calls, a summary of its input and outputs, its auth."""
    columns = ["name", "kind", "calls", "input", "outputs", "auth", "deprecated", "tags", "title"]
    rows = (
        {
            "name": action.name,
            "kind": action.binding.kind,
            "calls": action_target(action),
            "input": _schema_summary(action.input),
            "outputs": " ".join(output.status for output in action.outputs),
            "auth": _auth_summary(action, version),
            "deprecated": action.deprecated,
            "tags": ", ".join(action.tags),
            "title": action.title,
        }
        for action in version.actions
    )
    return _frame(rows, columns)


def _definition_row(definition: Definition) -> dict[str, Any]:
    schema = definition.content if definition.format == "json-schema" else definition.json_schema
    text = json.dumps(schema) if schema is not None else ""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return {
        "name": definition.name,
        "format": definition.format,
        "type": schema.get("type") if isinstance(schema, dict) else schema,
        "properties": len(properties) if isinstance(properties, dict) else 0,
        "refs": text.count('"$ref"'),
        "size": len(text) if definition.format == "json-schema" else len(str(definition.content)),
        "description": definition.description,
    }


def definitions_frame(version: ConnectorVersion) -> pd.DataFrame:
    """One row per definition: its format, top-level type, number of properties and refs."""
    columns = ["name", "format", "type", "properties", "refs", "size", "description"]
    return _frame((_definition_row(d) for d in version.definitions), columns)


def auth_methods_frame(version: ConnectorVersion) -> pd.DataFrame:
    """One row per auth method: its name, type and the settings particular to its type."""
    columns = ["name", "type", "description", "details"]
    rows = (
        {
            "name": method.name,
            "type": method.type,
            "description": method.description,
            "details": json.dumps(
                method.model_dump(mode="json", exclude={"name", "type", "description"})
            ),
        }
        for method in version.auth_methods
    )
    return _frame(rows, columns)


def findings_frame(version: ConnectorVersion) -> pd.DataFrame:
    """One row per finding: severity, kind, location (a JSON pointer or coordinate), message."""
    columns = ["severity", "kind", "location", "message"]
    return _frame((f.model_dump() for f in version.findings), columns)


def changes_frame(changes: Sequence[Change] | ConnectorVersion) -> pd.DataFrame:
    """One row per change: level (breaking, dangerous, safe), kind, location, message."""
    if isinstance(changes, ConnectorVersion):
        changes = changes.changes
    columns = ["level", "kind", "location", "message"]
    return _frame((c.model_dump() for c in changes), columns)


def boards_frame(catalog: Catalog) -> pd.DataFrame:
    """One row per use of a connector version by a board."""
    columns = ["board", "deployed", "connector", "version", "resolved_version", "actions"]
    rows = (
        {
            "board": board.name,
            "deployed": board.deployed,
            "connector": use.connector,
            "version": use.version,
            "resolved_version": use.resolved_version,
            "actions": ", ".join(use.actions) or "(all)",
        }
        for board in catalog.list_boards()
        for use in board.uses
    )
    return _frame(rows, columns)
