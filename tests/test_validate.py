"""Validation: the fast metaschema check agrees with jsonschema's, and findings point at the place."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from connectory.model.version import Definition, definition_uri
from connectory.schemas.metaschema import MetaschemaChecker, iter_metaschema_errors
from connectory.schemas.validation import validate

from .support.samples import rich_version

BROKEN: list[Any] = [
    {"type": 5, "properties": {"a": {"minimum": "x"}}},
    {"required": True},
    {"properties": {"a": 3}},
    {"allOf": []},
    {"items": [{}]},
    {"$defs": {"x": {"type": "strin"}}},
    {"dependencies": {"a": 3}},
    {"enum": "x"},
    {"pattern": 3},
    {"oneOf": [True, 5]},
    {"not": {"type": ["a"]}},
    5,
    {"dependentSchemas": 3},
    {"minLength": -1, "maxItems": 1.5, "uniqueItems": "yes"},
    {"required": ["a", "a"]},
    {"$ref": 3, "$anchor": "not an anchor!"},
    {"anyOf": [{"items": {"prefixItems": [{"const": 1}, {"format": 7}]}}]},
    {"if": {"then": 3}, "else": [], "contentSchema": {"maxContains": "2"}},
    {"additionalProperties": {"patternProperties": {"^x": {"type": []}}}},
    {"type": "object", "properties": {"ok": {"type": "string"}}},
    {"x-vendor": {"type": 5}, "discriminator": {"propertyName": "kind"}, "examples": [1]},
    True,
]


def _reference(schema: Any) -> set[tuple[tuple[Any, ...], str]]:
    validator = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    return {(tuple(e.absolute_path), e.message) for e in validator.iter_errors(schema)}


@pytest.mark.parametrize("schema", BROKEN)
def test_same_errors_as_jsonschema_at_the_same_places(schema: Any) -> None:
    mine = {(e.path, e.message) for e in iter_metaschema_errors(schema)}
    assert mine == _reference(schema)


def test_one_checker_over_many_schemas_gives_the_same_answers() -> None:
    checker = MetaschemaChecker()
    for schema in BROKEN * 2:
        assert {(e.path, e.message) for e in checker.check(schema).errors} == _reference(schema)


def test_refs_are_collected_with_their_places() -> None:
    check = MetaschemaChecker().check({"properties": {"a": {"$ref": "urn:x"}}, "$ref": "urn:y"})
    assert sorted(check.refs) == [(("$ref",), "urn:y"), (("properties", "a", "$ref"), "urn:x")]


def test_a_clean_version_has_no_findings() -> None:
    assert validate(rich_version()) == []


def test_invalid_schemas_and_dangling_refs_become_findings() -> None:
    version = rich_version()
    broken = version.model_copy(
        update={
            "definitions": [
                *version.definitions,
                Definition(name="Bad", content={"properties": {"n": {"minimum": "zero"}}}),
                Definition(name="Dangling", content={"items": {"$ref": definition_uri("Nope")}}),
            ]
        }
    )
    findings = validate(broken)
    assert [(f.kind, f.location) for f in findings] == [
        ("invalid-schema", "/definitions/4/content/properties/n/minimum"),
        ("unresolvable-ref", "/definitions/5/content/items/$ref"),
    ]
    assert "'zero' is not of type 'number'" in findings[0].message
    assert "urn:connectory:definition:Nope" in findings[1].message
