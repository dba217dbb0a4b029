"""Examples checked against their schemas: mismatches are findings at the example, time bounded."""

from __future__ import annotations

from typing import Any

import pytest

from connectory.model.version import ConnectorVersion
from connectory.protocols.openapi._examples import risky_pattern
from connectory.protocols.openapi.generate import build_version as generate
from connectory.settings import Settings
from tests.support.openapi import FETCHED_AT, SHA256, findings_of

PET = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "example": 5},
        "born": {"type": "string", "format": "date", "example": "2020-02-30"},
        "tag": {"$ref": "#/components/schemas/Tag"},
    },
    "example": {"name": "Rex", "tag": "good-dog"},
}
TAG = {"type": "string", "pattern": "^[a-z-]+$", "examples": ["ok", "Not OK"]}
OPERATION = {
    "parameters": [
        {"name": "limit", "in": "query", "schema": {"type": "integer"}, "example": "ten"},
        {
            "name": "tags",
            "in": "query",
            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
            "examples": {"good": {"value": ["a"]}, "bad": {"$ref": "#/components/examples/Bad"}},
        },
    ],
    "responses": {
        "200": {
            "description": "ok",
            "headers": {"X-Left": {"schema": {"type": "integer"}, "example": -1.5}},
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/Pet"},
                    "examples": {"fine": {"value": {"name": "Rex"}}, "not": {"value": {}}},
                },
                "application/xml": {
                    "schema": {"$ref": "#/components/schemas/Pet"},
                    "example": "<pet/>",  # not JSON: not checked
                },
            },
        }
    },
}


def document(openapi: str = "3.0.3") -> dict[str, Any]:
    return {
        "openapi": openapi,
        "info": {"title": "Examples", "version": "1"},
        "paths": {"/pets": {"get": OPERATION}},
        "components": {
            "schemas": {"Pet": PET, "Tag": TAG},
            "examples": {"Bad": {"value": ["UPPER"]}},
        },
    }


def run(doc: dict[str, Any], settings: Settings | None = None) -> ConnectorVersion:
    return generate(
        doc,
        connector="examples",
        source="examples.json",
        sha256=SHA256,
        fetched_at=FETCHED_AT,
        settings=settings or Settings(),
    )


def test_mismatches_are_found_where_the_examples_are() -> None:
    mismatches = findings_of(run(document()), "example-mismatch")
    assert set(mismatches) == {
        "/components/schemas/Pet/properties/name/example",
        "/components/schemas/Pet/properties/born/example",
        "/components/schemas/Tag/examples/1",
        "/paths/~1pets/get/parameters/0/example",
        "/components/examples/Bad/value",
        "/paths/~1pets/get/responses/200/headers/X-Left/example",
        "/paths/~1pets/get/responses/200/content/application~1json/examples/not/value",
    }
    assert mismatches["/components/schemas/Pet/properties/born/example"] == (
        "the example does not match its schema: '2020-02-30' is not a 'date'"
    )
    assert mismatches["/components/examples/Bad/value"] == (
        "the example does not match its schema at /0: 'UPPER' does not match '^[a-z-]+$'"
    )


def test_3_1_examples_too() -> None:
    doc = document("3.1.0")
    doc["components"]["schemas"]["Pet"] = {**PET, "examples": [{"name": 1}]}
    mismatches = findings_of(run(doc), "example-mismatch")
    assert "/components/schemas/Pet/examples/0" in mismatches
    assert "at /name: 1 is not of type 'string'" in mismatches["/components/schemas/Pet/examples/0"]


@pytest.mark.parametrize(
    ("settings", "checked"),
    [(Settings(max_example_checks=3), 3), (Settings(example_check_seconds=0), 0)],
)
def test_the_checks_are_capped_with_a_finding(settings: Settings, checked: int) -> None:
    version = run(document(), settings)
    (capped,) = [f for f in version.findings if f.kind == "examples-not-checked"]
    assert capped.severity == "info"
    assert f"({checked} checked)" in capped.message
    assert len(findings_of(version, "example-mismatch")) <= checked


@pytest.mark.parametrize(
    ("pattern", "risky"),
    [
        ("^[a-z-]+$", False),
        (r"^\d{4}-\d{2}-\d{2}$", False),
        (r"\d+\d+", False),
        ("^(a+)+$", True),
        ("(a|aa)+", True),
        (r"^(\w+\s?)*$", True),
        ("(?:x*)*y", True),
        ("(", True),  # does not parse: not run
    ],
)
def test_patterns_that_can_backtrack_for_ever_are_not_run(pattern: str, risky: bool) -> None:
    assert risky_pattern(pattern) is risky
