"""The schema comparison's rules, on small schemas: directions, references and cycles, nullability
however written, alternatives, readOnly; and the levels table of the documentation."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

from connectory.changes.report import KINDS, Direction, Report
from connectory.changes.schemas import SchemaComparer
from connectory.model.version import Definition, JsonSchema, definition_uri


def _compare(
    old: JsonSchema,
    new: JsonSchema,
    direction: Direction = "output",
    old_defs: dict[str, Any] | None = None,
    new_defs: dict[str, Any] | None = None,
) -> set[tuple[str, str, str]]:
    report = Report()
    comparer = SchemaComparer(
        {n: Definition(name=n, content=c) for n, c in (old_defs or {}).items()},
        {n: Definition(name=n, content=c) for n, c in (new_defs or {}).items()},
        report,
    )
    comparer.compare(old, new, "x", direction)
    comparer.run()
    return {(c.kind, c.level, c.location) for c in report.changes()}


def ref(name: str) -> dict[str, str]:
    return {"$ref": definition_uri(name)}


@pytest.mark.parametrize(
    ("old", "new", "input_level", "output_level"),
    [
        ({"type": "string"}, {"type": "string", "maxLength": 5}, "breaking", "safe"),
        ({"enum": ["a", "b"]}, {"enum": ["a"]}, "breaking", "safe"),
        ({"enum": ["a"]}, {"enum": ["a", "b"]}, "safe", "dangerous"),
        ({"type": "integer"}, {"type": "number"}, "safe", "breaking"),
        ({"type": "object"}, {"type": "object", "additionalProperties": False}, "breaking", "safe"),
    ],
)
def test_the_direction_decides_the_level(
    old: JsonSchema, new: JsonSchema, input_level: str, output_level: str
) -> None:
    assert {level for _, level, _ in _compare(old, new, "input")} == {input_level}
    assert {level for _, level, _ in _compare(old, new, "output")} == {output_level}


def test_recursive_definitions_are_compared_once() -> None:
    node = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": ref("Node")},
        },
    }
    changed = {**node, "properties": {**node["properties"], "name": {"type": "integer"}}}
    found = _compare(ref("Node"), ref("Node"), "output", {"Node": node}, {"Node": changed})
    assert found == {("type-changed", "breaking", "definitions/Node/name/type")}


def test_a_renamed_definition_is_followed_through_the_new_name() -> None:
    a = {"type": "object", "properties": {"b": ref("B")}}
    b = {"type": "object", "properties": {"a": ref("A"), "n": {"type": "string"}}}
    b2 = {"type": "object", "properties": {"a": ref("A2")}}
    a2 = {"type": "object", "properties": {"b": ref("B")}}
    found = _compare(ref("A"), ref("A2"), "output", {"A": a, "B": b}, {"A2": a2, "B": b2})
    assert found == {("property-removed", "breaking", "definitions/B/n")}


def test_a_long_chain_of_references_does_not_deepen_the_stack() -> None:
    length = 3000
    old = {
        f"D{i}": {"type": "object", "properties": {"next": ref(f"D{i + 1}")}} for i in range(length)
    }
    old[f"D{length}"] = {"type": "string"}
    new = {**old, f"D{length}": {"type": "integer"}}
    found = _compare(ref("D0"), ref("D0"), "input", old, new)
    assert found == {("type-changed", "breaking", f"definitions/D{length}/type")}


@pytest.mark.parametrize(
    "nullable",
    [
        {"type": ["string", "null"]},
        {"anyOf": [{"type": "string"}, {"type": "null"}]},
        {"oneOf": [{"type": "null"}, {"type": "string"}], "description": "or nothing"},
    ],
    ids=["type", "anyOf", "oneOf"],
)
def test_nullability_is_one_change_however_written(nullable: JsonSchema) -> None:
    assert _compare({"type": "string"}, nullable) == {("nullable-added", "breaking", "x")}
    assert _compare(nullable, {"type": "string"}, "input") == {
        ("nullable-removed", "breaking", "x")
    }
    assert _compare(nullable, {"type": ["null", "string"]}) == set()


def test_an_expandable_field_reports_the_new_alternative_only() -> None:
    old = {"type": "string", "maxLength": 5000}
    new = {"anyOf": [{"type": "string", "maxLength": 5000}, ref("Customer")]}
    found = _compare(old, new, "output", {}, {"Customer": {"type": "object"}})
    assert found == {("alternative-added", "dangerous", "x/anyOf/1")}


def test_read_only_properties_are_not_input() -> None:
    old = {"type": "object", "properties": {"id": {"type": "string", "readOnly": True}}}
    new = {"type": "object", "properties": {}}
    assert _compare(old, new, "input") == set()
    assert _compare(old, new, "output") == {("property-removed", "breaking", "x/id")}


def test_annotations_are_not_changes() -> None:
    old = {"type": "string", "description": "a", "title": "A", "examples": ["x"], "x-internal": 1}
    new = {"type": "string", "description": "b", "example": "y"}
    assert _compare(old, new, "input") == set()


def _documented_levels() -> dict[str, Any]:
    """The levels table of ``connectory.changes``'s docstring, as ``report.KINDS`` spells it."""
    package = importlib.import_module(
        "connectory.changes"
    )  # connectory.changes is also the function
    table = (package.__doc__ or "").split("in / out", 1)[1].split("Not changes", 1)[0]
    levels: dict[str, Any] = {}
    cell = re.compile(
        r"([a-z-]+)\s+(breaking|dangerous|safe|-)(?:\s*/\s*(breaking|dangerous|safe|-))?"
    )
    for line in table.splitlines():
        for kind, first, second in cell.findall(line):
            levels[kind] = (
                first if not second else tuple(None if v == "-" else v for v in (first, second))
            )
    return levels


def test_the_documented_levels_are_the_levels() -> None:
    assert _documented_levels() == KINDS
