"""Dispatch on protocol: versions of two protocols do not compare, and a protocol's differ plugs
into the common comparison."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectory import diff
from connectory.changes import supports
from connectory.changes.versions import Context, Differ, compare_versions
from connectory.errors import ProtocolError
from connectory.model.version import (
    Action,
    Change,
    ConnectorVersion,
    GraphQLBinding,
    GraphQLMetadata,
)
from tests.support.samples import sha, small_version


def _graphql(seed: str, *fields: str) -> ConnectorVersion:
    return ConnectorVersion(
        connector="gql",
        protocol="graphql",
        source="schema.graphql",
        sha256=sha(seed),
        fetched_at=datetime(2024, 1, 1, tzinfo=UTC),
        metadata=GraphQLMetadata(),
        actions=[
            Action(
                name=field,
                binding=GraphQLBinding(
                    operation_type="query", field=field, document=f"{{ {field} }}"
                ),
            )
            for field in fields
        ],
    )


def test_versions_of_two_protocols_do_not_compare() -> None:
    with pytest.raises(ProtocolError, match="cannot diff an HTTP version"):
        diff(small_version(), _graphql("1"))


def test_every_protocol_can_be_diffed() -> None:
    assert all(supports(protocol) for protocol in ("http", "graphql", "soap"))
    assert not supports("grpc")


def test_a_protocol_differ_plugs_into_the_common_comparison() -> None:
    """As the GraphQL differ does: recognise actions by field, add changes of its own kinds."""
    own = Change(kind="field-type-changed", level="dangerous", location="Query.b", message="b")

    def version_part(context: Context) -> None:
        context.report.extend([own, own])  # its own kinds, as they are; duplicates dropped

    differ = Differ(
        key=lambda action: action.binding.field,  # type: ignore[union-attr]
        version=version_part,
        action=lambda context, old, new, location: None,
    )
    context = Context(_graphql("1", "a", "b"), _graphql("2", "b", "c"))
    compare_versions(context, differ)
    assert [(c.kind, c.level, c.location) for c in context.report.changes()] == [
        ("action-removed", "breaking", "actions/a"),
        ("field-type-changed", "dangerous", "Query.b"),
        ("action-added", "safe", "actions/c"),
    ]
