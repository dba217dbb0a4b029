"""The canonical SDL is byte for byte its definition: the sorted schema as introspection sees it,
rebuilt and put through ``print_schema`` (stored ``schema_sha256`` values depend on it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSchema, build_client_schema, build_schema, print_schema
from graphql.utilities.lexicographic_sort_schema import sort_by_name, sort_obj_map
from graphql.utilities.map_schema_config import SchemaElementKind, map_schema_config

from connectory.documents.fetch import fetch
from connectory.documents.parse import parse
from connectory.protocols.graphql._canonical import canonical_sdl
from connectory.protocols.graphql.parse import load_introspection, load_sdl
from tests.conftest import CORPUS
from tests.support.graphql import introspection_of


def _sorted_as_introspection_sees(_context: Any) -> Any:
    fields = {
        "interfaces": lambda config: lambda: sort_by_name(config["interfaces"]()),
        "fields": lambda config: lambda: sort_obj_map(config["fields"]()),
    }
    return {
        SchemaElementKind.SCHEMA: lambda config: {
            **config,
            "description": None,
            "types": sort_by_name(config["types"]),
            "directives": sort_by_name(config["directives"]),
        },
        SchemaElementKind.SCALAR: lambda config: {**config, "specified_by_url": None},
        SchemaElementKind.OBJECT: lambda config: {
            **config,
            **{key: make(config) for key, make in fields.items()},
        },
        SchemaElementKind.INTERFACE: lambda config: {
            **config,
            **{key: make(config) for key, make in fields.items()},
        },
        SchemaElementKind.FIELD: lambda config, *_: {
            **config,
            "args": sort_obj_map(config["args"]),
        },
        SchemaElementKind.ARGUMENT: lambda config, *_: {**config, "deprecation_reason": None},
        SchemaElementKind.UNION: lambda config: {
            **config,
            "types": lambda: sort_by_name(config["types"]()),
        },
        SchemaElementKind.ENUM: lambda config: {
            **config,
            "values": lambda: sort_obj_map(config["values"]()),
        },
        SchemaElementKind.INPUT_OBJECT: lambda config: {
            **config,
            "is_one_of": False,
            "fields": lambda: sort_obj_map(config["fields"]()),
        },
        SchemaElementKind.INPUT_FIELD: lambda config, *_: {**config, "deprecation_reason": None},
        SchemaElementKind.DIRECTIVE: lambda config: {
            **config,
            "is_repeatable": False,
            "locations": sorted(config["locations"], key=lambda location: location.name),
            "args": sort_obj_map(config["args"]),
        },
    }


def definition(schema: GraphQLSchema) -> str:
    """The canonical SDL by its definition (slow: it rebuilds the schema)."""
    seen = map_schema_config(schema.to_kwargs(), _sorted_as_introspection_sees)
    return print_schema(GraphQLSchema(**seen))


EVERY_RULE = '''
"""A schema description, which introspection does not show."""
schema { query: Root mutation: Change }

"""
Repeatable, with locations out of order
and a description on two lines.
"""
directive @cache(
  "seconds"
  ttl: Int = 60 @deprecated(reason: "use maxAge")
  scope: Scope = PRIVATE
) repeatable on OBJECT | FIELD_DEFINITION | ARGUMENT_DEFINITION

directive @tag(name: String!) on FIELD_DEFINITION | ENUM_VALUE

scalar DateTime @specifiedBy(url: "https://tools.ietf.org/html/rfc3339")

"  starts with spaces"
scalar Padded

"ends with a quote \\""
scalar Quoted

"ends with a backslash \\\\"
scalar Slashed

"has a control character \\u0007 in it"
scalar Bell

"has a carriage return\\r\\nin it"
scalar Windows

"\\nstarts with a newline"
scalar Leading

"ends with a blank line\\n\\n"
scalar Trailing

"  every line\\n  is indented"
scalar Indented

"contains \\"\\"\\" three quotes"
scalar Triple

"""A line that is longer than seventy characters, so that it goes on lines of its own."""
scalar Long

"""Ünïcödé, emoji 🚀 and tabs	inside."""
scalar Unicode

""""""
scalar Empty

enum Scope { PUBLIC PRIVATE "in between" INTERNAL @deprecated ARCHIVED @deprecated(reason: "gone") }

interface Node { id: ID! }
interface Named implements Node { id: ID! name: String }

type Root {
  item10: Item
  item2: Item
  item1(id: ID!, b: Int = 2, a: [String!] = ["x", "y"], filter: Filter = {when: "now", scope: PUBLIC}): Item
  search(
    "what to look for"
    term: String!
    limit: Int = 10
    old: Boolean @deprecated
  ): [Result!]! @deprecated(reason: "Use `find`.")
  find(term: String!): [Result!]!
}

type Change { save(input: Filter!, pick: Choice): Item }

type Item implements Node & Named @cache(ttl: 5) {
  "the name"
  name: String
  id: ID!
  created: DateTime
  "Multi-line\\ndescription\\n  with indent"
  notes: String
}

type Person implements Named & Node { name: String id: ID! }

union Result = Person | Item

input Choice @oneOf { byId: ID byName: String }

input Filter {
  when: String
  scope: Scope = PUBLIC
  legacy: Int @deprecated(reason: "no")
  "why"
  reason: String
}

type Query { unrelated: Int }
'''


def test_every_rule_prints_as_defined() -> None:
    schema = build_schema(EVERY_RULE)
    printed = canonical_sdl(schema)
    assert printed == definition(schema)
    # what makes the rules bite is in there
    assert "schema {\n  query: Root\n  mutation: Change\n}" in printed
    assert "@specifiedBy" not in printed
    assert "repeatable" not in printed
    assert "@oneOf" not in printed
    assert "legacy: Int\n" in printed
    assert "on ARGUMENT_DEFINITION | FIELD_DEFINITION | OBJECT" in printed
    assert printed.index("item1(") < printed.index("item2:") < printed.index("item10:")
    assert '"has a control character \\u0007 in it"' in printed


def test_a_schema_built_from_introspection_prints_as_defined() -> None:
    client = build_client_schema(introspection_of(build_schema(EVERY_RULE)))  # type: ignore[arg-type]
    printed = canonical_sdl(client)
    assert printed == definition(client)
    assert "type Item implements Named & Node" in printed


def test_default_root_names_print_no_schema_definition() -> None:
    schema = build_schema("type Query { a: Int }\ntype Mutation { b: Int }")
    assert (
        canonical_sdl(schema)
        == definition(schema)
        == ("type Mutation {\n  b: Int\n}\n\ntype Query {\n  a: Int\n}")
    )


CORPUS_SCHEMAS = sorted(
    path for path in (CORPUS / "graphql").rglob("*") if path.suffix in {".graphql", ".json"}
)


@pytest.mark.slow
@pytest.mark.parametrize("path", CORPUS_SCHEMAS, ids=[p.name for p in CORPUS_SCHEMAS])
def test_corpus_schemas_print_as_defined(path: Path) -> None:
    raw = parse(fetch(path), protocol="graphql")
    load = load_sdl if raw.kind == "graphql-sdl" else load_introspection  # type: ignore[attr-defined]
    loaded = load(raw.content, str(path))  # type: ignore[attr-defined]
    assert loaded.sdl == definition(loaded.schema)
