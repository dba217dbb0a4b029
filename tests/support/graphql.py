"""Shared helpers of the GraphQL protocol tests: fixture schemas and documents on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, build_schema, get_introspection_query, graphql_sync

from connectory.documents.fetch import RawDocument
from connectory.model.version import ConnectorVersion
from connectory.onboarding import inspect

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graphql"
SHOP = FIXTURES / "shop.graphql"
WARTS = FIXTURES / "warts.graphql"


def shop_schema() -> GraphQLSchema:
    return build_schema(SHOP.read_text())


def introspection_of(schema: GraphQLSchema) -> dict[str, Any]:
    """What a server of ``schema`` answers to the standard introspection query (``data``)."""
    result = graphql_sync(schema, get_introspection_query(descriptions=True))
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value))
    return path


def inspect_file(path: Path, **options: Any) -> ConnectorVersion:
    return inspect(path, protocol="graphql", **options)


def raw(text: str, source: str = "schema.graphql") -> RawDocument:
    return RawDocument.from_bytes(text.encode(), source)
