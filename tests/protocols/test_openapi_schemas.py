"""OpenAPI 3.0 / 3.1 schemas -> JSON Schema 2020-12 (fixtures: schemas-3.0.yaml, security-3.1.yaml)."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from connectory.model.version import ConnectorVersion, definition_uri
from connectory.schemas.registry import validator_for
from tests.support.openapi import check_schemas, findings_of, fixture, generate_version


@pytest.fixture(scope="module")
def version() -> ConnectorVersion:
    return generate_version(fixture("schemas-3.0.yaml"))


@pytest.fixture(scope="module")
def thing(version: ConnectorVersion) -> dict[str, Any]:
    content = version.definition("Thing").content
    assert isinstance(content, dict)
    return content


def prop(thing: dict[str, Any], name: str) -> Any:
    return thing["properties"][name]


def test_every_schema_is_2020_12(version: ConnectorVersion) -> None:
    outputs = [o for a in version.actions for o in a.outputs if o.schema_ is not None]
    assert check_schemas(version) == len(version.definitions) + len(version.actions) + len(outputs)


def test_nullable_adds_null_to_type_and_enum(thing: dict[str, Any]) -> None:
    assert prop(thing, "name")["type"] == ["string", "null"]
    assert prop(thing, "colour") == {"type": ["string", "null"], "enum": ["red", "green", None]}
    assert prop(thing, "anything") == {}


def test_nullable_ref_and_combinator_become_any_of(thing: dict[str, Any]) -> None:
    assert prop(thing, "owner") == {"anyOf": [{"$ref": definition_uri("User")}, {"type": "null"}]}
    assert prop(thing, "parent") == {
        "description": "The parent.",
        "anyOf": [{"allOf": [{"$ref": definition_uri("Thing")}]}, {"type": "null"}],
    }


def test_boolean_exclusive_bounds_become_numbers(thing: dict[str, Any]) -> None:
    assert prop(thing, "score") == {"type": "number", "exclusiveMinimum": 0, "maximum": 10}


def test_example_becomes_examples_and_annotations_stay(thing: dict[str, Any]) -> None:
    assert prop(thing, "id") == {"type": "integer", "readOnly": True, "examples": [7]}
    assert prop(thing, "name")["x-internal"] is True
    assert thing["xml"] == {"name": "thing"}
    assert thing["externalDocs"] == {"url": "https://example.com/thing"}
    # De-duplicated (2020-12 wants unique items), and without the readOnly id: it is required in
    # responses only, and the definition serves requests too.
    assert thing["required"] == ["name"]


def test_tuple_items_become_prefix_items(thing: dict[str, Any]) -> None:
    assert prop(thing, "pair") == {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "integer"}],
    }


def test_component_refs_are_kept_so_recursion_stays(
    version: ConnectorVersion, thing: dict[str, Any]
) -> None:
    assert prop(thing, "children") == {"type": "array", "items": {"$ref": definition_uri("Thing")}}
    output = version.action("listThings").outputs[0].schema_
    assert output == {"type": "array", "items": {"$ref": definition_uri("Thing")}}


def test_escaped_and_percent_encoded_names(version: ConnectorVersion) -> None:
    expected = {"$ref": definition_uri("Slash/Name~Tilde")}
    assert version.definition("UsesEscaped").content == expected
    assert version.definition("UsesPercent").content == expected


def test_discriminator_mapping_points_at_definitions(version: ConnectorVersion) -> None:
    content = version.definition("Pet").content
    assert isinstance(content, dict)
    assert content["discriminator"] == {
        "propertyName": "kind",
        "mapping": {"cat": definition_uri("Cat"), "other": "Other"},
    }


def test_refs_elsewhere_in_the_document_are_inlined(thing: dict[str, Any]) -> None:
    assert prop(thing, "size") == {"type": "integer", "minimum": 1}


def test_an_inline_ref_loop_becomes_a_definition(version: ConnectorVersion) -> None:
    output = version.action("inlineLoop").outputs[0].schema_
    assert isinstance(output, dict)
    name = "paths./loop.get.responses.200.content.application/json.schema"
    assert output["properties"]["again"] == {"$ref": definition_uri(name)}
    assert version.definition(name).content == output  # recursive, not cut
    assert findings_of(version, "ref-cycle").keys() == {
        "/components/schemas/AliasA/$ref",
        "/components/schemas/AliasB/$ref",
    }
    validator = validator_for(output, version)
    assert validator.is_valid({"again": {"again": {}}})
    assert not validator.is_valid({"again": {"again": 5}})


def test_definitions_that_only_alias_each_other_in_a_loop(version: ConnectorVersion) -> None:
    cycles = findings_of(version, "ref-cycle")
    assert "/components/schemas/AliasA/$ref" in cycles
    assert "/components/schemas/AliasB/$ref" in cycles
    assert "$ref" not in version.definition("AliasA").content  # type: ignore[operator]


def test_unresolvable_and_external_refs_accept_anything(
    version: ConnectorVersion, thing: dict[str, Any]
) -> None:
    unresolvable = findings_of(version, "unresolvable-ref")
    assert set(unresolvable) == {
        "/components/schemas/Thing/properties/remote/$ref",
        "/components/schemas/Thing/properties/missing/$ref",
    }
    assert "given in memory" in unresolvable["/components/schemas/Thing/properties/remote/$ref"]
    for name in ("remote", "missing"):
        schema = prop(thing, name)
        assert list(schema) == ["description"]
        assert "Accepts anything" in schema["description"]


def test_what_2020_12_rejects_is_dropped_with_findings(
    version: ConnectorVersion, thing: dict[str, Any]
) -> None:
    patterns = findings_of(version, "invalid-pattern")
    assert list(patterns) == ["/components/schemas/Thing/properties/tag/pattern"]
    assert "\\p{L}" in patterns["/components/schemas/Thing/properties/tag/pattern"]
    assert prop(thing, "tag") == {"type": "string"}
    assert prop(thing, "name")["pattern"] == "^[a-z]+$"
    invalid = findings_of(version, "invalid-schema")
    assert set(invalid) == {
        "/components/schemas/Thing/properties/legacy/type",
        "/components/schemas/Thing/properties/flag/required",
        "/components/schemas/Slash~1Name~0Tilde/minLength",  # a pointer, escaped
    }
    assert version.definition("Slash/Name~Tilde").content == {"type": "string"}
    assert prop(thing, "legacy") == {}
    assert prop(thing, "flag") == {"type": "boolean"}
    for finding in version.findings:
        assert finding.location.startswith(("/components/", "/paths/"))


def test_converted_schemas_validate_as_the_document_means(version: ConnectorVersion) -> None:
    validator = validator_for({"$ref": definition_uri("Thing")}, version)
    good = {
        "id": 1,
        "name": None,
        "colour": None,
        "score": 0.5,
        "owner": None,
        "parent": {"id": 2, "name": "p"},
        "children": [{"id": 3, "name": "c", "children": []}],
    }
    assert list(validator.iter_errors(good)) == []
    bad: list[dict[str, Any]] = [
        {"id": 1, "name": "Upper"},  # pattern
        {"id": 1, "name": "a", "colour": "blue"},  # enum
        {"id": 1, "name": "a", "score": 0},  # exclusiveMinimum
        {"id": 1, "name": "a", "owner": {"login": 5}},  # through the ref
        {"id": 1, "name": "a", "children": [{"id": "x", "name": "c"}]},  # through recursion
        {"id": 1},  # required
    ]
    for instance in bad:
        assert not validator.is_valid(instance), instance


def test_openapi_3_1_schemas_are_left_as_they_are() -> None:
    version = generate_version(fixture("security-3.1.yaml"))
    assert version.definition("Pet").content == {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "tag": {"type": ["string", "null"]},
            # Not a keyword in 3.1: an annotation, kept, with no effect.
            "nullableIsJustAnAnnotationHere": {"type": "string", "nullable": True},
            "lower": {"type": "integer", "exclusiveMinimum": 0},
        },
    }
    assert check_schemas(version) > 0


def _document(schema: Any, openapi: str = "3.0.3") -> dict[str, Any]:
    return {
        "openapi": openapi,
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"S": schema}},
    }


@pytest.mark.parametrize(
    ("schema", "expected", "location"),
    [
        ({"type": "string", "minLength": -1}, {"type": "string"}, "/minLength"),
        ({"type": "number", "multipleOf": 0}, {"type": "number"}, "/multipleOf"),
        ({"allOf": []}, {}, "/allOf"),
        ({"properties": "x"}, {}, "/properties"),
        ({"type": ["string", "file"]}, {"type": ["string"]}, "/type"),
        ({"maximum": "10"}, {}, "/maximum"),
        ({"description": 5}, {}, "/description"),
        ({"exclusiveMinimum": True}, {}, "/exclusiveMinimum"),
        ({"patternProperties": {"(": {}}}, {"patternProperties": {}}, "/patternProperties/("),
        (
            {"properties": {"a": "string"}},
            {
                "properties": {
                    "a": {
                        "description": "Accepts anything: the document's schema here is not a schema."
                    }
                }
            },
            "/properties/a",
        ),
        ({"oneOf": [{"type": "string"}, 3]}, {"oneOf": [{"type": "string"}]}, "/oneOf/1"),
        ({"examples": {"one": 1}}, {"x-examples": {"one": 1}}, None),
        ({"$id": "thing.json", "type": "object"}, {"x-$id": "thing.json", "type": "object"}, None),
    ],
)
def test_invalid_keyword_values(schema: Any, expected: Any, location: str | None) -> None:
    version = generate_version(_document(schema))
    content = version.definition("S").content
    assert content == expected
    Draft202012Validator.check_schema(content)
    locations = {f.location for f in version.findings}
    if location is None:
        assert locations == set()
    else:
        assert locations == {"/components/schemas/S" + location}


def test_a_schema_nested_too_deeply_is_cut() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(400):
        schema = {"type": "array", "items": schema}
    version = generate_version(_document(schema))
    assert [f.kind for f in version.findings] == ["schema-too-deep"]
    Draft202012Validator.check_schema(version.definition("S").content)
