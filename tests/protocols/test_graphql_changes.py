"""Schema diffs as Change records: levels, kinds, coordinates; stored with the version."""

from __future__ import annotations

import json

import pytest
from graphql import build_client_schema, build_schema, resolve_schema_coordinate

from connectory.catalog import Catalog
from connectory.protocols.graphql import schema_changes, sdl_changes
from tests.conftest import corpus_file
from tests.support.graphql import SHOP, inspect_file


def _drifted(text: str) -> str:
    edits = [
        ("  me: Customer\n", "  reviews: [Review!]!\n"),
        ("  GBP @deprecated", "  CHF\n  GBP @deprecated"),
        ("products(first: Int = 10, after: String, filter: String)", "products(first: Int = 20, after: String, filter: String, sort: String!)"),
        ('"What it is called."', '"Its name."'),
        ("  description: String\n  price: Money!", '  description: String @deprecated(reason: "Use name.")\n  price: Money!'),
        ("union SearchResult = Product | Customer | Banner", "union SearchResult = Product | Customer | Order"),
        ("type Banner {\n  id: ID!\n  text: String!\n  email: String\n}\n", ""),
    ]  # fmt: skip
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_changes_are_classified_and_located() -> None:
    old_text = SHOP.read_text()
    old, new = build_schema(old_text), build_schema(_drifted(old_text))
    changes = schema_changes(old, new)
    found = {(c.level, c.kind, c.location) for c in changes}
    assert {
        ("breaking", "field-removed", "Query.me"),
        ("breaking", "required-arg-added", "Query.products(sort:)"),
        ("breaking", "type-removed", "Banner"),
        ("breaking", "type-removed-from-union", "SearchResult"),
        ("dangerous", "value-added-to-enum", "Currency.CHF"),
        ("dangerous", "arg-default-value-change", "Query.products(first:)"),
        ("dangerous", "type-added-to-union", "SearchResult"),
        ("safe", "field-added", "Query.reviews"),
        ("safe", "description-changed", "Product.name"),
        ("safe", "field-deprecated", "Product.description"),
    } <= found
    levels = [c.level for c in changes]
    assert levels == sorted(levels, key=["breaking", "dangerous", "safe"].index)
    deprecated = next(c for c in changes if c.kind == "field-deprecated")
    assert deprecated.message == "Product.description was deprecated: Use name."


def test_the_same_schema_has_no_changes() -> None:
    version = inspect_file(SHOP)
    assert sdl_changes(version.metadata.sdl, version.metadata.sdl) == []  # type: ignore[union-attr,arg-type]


@pytest.mark.slow
def test_github_drift_between_two_real_versions() -> None:
    old = build_client_schema(
        json.loads(corpus_file("graphql", "github", "schema-14.58.0.json").read_text()),
        assume_valid=True,
    )
    new = build_client_schema(
        json.loads(corpus_file("graphql", "github", "schema-15.25.0.json").read_text()),
        assume_valid=True,
    )
    changes = schema_changes(old, new)
    levels = {
        level: sum(c.level == level for c in changes) for level in ("breaking", "dangerous", "safe")
    }
    assert all(levels.values()), levels
    for change in changes:
        assert change.location, change
        schema = old if "removed" in change.kind else new
        resolved = resolve_schema_coordinate(schema, change.location)
        if resolved is None:  # a member coordinate of a removed type or of the other side
            resolved = resolve_schema_coordinate(new if schema is old else old, change.location)
        assert resolved is not None, change


def test_changes_survive_the_catalogue(sqlite_url: str) -> None:
    old = inspect_file(SHOP, connector="shop")
    changes = schema_changes(
        build_schema(SHOP.read_text()), build_schema(_drifted(SHOP.read_text()))
    )
    drafted_version = old.model_copy(update={"changes": changes})
    with Catalog.open(sqlite_url) as catalog:
        drafted = catalog.draft(drafted_version)
        stored = catalog.get_version("shop", drafted.version.version)  # type: ignore[arg-type]
    assert stored.changes == changes
    assert stored.metadata == old.metadata
