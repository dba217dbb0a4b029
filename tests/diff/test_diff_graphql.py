"""GraphQL diffs: a hand-made pair, a no-op, and GitHub's real drift against graphql-core."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import build_client_schema, find_breaking_changes

from connectory import diff, inspect
from tests.conftest import corpus_file

V1 = """
type Query {
  a: Int
  b(x: Int): String
  pets(kind: Kind): [Pet!]!
}
enum Kind { CAT DOG }
type Pet { name: String! }
"""

V2 = """
type Query {
  b(x: Int!): String
  c: Boolean
  pets(kind: Kind): [Pet!]!
}
enum Kind { CAT }
type Pet { name: String! age: Int }
"""


def _version(tmp_path: Path, name: str, sdl: str):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(sdl)
    return inspect(path, connector="pets")


def test_each_kind_of_schema_change_with_its_level(tmp_path: Path) -> None:
    changes = diff(_version(tmp_path, "v1.graphql", V1), _version(tmp_path, "v2.graphql", V2))
    found = {(c.level, c.kind, c.location) for c in changes}
    assert ("breaking", "action-removed", "actions/a") in found
    assert ("safe", "action-added", "actions/c") in found
    breaking = {(c.kind, c.location) for c in changes if c.level == "breaking"}
    assert ("field-removed", "Query.a") in breaking
    assert ("value-removed-from-enum", "Kind.DOG") in breaking
    assert any(location.startswith("Query.b(x:") for _, location in breaking)
    safe = {(c.kind, c.location) for c in changes if c.level == "safe"}
    assert ("field-added", "Pet.age") in safe


def test_the_same_schema_written_differently_reports_nothing(tmp_path: Path) -> None:
    reordered = V1.replace("  a: Int\n  b(x: Int): String\n", "  b(x: Int): String\n  a: Int\n")
    old = _version(tmp_path, "v1.graphql", V1)
    new = _version(tmp_path, "again.graphql", reordered)
    assert old.sha256 != new.sha256
    assert diff(old, new) == []


@pytest.mark.slow
def test_github_drift_finds_every_breaking_change_graphql_core_finds() -> None:
    old_path = corpus_file("graphql", "github", "schema-14.58.0.json")
    new_path = corpus_file("graphql", "github", "schema-15.25.0.json")
    changes = diff(inspect(old_path, connector="github"), inspect(new_path, connector="github"))
    ours = {c.message for c in changes if c.level == "breaking"}

    def schema(path: Path):  # type: ignore[no-untyped-def]
        data = json.loads(path.read_text())
        return build_client_schema(data.get("data", data))

    theirs = {
        change.description for change in find_breaking_changes(schema(old_path), schema(new_path))
    }
    assert theirs, "the GitHub pair has breaking changes"
    assert theirs <= ours
