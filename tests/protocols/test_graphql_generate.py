"""A whole GraphQL version: what ``connectory.inspect`` makes of an SDL or introspection file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from graphql import build_schema, print_schema

from connectory import ConnectorVersion, parse, validate
from connectory.documents.fetch import fetch
from connectory.onboarding import suggest_name
from tests.support.graphql import (
    SHOP,
    WARTS,
    inspect_file,
    introspection_of,
    shop_schema,
    write_json,
)


def test_an_sdl_file_becomes_a_version() -> None:
    version = inspect_file(SHOP)
    assert (version.connector, version.protocol) == ("shop", "graphql")
    assert version.description == (
        "A small shop, for tests: every kind of type, a cycle, a union, an interface, a oneOf input."
    )
    assert version.document_version is None
    assert version.title is None
    assert version.sha256 == hashlib.sha256(SHOP.read_bytes()).hexdigest()
    metadata = version.metadata
    assert metadata.protocol == "graphql"
    assert metadata.endpoint is None
    assert metadata.introspected_at is None
    assert metadata.schema_sha256 == hashlib.sha256(metadata.sdl.encode()).hexdigest()  # type: ignore[union-attr]
    assert print_schema(build_schema(metadata.sdl)) == metadata.sdl  # type: ignore[arg-type]
    assert (len(version.actions), len(version.triggers), len(version.definitions)) == (9, 2, 20)
    assert version.findings == []
    assert ConnectorVersion.model_validate_json(version.model_dump_json()) == version


def test_an_introspection_file_becomes_the_same_version(tmp_path: Path) -> None:
    from_sdl = inspect_file(SHOP)
    path = write_json(tmp_path / "shop.json", {"data": introspection_of(shop_schema())})
    from_json = inspect_file(path)
    assert from_json.metadata.schema_sha256 == from_sdl.metadata.schema_sha256  # type: ignore[union-attr]
    assert from_json.actions == from_sdl.actions
    assert from_json.triggers == from_sdl.triggers
    assert from_json.metadata.endpoint is None  # a file, not an endpoint  # type: ignore[union-attr]


def test_warts_do_not_stop_onboarding() -> None:
    version = inspect_file(WARTS)
    assert [a.name for a in version.actions] == ["thing", "things", "color", "extra"]
    assert {f.kind for f in version.findings} == {
        "duplicate-definition",
        "invalid-graphql-sdl",
        "invalid-graphql-schema",
    }
    assert validate(version) == []


def test_detection_and_naming() -> None:
    parsed = parse(fetch(SHOP))
    assert (parsed.protocol, parsed.kind) == ("graphql", "graphql-sdl")
    assert suggest_name(parsed) == "shop"
