"""Generated operation documents: valid, bounded, acyclic; their response schemas fit real answers."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    FieldNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    build_schema,
    parse,
    print_ast,
    validate,
)

from connectory import validator_for
from connectory.model.version import ConnectorVersion
from connectory.protocols.graphql._operations import root_operation
from connectory.protocols.graphql._responses import data_schema
from connectory.protocols.graphql.definitions import TypeSchemas
from connectory.settings import DEFAULT_SETTINGS, Settings
from tests.support.graphql import SHOP, inspect_file, shop_schema
from tests.support.graphql_server import execute


@pytest.fixture(scope="module")
def shop() -> ConnectorVersion:
    return inspect_file(SHOP)


def _operation(text: str) -> OperationDefinitionNode:
    definition = parse(text).definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    return definition


def _depth(selection_set: Any) -> int:
    """Selection-set levels below (fragments do not add one)."""
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set) - 1)
        elif selection.selection_set is not None:
            deepest = max(deepest, _depth(selection.selection_set))
    return deepest + 1


def _fields(selection_set: Any) -> list[FieldNode]:
    found = []
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            found.append(selection)
        found += _fields(selection.selection_set)
    return found


def test_every_document_validates_and_passes_every_argument(shop: ConnectorVersion) -> None:
    schema = shop_schema()
    for item in [*shop.actions, *shop.triggers]:
        binding = item.binding
        assert validate(schema, parse(binding.document)) == [], binding.document
        operation = _operation(binding.document)
        assert operation.operation.value == binding.operation_type
        assert operation.name is not None
        assert operation.name.value == binding.operation_name
        root = schema.get_root_type(operation.operation)
        field = root.fields[binding.field]  # type: ignore[union-attr]
        definitions = operation.variable_definitions or ()
        variables = {v.variable.name.value: print_ast(v.type) for v in definitions}
        assert variables == {name: str(arg.type) for name, arg in field.args.items()}


def test_selections_are_bounded_and_avoid_cycles_required_arguments_and_deprecations(
    shop: ConnectorVersion,
) -> None:
    for action in shop.actions:
        operation = _operation(action.binding.document)
        root_field = operation.selection_set.selections[0]
        assert isinstance(root_field, FieldNode)
        assert _depth(root_field.selection_set) <= DEFAULT_SETTINGS.graphql_max_depth
        names = {field.name.value for field in _fields(root_field.selection_set)}
        cap = DEFAULT_SETTINGS.graphql_max_selections
        assert len(_fields(root_field.selection_set)) <= cap + 20  # + __typename
        assert "reviews" not in names  # needs an argument
        assert "legacyCode" not in names  # deprecated
        assert "related" not in names  # Product -> [Product]: a cycle


def test_unions_and_interfaces_get_typename_and_fragments(shop: ConnectorVersion) -> None:
    search = shop.action("search").binding.document
    assert "__typename" in search
    for member in ("Product", "Customer", "Banner"):
        assert f"... on {member} {{" in search
    # Customer.name (String) and Banner.email (String) differ from Product.name / Customer.email
    assert "name_Customer: name" in search
    assert "email_Banner: email" in search
    node = shop.action("node").binding.document
    assert "__typename\n    id\n" in node
    assert "... on Order {" in node


def test_a_type_with_nothing_selectable_falls_back_to_typename() -> None:
    schema = build_schema(
        """
        type Page { items(first: Int!): [String!]! }
        type Query { page: Page! }
        """
    )
    document = root_operation(schema, "query", "page", "page")
    assert validate(schema, document) == []
    assert print_ast(document) == "query page {\n  page {\n    __typename\n  }\n}"


def test_responses_to_every_operation_fit_its_schema(shop: ConnectorVersion) -> None:
    """Each document, executed by graphql-core with made-up data, answers what its schema says."""
    schema = shop_schema()
    for action in shop.actions:
        result = execute(
            schema, {"query": action.binding.document, "variables": _variables(action)}
        )
        assert result.errors is None, (action.name, result.errors)
        validator = validator_for(action.outputs[0].schema_, shop)
        errors = [e.message for e in validator.iter_errors(result.data)]
        assert errors == [], (action.name, errors)
    for trigger in shop.triggers:
        data = execute(
            schema, {"query": trigger.binding.document.replace("subscription", "query", 1)}
        )
        assert data.errors  # Query has no such field: subscriptions are only checked statically
        operation = _operation(trigger.binding.document)
        assert data_schema(schema, TypeSchemas(schema), operation) == trigger.payload


def _variables(action: Any) -> dict[str, Any]:
    samples = {
        "id": "p-1",
        "text": "lamp",
        "input": {"name": "Lamp", "price": {"amount": 9.5}},
        "selector": {"sku": "L-1"},
        "productIds": ["p-1"],
    }
    return {name: samples[name] for name in action.input.get("required", [])}


def test_response_schema_requires_only_unconditional_keys() -> None:
    schema = shop_schema()
    operation = _operation(
        """
        query q($skip: Boolean!) {
          thing: product(id: "1") { id name @skip(if: $skip) }
          search(text: "x") { __typename ... on Product { id } ...Who }
        }
        fragment Who on Customer { email }
        """
    )
    fragments = {"Who": parse("fragment Who on Customer { email }").definitions[0]}
    data = data_schema(schema, TypeSchemas(schema), operation, fragments)  # type: ignore[arg-type]
    assert data["required"] == ["thing", "search"]
    product = data["properties"]["thing"]["anyOf"][0]
    assert product["required"] == ["id"]
    assert set(product["properties"]) == {"id", "name"}
    item = data["properties"]["search"]["items"]
    assert item["required"] == ["__typename"]
    assert item["properties"]["__typename"] == {"enum": ["Product", "Customer", "Banner"]}
    assert set(item["properties"]) == {"__typename", "id", "email"}
    assert item["additionalProperties"] is False


# -- the limits of the default selection set are settings ----------------------------------------


def _root_selections(version: ConnectorVersion, action: str) -> Any:
    root_field = _operation(version.action(action).binding.document).selection_set.selections[0]
    assert isinstance(root_field, FieldNode)
    return root_field.selection_set


def test_the_default_limits_are_unchanged() -> None:
    assert (
        DEFAULT_SETTINGS.graphql_max_depth,
        DEFAULT_SETTINGS.graphql_max_selections,
        DEFAULT_SETTINGS.graphql_max_fragment_types,
    ) == (3, 60, 12)


def test_a_lower_depth_gives_shallower_selection_sets(shop: ConnectorVersion) -> None:
    assert _depth(_root_selections(shop, "placeOrder")) == 3
    shallow = inspect_file(SHOP, settings=Settings(graphql_max_depth=1))
    for action in shallow.actions:
        assert _depth(_root_selections(shallow, action.name)) <= 1, action.binding.document
    assert "customer" not in shallow.action("placeOrder").binding.document
    assert validate(shop_schema(), parse(shallow.action("placeOrder").binding.document)) == []


def test_a_lower_selection_budget_selects_fewer_fields(shop: ConnectorVersion) -> None:
    assert len(_fields(_root_selections(shop, "placeOrder"))) > 3
    few = inspect_file(SHOP, settings=Settings(graphql_max_selections=3))
    for action in few.actions:
        selected = [
            f for f in _fields(_root_selections(few, action.name)) if f.name.value != "__typename"
        ]
        assert len(selected) <= 3, action.binding.document
        assert validate(shop_schema(), parse(action.binding.document)) == []


def test_an_interface_with_more_implementations_than_the_setting_gets_no_fragments(
    shop: ConnectorVersion,
) -> None:
    assert "... on Order {" in shop.action("node").binding.document  # Node has 4 implementations
    capped = inspect_file(SHOP, settings=Settings(graphql_max_fragment_types=3))
    node = capped.action("node").binding.document
    assert "... on" not in node
    assert "__typename" in node
    assert "... on Customer {" in capped.action("search").binding.document  # a union: still


def test_the_limits_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "CONNECTORY_GRAPHQL_MAX_DEPTH": "2",
            "CONNECTORY_GRAPHQL_MAX_SELECTIONS": "10",
            "CONNECTORY_GRAPHQL_MAX_FRAGMENT_TYPES": "4",
            "CONNECTORY_GRAPHQL_MAX_SDL_TOKENS": "1000",
            "CONNECTORY_GRAPHQL_MAX_OPERATION_TOKENS": "100",
            "CONNECTORY_GRAPHQL_MAX_TYPE_WRAPPING": "5",
            "CONNECTORY_GRAPHQL_MAX_DEFAULT_VALUE_TOKENS": "50",
        }
    )
    assert settings == Settings(
        graphql_max_depth=2,
        graphql_max_selections=10,
        graphql_max_fragment_types=4,
        graphql_max_sdl_tokens=1000,
        graphql_max_operation_tokens=100,
        graphql_max_type_wrapping=5,
        graphql_max_default_value_tokens=50,
    )
