"""``print_operation`` prints what ``print_ast`` prints, and leaves other documents to it."""

from __future__ import annotations

import pytest
from graphql import parse, print_ast

from connectory.protocols.graphql._printer import print_operation

DOCUMENTS = {
    "variables and nesting": """
        query Repo($owner: String!, $name: String!, $first: [Int!]) {
          repository(owner: $owner, name: $name) { id owner { login } }
        }""",
    "no variables": "mutation Ping { ping }",
    "aliases and fragments": """
        subscription Events {
          events {
            __typename
            ... on Push { id head: ref }
            ... on Tag { id name }
          }
        }""",
    "long argument list wraps": """
        query Search($query: String!, $type: SearchType!, $first: Int, $after: String, $before: String) {
          searchEverythingEverywhere(query: $query, type: $type, first: $first, after: $after, before: $before) {
            nodes { id child(withAVeryLongArgumentName: $query, andAnotherLongArgument: $type) { id } }
          }
        }""",
    "just under the wrap": "query Q($a: Int) { f(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: $a, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb: $a) }",
    "just over the wrap": "query Q($a: Int) { ff(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: $a, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb: $a) }",
}

ELSEWHERE = {
    "anonymous": "{ a }",
    "directives": "query Q($x: Boolean!) { a @include(if: $x) }",
    "literal arguments": 'query Q { a(x: 1, y: "z") }',
    "defaults": "query Q($x: Int = 3) { a(x: $x) }",
    "fragment spreads": "query Q { ...F } fragment F on Query { a }",
    "two operations": "query A { a } query B { b }",
}


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_generated_shapes_print_as_print_ast(text: str) -> None:
    document = parse(text)
    assert print_operation(document) == print_ast(document)


def test_the_wrap_rule_is_exercised() -> None:
    under = print_operation(parse(DOCUMENTS["just under the wrap"]))
    over = print_operation(parse(DOCUMENTS["just over the wrap"]))
    assert "(aaa" in under
    assert "(\n    aaa" in over


@pytest.mark.parametrize("text", ELSEWHERE.values(), ids=ELSEWHERE.keys())
def test_other_documents_go_to_print_ast(text: str) -> None:
    document = parse(text)
    assert print_operation(document) == print_ast(document)
