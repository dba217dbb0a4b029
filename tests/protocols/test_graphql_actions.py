"""Actions and triggers of root fields, and users' own operations added to a version."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import build_schema

from connectory import InputError, validator_for
from connectory.errors import DocumentError
from connectory.model.version import ConnectorVersion, definition_uri
from connectory.protocols.graphql import add_graphql_action
from connectory.protocols.graphql.actions import root_actions
from connectory.protocols.graphql.definitions import TypeSchemas
from connectory.settings import DEFAULT_SETTINGS, Settings
from tests.support.graphql import SHOP, inspect_file, shop_schema
from tests.support.graphql_server import execute


@pytest.fixture(scope="module")
def shop() -> ConnectorVersion:
    return inspect_file(SHOP)


def test_an_action_per_query_and_mutation_field_a_trigger_per_subscription(
    shop: ConnectorVersion,
) -> None:
    assert [(a.name, a.binding.operation_type, a.tags) for a in shop.actions] == [
        ("product", "query", ["query"]),
        ("products", "query", ["query"]),
        ("node", "query", ["query"]),
        ("search", "query", ["query"]),
        ("me", "query", ["query"]),
        ("version", "query", ["query"]),
        ("createProduct", "mutation", ["mutation"]),
        ("deleteProduct", "mutation", ["mutation"]),
        ("placeOrder", "mutation", ["mutation"]),
    ]
    assert [(t.name, t.kind, t.binding.operation_type) for t in shop.triggers] == [
        ("orderPlaced", "subscription", "subscription"),
        ("priceChanged", "subscription", "subscription"),
    ]
    product = shop.action("product")
    assert product.description == "One product."
    assert product.outputs[0].status == "data"
    assert product.outputs[0].schema_["required"] == ["product"]  # type: ignore[index]
    assert shop.triggers[1].payload["properties"]["priceChanged"]["properties"]["price"]  # type: ignore[index]


def test_a_mutation_named_like_a_query_gets_a_distinct_name() -> None:
    schema = build_schema(
        "type Query { item: Int, mutation_item: Int } type Mutation { item(x: Int): Int }"
    )
    actions, _ = root_actions(schema, TypeSchemas(schema))
    assert [a.name for a in actions] == ["item", "mutation_item", "mutation_item_2"]
    assert actions[2].binding.field == "item"
    assert actions[2].binding.document.startswith("mutation mutation_item_2(")


DOCUMENT = """
query ProductCard($id: ID!, $withPrice: Boolean = true) {
  card: product(id: $id) {
    ...Basics
    price @include(if: $withPrice) { amount currency }
  }
}

fragment Basics on Product { id title: name tags }
"""


def test_a_users_operation_becomes_an_action(shop: ConnectorVersion) -> None:
    added = add_graphql_action(shop, "productCard", DOCUMENT, description="A product's card.")
    assert [a.name for a in shop.actions].count("productCard") == 0  # the input is not changed
    action = added.action("productCard")
    assert action.binding.document == DOCUMENT
    assert (action.binding.operation_type, action.binding.field) == ("query", "product")
    assert action.binding.operation_name == "ProductCard"
    assert action.tags == ["query", "custom"]
    assert action.input == {
        "type": "object",
        "properties": {
            "id": {"type": ["string", "integer"]},
            "withPrice": {"type": ["boolean", "null"], "default": True},
        },
        "required": ["id"],
        "additionalProperties": False,
    }
    card = action.outputs[0].schema_["properties"]["card"]["anyOf"][0]  # type: ignore[index]
    assert card["required"] == ["id", "title", "tags"]
    assert card["properties"]["title"] == {"type": "string"}
    assert card["properties"]["price"]["properties"]["currency"] == {
        "$ref": definition_uri("Currency")
    }
    result = execute(shop_schema(), {"query": DOCUMENT, "variables": {"id": "1"}})
    assert result.errors is None
    assert list(validator_for(action.outputs[0].schema_, added).iter_errors(result.data)) == []


def test_an_invalid_operation_is_refused_with_every_error_located(shop: ConnectorVersion) -> None:
    document = "query Q($id: ID!) {\n  product(id: $id) {\n    id\n    colour\n  }\n  nope\n}\n"
    with pytest.raises(InputError) as caught:
        add_graphql_action(shop, "q", document)
    message = str(caught.value)
    assert "Cannot query field 'colour' on type 'Product'. (action q:4:5)" in message
    assert (
        "Cannot query field 'nope' on type 'Query'. Did you mean 'node'? (action q:6:3)" in message
    )


@pytest.mark.parametrize(
    ("name", "document", "options", "error", "message"),
    [
        ("version", "{ version }", {}, InputError, "has an action named 'version' already"),
        ("q", "query {", {}, DocumentError, "not valid a GraphQL document: Expected Name"),
        ("q", "query A { version } query B { me { id } }", {}, InputError, "2 operations (A, B)"),
        ("q", "query A { version }", {"operation_name": "C"}, InputError, "no operation 'C'"),
        (
            "q",
            "subscription S { orderPlaced { id } }",
            {},
            InputError,
            "a subscription is a trigger",
        ),
        (
            "q",
            "{ version " + "version " * 110_000 + "}",
            {},
            DocumentError,
            "more than 100,000 tokens",
        ),
        (
            "q",
            "{ version " + "version " * 6_000 + "}",
            {},
            InputError,
            "too large or nested too deeply",
        ),
    ],
)
def test_bad_operations_are_refused(
    shop: ConnectorVersion,
    name: str,
    document: str,
    options: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=None) as caught:
        add_graphql_action(shop, name, document, **options)
    assert message in str(caught.value)


def test_one_of_several_operations_can_be_chosen(shop: ConnectorVersion) -> None:
    added = add_graphql_action(
        shop,
        "chosen",
        "query A { version } mutation B($ids: [ID!]!) { placeOrder(productIds: $ids) { id } }",
        operation_name="B",
    )
    assert added.action("chosen").binding.operation_type == "mutation"
    assert added.action("chosen").input["required"] == ["ids"]  # type: ignore[index]


def test_only_graphql_versions_with_a_schema_take_operations(shop: ConnectorVersion) -> None:
    without = shop.model_copy(update={"metadata": shop.metadata.model_copy(update={"sdl": None})})
    with pytest.raises(InputError, match="has no GraphQL schema"):
        add_graphql_action(without, "q", "{ version }")


def test_the_operation_token_cap_is_a_setting(shop: ConnectorVersion) -> None:
    assert DEFAULT_SETTINGS.graphql_max_operation_tokens == 100_000
    exact = Settings(graphql_max_operation_tokens=len(list(_tokens(DOCUMENT))))
    assert add_graphql_action(shop, "card", DOCUMENT, settings=exact).action("card")
    lower = Settings(graphql_max_operation_tokens=10)
    with pytest.raises(DocumentError, match="more than 10 tokens: too large to parse") as caught:
        add_graphql_action(shop, "card", DOCUMENT, settings=lower)
    assert caught.value.location is not None
    assert caught.value.location.startswith("action card")
    assert "raise CONNECTORY_GRAPHQL_MAX_OPERATION_TOKENS" in str(caught.value)


def _tokens(text: str) -> Any:
    """The tokens graphql-core counts against ``max_tokens`` (all but <EOF>)."""
    from graphql.language import Lexer, Source, TokenKind

    lexer = Lexer(Source(text))
    while (token := lexer.advance()).kind != TokenKind.EOF:
        yield token
