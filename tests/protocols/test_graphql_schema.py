"""Building schemas from SDL and introspection results: warts as findings, the canonical hash."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest
from graphql import build_ast_schema, parse, resolve_schema_coordinate, validate_schema

from connectory.errors import DocumentError, ProtocolError
from connectory.protocols.graphql._coordinates import coordinate_in
from connectory.protocols.graphql.parse import (
    _schema_errors,
    load_introspection,
    load_sdl,
    schema_from_sdl,
)
from connectory.settings import DEFAULT_SETTINGS, Settings
from tests.support.graphql import SHOP, WARTS, inspect_file, introspection_of, shop_schema


def _by_kind(findings: list) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for finding in findings:
        found.setdefault(finding.kind, set()).add(finding.location)
    return found


def test_warts_become_findings_at_schema_coordinates() -> None:
    loaded = load_sdl(WARTS.read_text(), "warts.graphql")
    assert _by_kind(loaded.findings) == {
        "duplicate-definition": {"Thing.title", "Thing.size(unit:)", "Extra", "Color.RED"},
        "invalid-graphql-sdl": {"Query.things"},
        "invalid-graphql-schema": {"Thing.name"},
    }
    assert all(f.severity == "warning" for f in loaded.findings)
    wart = next(f for f in loaded.findings if f.kind == "invalid-graphql-schema")
    assert "must not be deprecated" in wart.message
    assert "(line 9)" in wart.message
    # the first definition is kept: Extra has field a, not b; RED is listed once
    schema = loaded.schema
    assert list(schema.type_map["Extra"].fields) == ["a"]  # type: ignore[union-attr]
    assert list(schema.type_map["Color"].values) == ["RED", "GREEN"]  # type: ignore[union-attr]
    assert list(schema.type_map["Thing"].fields["size"].args) == ["unit"]  # type: ignore[union-attr]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_schema_errors_are_graphql_cores_with_their_lines(newline: str) -> None:
    """The schema's rules are checked as ``validate_schema`` checks them, and each error has the
    nodes, positions and lines graphql-core gives it (counted another way: see ``parse``)."""
    text = "# a comment" + newline + WARTS.read_text().replace("\n", newline)
    schema = build_ast_schema(parse(text), assume_valid_sdl=True)
    errors = _schema_errors(schema)
    expected = validate_schema(build_ast_schema(parse(text), assume_valid_sdl=True))
    assert len(errors) == len(expected) > 0

    def seen(error: object) -> tuple[object, ...]:
        return tuple(getattr(error, a) for a in ("message", "positions", "locations", "formatted"))

    assert [seen(e) for e in errors] == [seen(e) for e in expected]
    assert [[n.loc.start for n in e.nodes] for e in errors] == [  # type: ignore[union-attr]
        [n.loc.start for n in e.nodes]  # type: ignore[union-attr]
        for e in expected
    ]
    assert validate_schema(schema) == errors  # graphql-core remembers them as its own


def test_finding_locations_resolve_in_the_schema() -> None:
    loaded = load_sdl(WARTS.read_text(), "warts.graphql")
    for finding in loaded.findings:
        assert resolve_schema_coordinate(loaded.schema, finding.location) is not None, finding


def test_introspection_warts_are_located_from_the_message() -> None:
    """An introspected schema has no AST: the coordinate is read from graphql-core's message."""
    loaded = load_sdl(WARTS.read_text(), "warts.graphql")
    again = load_introspection(introspection_of(schema_from_sdl(loaded.sdl)), "warts.json")
    assert _by_kind(again.findings) == {"invalid-graphql-schema": {"Thing.name"}}


@pytest.mark.parametrize(
    ("message", "coordinate"),
    [
        (
            "Interface field Reactable.databaseId is not deprecated, so implementation field "
            "PullRequest.databaseId must not be deprecated.",
            "PullRequest.databaseId",
        ),
        (
            "Argument 'Thing.size(unit:)' must not be required type 'String!' if not provided by "
            "the Interface field 'Named.size'.",
            "Thing.size(unit:)",
        ),
        ("Type Query must define one or more fields.", "Query"),
        (
            "Union type SearchResult can only include Object types, it cannot include Node.",
            "SearchResult",
        ),
        ("The type of @cached(ttl:) must be Input Type but got: Thing.", "@cached(ttl:)"),
    ],
)
def test_coordinates_in_graphql_core_messages(message: str, coordinate: str) -> None:
    names = {"Query", "SearchResult", "Node", "Thing", "PullRequest", "Reactable"}
    assert coordinate_in(message, names) == coordinate


def test_the_same_schema_hashes_the_same_however_given() -> None:
    from_sdl = load_sdl(SHOP.read_text(), "shop.graphql")
    result = introspection_of(shop_schema())
    from_json = load_introspection(result, "shop.json")
    wrapped = load_introspection({"data": result}, "response.json")
    shuffled = copy.deepcopy(result)
    rng = random.Random(7)
    rng.shuffle(shuffled["__schema"]["types"])
    for type_ in shuffled["__schema"]["types"]:
        if type_.get("fields"):
            rng.shuffle(type_["fields"])
    reordered = load_introspection(shuffled, "shuffled.json")
    assert from_sdl.sha256 == from_json.sha256 == wrapped.sha256 == reordered.sha256
    assert from_sdl.sdl == reordered.sdl


def test_any_visible_change_changes_the_hash() -> None:
    text = SHOP.read_text()
    base = load_sdl(text, "shop.graphql").sha256
    assert load_sdl(text.replace('"What it is called."', '"Its name."'), "x").sha256 != base
    assert load_sdl(text.replace("  version: String!", "  version: String"), "x").sha256 != base


def test_syntax_errors_name_line_and_column() -> None:
    with pytest.raises(DocumentError, match=r"not valid GraphQL SDL: Expected Name") as caught:
        load_sdl("type Query {\n  a: Int\n  b:\n}\n", "bad.graphql")
    assert caught.value.location == "bad.graphql:4:1"


def test_an_enormous_token_count_is_refused() -> None:
    text = "type Query { " + "a: Int " * 400 + "}"
    with pytest.raises(DocumentError, match="more than 1,000 tokens: too large to parse"):
        load_sdl(text, "huge.graphql", settings=Settings(graphql_max_sdl_tokens=1000))


def test_the_sdl_token_cap_is_a_setting_that_onboarding_passes_down(tmp_path: Path) -> None:
    assert DEFAULT_SETTINGS.graphql_max_sdl_tokens == 500_000
    path = tmp_path / "shop.graphql"
    path.write_text(SHOP.read_text())
    assert inspect_file(path).actions  # the default cap lets the shop through
    lower = Settings(graphql_max_sdl_tokens=50)
    with pytest.raises(DocumentError, match="more than 50 tokens: too large to parse") as caught:
        inspect_file(path, settings=lower)
    assert str(path) in str(caught.value.location)
    assert "raise CONNECTORY_GRAPHQL_MAX_SDL_TOKENS if you trust it" in str(caught.value)


@pytest.mark.slow
def test_the_default_token_cap_refuses_a_document_over_it() -> None:
    cap = DEFAULT_SETTINGS.graphql_max_sdl_tokens
    text = "type Query { " + "a: Int " * (cap // 3 + 10) + "}"
    with pytest.raises(DocumentError, match=f"more than {cap:,} tokens"):
        load_sdl(text, "huge.graphql")  # refused at the cap, not after parsing all of it


def test_deeply_nested_list_types_are_a_clear_error() -> None:
    text = "type Query { a: " + "[" * 5000 + "Int" + "]" * 5000 + " }"
    with pytest.raises(DocumentError, match="nested too deeply"):
        load_sdl(text, "deep.graphql")


def test_sdl_that_names_undefined_types_cannot_be_built() -> None:
    with pytest.raises(ProtocolError, match=r"Unknown type 'Missing'.*\(bad.graphql:1:17\)"):
        load_sdl("type Query { a: Missing }", "bad.graphql")


def test_the_shop_fixture_is_clean(tmp_path: Path) -> None:
    assert load_sdl(SHOP.read_text(), "shop.graphql").findings == []
