"""``errors_of`` names the deepest field at fault, also under ``anyOf``/``oneOf`` (nullable
objects), rather than the whole object "not valid under any of the given schemas"."""

from __future__ import annotations

from typing import Any

import pytest

from connectory.model.version import Definition
from connectory.schemas.registry import errors_of

REPO = {
    "anyOf": [
        {"type": "null"},
        {"type": "object", "properties": {"stars": {"type": "integer"}}, "required": ["stars"]},
    ]
}
VIEWER = {  # a nullable object as GraphQL's definitions write it: the object first, then null
    "anyOf": [
        {
            "type": "object",
            "properties": {
                "login": {"type": "string"},
                "email": {"type": ["string", "null"]},
                "repo": {"$ref": "urn:connectory:definition:Repo"},
            },
            "required": ["login"],
            "additionalProperties": False,
        },
        {"type": "null"},
    ]
}
SCHEMA = {"type": "object", "properties": {"data": {"type": "object", "properties": {"viewer": VIEWER}}}}  # fmt: skip
DEFINITIONS = [Definition(name="Repo", format="json-schema", content=REPO)]


def _errors(value: Any) -> list[str]:
    return errors_of(SCHEMA, DEFINITIONS, value, root="(body)")


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ({"login": 42}, ["data/viewer/login: 42 is not of type 'string'"]),
        ({"login": "x", "email": 7}, ["data/viewer/email: 7 is not of type 'string', 'null'"]),
        # through a $ref to another nullable object, two levels down
        (
            {"login": "x", "repo": {"stars": "many"}},
            ["data/viewer/repo/stars: 'many' is not of type 'integer'"],
        ),
        ({"login": "x", "repo": {}}, ["data/viewer/repo: 'stars' is a required property"]),
        # every field at fault in the branch, not only the first
        (
            {"login": 42, "repo": {"stars": "many"}, "extra": 1},
            [
                "data/viewer/login: 42 is not of type 'string'",
                "data/viewer/repo/stars: 'many' is not of type 'integer'",
                "data/viewer: Additional properties are not allowed ('extra' was unexpected)",
            ],
        ),
        # of no branch's type: nothing deeper to name
        (5, ["data/viewer: 5 is not valid under any of the given schemas"]),
        (None, []),
        ({"login": "x", "repo": None}, []),
    ],
)
def test_the_deepest_field_at_fault_is_named(viewer: Any, expected: list[str]) -> None:
    assert sorted(_errors({"data": {"viewer": viewer}})) == sorted(expected)


def test_one_of_takes_the_branch_the_value_comes_closest_to() -> None:
    schema = {
        "oneOf": [
            {"type": "object", "properties": {"card": {"type": "string"}}, "required": ["card"]},
            {
                "type": "object",
                "properties": {"iban": {"type": "string", "minLength": 15}},
                "required": ["iban"],
            },
        ]
    }
    assert errors_of(schema, [], {"iban": "DE12"}, root="(input)") == ["iban: 'DE12' is too short"]
    both = {"card": "x", "iban": "DE1234567890123456"}  # valid under each: nothing deeper
    [message] = errors_of(schema, [], both, root="(input)")
    assert message.startswith(f"(input): {both!r} is valid under each of")


def test_the_limit_counts_the_fields_named() -> None:
    value = {"data": {"viewer": {"login": 42, "email": 7, "repo": {"stars": "many"}}}}
    assert len(_errors(value)) == 3
    assert len(errors_of(SCHEMA, DEFINITIONS, value, root="(body)", limit=2)) == 2
