"""Malformed introspection results: a clear connectory error naming the place, never graphql-core's."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectory.errors import ConnectoryError, DocumentError, ProtocolError
from connectory.settings import DEFAULT_SETTINGS, Settings
from tests.support.graphql import inspect_file, introspection_of, shop_schema, write_json


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return introspection_of(shop_schema())


def _type(result: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in result["__schema"]["types"] if t["name"] == name)


def _field_type(result: dict[str, Any], type_name: str, field: str) -> dict[str, Any]:
    return next(f for f in _type(result, type_name)["fields"] if f["name"] == field)["type"]


def _deep_of_type(depth: int) -> dict[str, Any]:
    ref: dict[str, Any] = {"kind": "SCALAR", "name": "String", "ofType": None}
    for _ in range(depth):
        ref = {"kind": "LIST", "name": None, "ofType": ref}
    return ref


Breaker = Callable[[dict[str, Any]], None]

CASES: list[tuple[str, Breaker, type[ConnectoryError], str, str]] = [
    (
        "null-types",
        lambda r: r["__schema"].update(types=None),
        ProtocolError,
        "__schema.types must be a list, not None",
        "#/__schema/types",
    ),
    (
        "unknown-type-name",
        lambda r: _field_type(r, "Query", "me").update(name="Nobody"),
        ProtocolError,
        "Query.me refers to unknown type 'Nobody'",
        "/name",
    ),
    (
        "unknown-kind",
        lambda r: _type(r, "Money").update(kind="RECORD"),
        ProtocolError,
        "type Money has kind 'RECORD'",
        "/kind",
    ),
    (
        "of-type-deep",
        lambda r: next(f for f in _type(r, "Query")["fields"] if f["name"] == "version").update(
            type=_deep_of_type(200)
        ),
        ProtocolError,
        "wrapped in more than 16 LIST/NON_NULL levels",
        "/type/ofType",
    ),
    (
        "non-null-of-non-null",
        lambda r: _field_type(r, "Query", "version").update(
            ofType={
                "kind": "NON_NULL",
                "name": None,
                "ofType": {"kind": "SCALAR", "name": "String"},
            }
        ),
        ProtocolError,
        "NON_NULL of NON_NULL",
        "/type",
    ),
    (
        "fields-missing",
        lambda r: _type(r, "Order").update(fields=None),
        ProtocolError,
        "Order.fields must be a list",
        "/fields",
    ),
    (
        "input-type-as-output",
        lambda r: _field_type(r, "Query", "me").update(name="MoneyInput"),
        ProtocolError,
        "Query.me has type MoneyInput (INPUT_OBJECT), not an output type",
        "/name",
    ),
    (
        "duplicate-type",
        lambda r: r["__schema"]["types"].append(copy.deepcopy(_type(r, "Money"))),
        ProtocolError,
        "type Money is defined twice",
        "/name",
    ),
    (
        "unknown-directive-location",
        lambda r: r["__schema"]["directives"][0].update(locations=["FIELD", "EVERYWHERE"]),
        ProtocolError,
        "has unknown location 'EVERYWHERE'",
        "#/__schema/directives/0/locations",
    ),
    (
        "query-type-unknown",
        lambda r: r["__schema"].update(queryType={"name": "Nope"}),
        ProtocolError,
        "queryType 'Nope' is not an object type",
        "#/__schema/queryType/name",
    ),
    (
        "bad-default",
        lambda r: next(
            a
            for a in next(f for f in _type(r, "Query")["fields"] if f["name"] == "products")["args"]
            if a["name"] == "first"
        ).update(defaultValue="{{{"),
        ProtocolError,
        "the default of Query.products(first:) is not a GraphQL value (Expected Name, found '{')",
        "/args/0/defaultValue",
    ),
]


@pytest.mark.parametrize(
    ("breaker", "error", "message", "pointer"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_malformed_result_is_a_clear_error(
    tmp_path: Path,
    result: dict[str, Any],
    breaker: Breaker,
    error: type[ConnectoryError],
    message: str,
    pointer: str,
) -> None:
    broken = copy.deepcopy(result)
    breaker(broken)
    path = write_json(tmp_path / "schema.json", broken)
    with pytest.raises(error) as caught:
        inspect_file(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value.location)
    assert pointer in str(caught.value.location)
    assert caught.value.__cause__ is None  # not a graphql-core traceback in disguise


@pytest.mark.parametrize(
    ("depth", "error", "message"),
    [
        (1000, DocumentError, "nested too deeply"),  # beyond what the JSON parser nests
        (400, ProtocolError, "wrapped in more than 16 LIST/NON_NULL levels"),
    ],
)
def test_an_of_type_chain_hundreds_deep_is_refused(
    tmp_path: Path, depth: int, error: type[ConnectoryError], message: str
) -> None:
    field = {"name": "a", "args": [], "type": _deep_of_type(depth)}
    query = {"kind": "OBJECT", "name": "Query", "interfaces": [], "fields": [field]}
    string = {"kind": "SCALAR", "name": "String"}
    schema = {"__schema": {"queryType": {"name": "Query"}, "types": [query, string]}}
    path = tmp_path / "deep.json"
    path.write_text(_dumps(schema, depth))
    with pytest.raises(error, match=message):
        inspect_file(path)


def _dumps(value: Any, depth: int) -> str:
    """``json.dumps``, for values nested deeper than it recurses."""
    if depth < 500:
        return json.dumps(value)
    marker = "__DEEP__"
    field = value["__schema"]["types"][0]["fields"][0]
    field["type"] = marker
    text = json.dumps(value)
    deep = (
        '{"kind": "LIST", "ofType": ' * depth + '{"kind": "SCALAR", "name": "String"}' + "}" * depth
    )
    return text.replace(json.dumps(marker), deep)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"errors": [{"message": "introspection is disabled"}]},
            "answered with errors: introspection is disabled",
        ),
        ({"data": {"__schema": None}}, "__schema is null"),
        ({"data": None, "errors": [{"message": "nope"}]}, "answered with errors: nope"),
    ],
)
def test_a_server_without_introspection_suggests_the_fallbacks(
    tmp_path: Path, body: dict[str, Any], message: str
) -> None:
    path = write_json(tmp_path / "response.json", body)
    with pytest.raises(ProtocolError) as caught:
        inspect_file(path)
    assert message in str(caught.value)
    assert "SDL file" in str(caught.value)


def test_a_response_with_data_is_accepted(tmp_path: Path, result: dict[str, Any]) -> None:
    version = inspect_file(write_json(tmp_path / "response.json", {"data": result}))
    assert len(version.actions) == 9


def _mutations(value: Any, rng: random.Random, count: int) -> list[Any]:
    """``count`` copies of ``value``, each with one node replaced by null, a wrong type or nothing."""
    paths: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        paths.append(path)
        if isinstance(node, dict):
            stack.extend((child, (*path, key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, (*path, i)) for i, child in enumerate(node))
    mutated = []
    for path in rng.sample(paths[1:], count):
        copy_ = copy.deepcopy(value)
        parent = copy_
        for key in path[:-1]:
            parent = parent[key]
        replacement = rng.choice([None, 7, "X", [], {}, "delete"])
        if replacement == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif replacement == "delete":
            parent.pop(path[-1])
        else:
            parent[path[-1]] = replacement
        mutated.append(copy_)
    return mutated


def test_randomly_broken_results_fail_only_with_connectory_errors(result: dict[str, Any]) -> None:
    from datetime import UTC, datetime

    from connectory.protocols.graphql.generate import build_version as generate

    outcomes: dict[str, int] = {}
    for broken in _mutations(result, random.Random(20240501), 400):
        try:
            generate(
                broken,
                kind="graphql-introspection",
                connector="fuzz",
                source="fuzz.json",
                sha256="0" * 64,
                fetched_at=datetime.now(UTC),
            )
        except ConnectoryError as error:
            outcomes[type(error).__name__] = outcomes.get(type(error).__name__, 0) + 1
        else:
            outcomes["accepted"] = outcomes.get("accepted", 0) + 1
    assert set(outcomes) <= {"accepted", "ProtocolError", "DocumentError"}, outcomes
    assert outcomes.get("ProtocolError", 0) > 50


def _products_first(result: dict[str, Any]) -> dict[str, Any]:
    products = next(f for f in _type(result, "Query")["fields"] if f["name"] == "products")
    return next(a for a in products["args"] if a["name"] == "first")


def test_the_type_wrapping_cap_is_a_setting(tmp_path: Path, result: dict[str, Any]) -> None:
    assert DEFAULT_SETTINGS.graphql_max_type_wrapping == 16
    path = write_json(tmp_path / "schema.json", result)
    # Query.search is [SearchResult!]!: three wrappers
    assert inspect_file(path, settings=Settings(graphql_max_type_wrapping=3)).action("search")
    with pytest.raises(ProtocolError) as caught:
        inspect_file(path, settings=Settings(graphql_max_type_wrapping=2))
    assert "wrapped in more than 2 LIST/NON_NULL levels" in str(caught.value)
    assert "raise CONNECTORY_GRAPHQL_MAX_TYPE_WRAPPING" in str(caught.value)
    assert "#/__schema/types/" in str(caught.value.location)


def test_the_default_value_token_cap_is_a_setting(tmp_path: Path, result: dict[str, Any]) -> None:
    assert DEFAULT_SETTINGS.graphql_max_default_value_tokens == 10_000
    changed = copy.deepcopy(result)
    _products_first(changed)["defaultValue"] = "[1, 2, 3, 4, 5, 6, 7, 8]"  # 10 tokens
    _products_first(changed)["type"] = {
        "kind": "LIST",
        "name": None,
        "ofType": {"kind": "SCALAR", "name": "Int", "ofType": None},
    }
    path = write_json(tmp_path / "schema.json", changed)
    version = inspect_file(path, settings=Settings(graphql_max_default_value_tokens=10))
    first = version.action("products").input["properties"]["first"]
    assert first["default"] == [1, 2, 3, 4, 5, 6, 7, 8]
    with pytest.raises(ProtocolError) as caught:
        inspect_file(path, settings=Settings(graphql_max_default_value_tokens=9))
    assert "the default of Query.products(first:) is not a GraphQL value" in str(caught.value)
    assert "more than 9 tokens" in str(caught.value)
    assert str(caught.value.location).endswith("/defaultValue")
