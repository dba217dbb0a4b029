"""GraphQL types as JSON Schema: definitions for every named type, variables, scalars."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import build_schema

from connectory import validate, validator_for
from connectory.model.version import ConnectorVersion, definition_uri
from connectory.protocols.graphql.definitions import TypeSchemas
from tests.support.graphql import SHOP, inspect_file


@pytest.fixture(scope="module")
def shop() -> ConnectorVersion:
    return inspect_file(SHOP)


def _content(version: ConnectorVersion, name: str) -> Any:
    return version.definition(name).content


def test_every_named_type_is_a_definition_and_every_schema_is_valid(shop: ConnectorVersion) -> None:
    assert {d.name for d in shop.definitions} == {
        "DateTime", "URL", "JSON", "Currency", "OrderStatus", "Node", "Money", "Product", "Review",
        "Customer", "Order", "OrderItem", "Banner", "SearchResult", "MoneyInput", "ProductInput",
        "ProductSelector", "Query", "Mutation", "Subscription",
    }  # fmt: skip
    assert validate(shop) == []  # metaschema-valid, and every $ref names a definition


def test_input_objects(shop: ConnectorVersion) -> None:
    product_input = _content(shop, "ProductInput")
    assert product_input["required"] == ["name", "price"]
    assert product_input["additionalProperties"] is False
    assert product_input["properties"]["price"] == {"$ref": definition_uri("MoneyInput")}
    assert product_input["properties"]["tags"] == {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}],
        "default": [],
    }
    money = _content(shop, "MoneyInput")
    assert money["properties"]["currency"]["default"] == "EUR"
    assert money["required"] == ["amount"]
    selector = _content(shop, "ProductSelector")
    assert (selector["minProperties"], selector["maxProperties"]) == (1, 1)
    assert selector["properties"]["sku"] == {"type": "string"}  # one of them, never null


def test_enums_scalars_objects_unions(shop: ConnectorVersion) -> None:
    assert _content(shop, "Currency") == {"type": "string", "enum": ["EUR", "USD", "GBP"]}
    assert _content(shop, "DateTime") == {
        "description": "An ISO 8601 date and time.",
        "type": "string",
        "format": "date-time",
    }
    assert _content(shop, "URL") == {"type": "string", "format": "uri-reference"}
    assert _content(shop, "JSON") == {"description": "Any JSON value."}
    product = _content(shop, "Product")
    assert product["properties"]["__typename"] == {"const": "Product"}
    assert product["properties"]["name"] == {"type": "string", "description": "What it is called."}
    assert product["properties"]["legacyCode"] == {"type": ["string", "null"], "deprecated": True}
    assert product["properties"]["related"] == {
        "type": "array",
        "items": {"$ref": definition_uri("Product")},
    }
    assert "required" not in product  # which fields a response has depends on its selection
    node = _content(shop, "Node")
    assert node["properties"]["__typename"] == {"enum": ["Product", "Review", "Customer", "Order"]}
    assert _content(shop, "SearchResult")["anyOf"] == [
        {"$ref": definition_uri(name)} for name in ("Product", "Customer", "Banner")
    ]


def test_variables_accept_what_graphql_accepts(shop: ConnectorVersion) -> None:
    create = shop.action("createProduct")
    assert create.input["required"] == ["input"]
    validator = validator_for(create.input, shop)
    good = {"input": {"name": "Lamp", "price": {"amount": 9.5, "currency": "USD"}}}
    assert list(validator.iter_errors(good)) == []
    for bad in (
        {},
        {"input": {"price": {"amount": 1}}},
        {"input": {"name": "Lamp", "price": {"amount": 1, "currency": "YEN"}}},
        {"input": {"name": "Lamp", "price": {"amount": 1}, "colour": "red"}},
        {"input": good["input"], "extra": 1},
    ):
        assert list(validator.iter_errors(bad)), bad
    node = validator_for(shop.action("node").input, shop)
    assert not list(node.iter_errors({"id": 12}))
    assert not list(node.iter_errors({"id": "12"}))
    products = shop.action("products").input
    assert products["properties"]["first"] == {
        "anyOf": [{"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}, {"type": "null"}],
        "default": 10,
    }
    assert "required" not in products
    assert list(validator_for(products, shop).iter_errors({"first": 2**31}))
    delete = validator_for(shop.action("deleteProduct").input, shop)
    assert not list(delete.iter_errors({"selector": {"id": "1"}}))
    assert list(delete.iter_errors({"selector": {"id": "1", "sku": "2"}}))
    assert list(delete.iter_errors({"selector": {}}))


@pytest.mark.parametrize(
    ("name", "description", "expected"),
    [
        ("DateTime", None, {"type": "string", "format": "date-time"}),
        ("ISO8601DateTime", None, {"type": "string", "format": "date-time"}),
        ("PreciseDateTime", None, {"type": "string", "format": "date-time"}),
        ("Date", None, {"type": "string", "format": "date"}),
        ("LocalTime", None, {"type": "string", "format": "time"}),
        ("TimeZone", None, {}),
        (
            "GitTimestamp",
            "An ISO-8601 encoded date string.",
            {"type": "string", "format": "date-time"},
        ),
        ("Timestamp", "Seconds since the epoch.", {}),
        ("URI", None, {"type": "string", "format": "uri-reference"}),
        ("HttpUrl", None, {"type": "string", "format": "uri-reference"}),
        ("UUID", None, {"type": "string", "format": "uuid"}),
        ("EmailAddress", None, {"type": "string", "format": "email"}),
        ("Decimal", None, {}),
        ("BigInt", None, {}),
    ],
)
def test_custom_scalar_formats(
    name: str, description: str | None, expected: dict[str, Any]
) -> None:
    described = f'"{description}"\n' if description else ""
    schema = build_schema(f"{described}scalar {name}\ntype Query {{ a: {name} }}")
    content = TypeSchemas(schema).definition(schema.type_map[name])
    content.pop("description", None)  # type: ignore[union-attr]
    assert content == expected
