"""The real-world bar: every GraphQL schema of ../shared/corpus onboards, completely and validly."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema, parse, print_ast, validate

from connectory import registry_for
from connectory.model.version import ConnectorVersion
from connectory.protocols.graphql._operations import FieldIndex, root_operation
from connectory.protocols.graphql._printer import print_operation
from connectory.protocols.graphql.parse import schema_from_sdl
from connectory.schemas.registry import validator_for
from tests.conftest import CORPUS, corpus_absent
from tests.support.graphql import inspect_file
from tests.support.graphql_server import execute

SCHEMAS = [
    ("github", "schema-15.25.0.graphql"),
    ("github", "schema-15.25.0.json"),
    ("github", "schema-14.58.0.json"),
    ("saleor", "schema-main.graphql"),
    ("shopify", "storefront.schema.json"),
]
WART_KINDS = {"duplicate-definition", "invalid-graphql-sdl", "invalid-graphql-schema"}

pytestmark = pytest.mark.slow


def _root_fields(schema: GraphQLSchema, root: str) -> int:
    type_ = getattr(schema, f"{root}_type")
    return len(type_.fields) if type_ is not None else 0


@pytest.fixture(scope="module", params=SCHEMAS, ids=["/".join(s) for s in SCHEMAS])
def onboarded(request: pytest.FixtureRequest) -> tuple[ConnectorVersion, GraphQLSchema]:
    path = CORPUS / "graphql" / Path(*request.param)
    if not path.exists():
        corpus_absent(path)
    version = inspect_file(path)
    return version, schema_from_sdl(version.metadata.sdl)  # type: ignore[union-attr,arg-type]


def test_every_schema_onboards_completely(
    onboarded: tuple[ConnectorVersion, GraphQLSchema],
) -> None:
    version, schema = onboarded
    assert len(version.actions) == _root_fields(schema, "query") + _root_fields(schema, "mutation")
    assert len(version.triggers) == _root_fields(schema, "subscription")
    if version.source.endswith("saleor/schema-main.graphql"):
        assert len(version.triggers) == 26
    assert {f.kind for f in version.findings} <= WART_KINDS  # no broken JSON Schema, no bad $ref


def test_every_generated_document_validates(
    onboarded: tuple[ConnectorVersion, GraphQLSchema],
) -> None:
    version, schema = onboarded
    for item in [*version.actions, *version.triggers]:
        assert validate(schema, parse(item.binding.document)) == [], item.name


def test_every_document_is_printed_as_print_ast_prints_it(
    onboarded: tuple[ConnectorVersion, GraphQLSchema],
) -> None:
    """The fast printer of generated documents is graphql-core's ``print_ast``, to the byte."""
    version, schema = onboarded
    index = FieldIndex()
    for item in [*version.actions, *version.triggers]:
        binding = item.binding
        document = root_operation(
            schema, binding.operation_type, binding.field, binding.operation_name, index
        )
        assert print_operation(document) == print_ast(document), item.name


def test_answers_to_every_operation_fit_its_output_schema(
    onboarded: tuple[ConnectorVersion, GraphQLSchema],
) -> None:
    """Every query and mutation, executed with made-up data, answers what its schema says."""
    version, schema = onboarded
    registry = registry_for(version)
    for action in version.actions:
        variables = _variables(action.input or {}, registry)
        result = execute(schema, {"query": action.binding.document, "variables": variables})
        assert result.errors is None, (action.name, result.errors)
        validator = validator_for(action.outputs[0].schema_, registry)  # type: ignore[arg-type]
        errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(result.data)]
        assert errors == [], (action.name, errors[:5])


def _variables(schema: dict, registry: object) -> dict:
    """Values for the required variables: enough for graphql-core to execute the operation."""
    return {
        name: _sample(schema["properties"][name], registry) for name in schema.get("required", [])
    }


def _sample(schema: dict, registry: object) -> object:
    ref = schema.get("$ref")
    if ref is not None:
        target = registry.contents(ref)  # type: ignore[attr-defined]
        return _sample(target, registry) if isinstance(target, dict) else "x"
    if "anyOf" in schema:
        return _sample(schema["anyOf"][0], registry)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        properties = schema.get("properties", {})
        wanted = schema.get("required", []) or list(properties)[: schema.get("minProperties", 0)]
        return {name: _sample(properties[name], registry) for name in wanted}
    if kind == "array":
        return [_sample(schema.get("items", {}), registry)]
    return {"integer": 1, "number": 1.5, "boolean": True}.get(kind or "", "2024-05-01")
