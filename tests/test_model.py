"""The domain model: lossless JSON round trips, discriminated unions, names and labels."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from connectory.errors import InvalidName, NotFound
from connectory.model.auth import WSSecurityUsernameTokenAuth
from connectory.model.version import (
    Action,
    Board,
    BoardUse,
    ConnectorVersion,
    Definition,
    GraphQLBinding,
    GraphQLMetadata,
    HttpMetadata,
    SoapBinding,
    check_label,
    check_name,
)

from .support.samples import rich_version

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_version_round_trips_through_json_losslessly() -> None:
    version = rich_version()
    text = version.model_dump_json()
    again = ConnectorVersion.model_validate_json(text)
    assert again == version
    assert again.model_dump_json() == text
    assert ConnectorVersion.model_validate(json.loads(text)) == version


def test_json_has_the_documented_keys() -> None:
    data = json.loads(rich_version().model_dump_json())
    assert {"connector", "version", "state", "protocol", "sha256", "actions", "triggers"} <= set(
        data
    )
    assert {"definitions", "auth_methods", "findings"} <= set(data)
    action = data["actions"][0]
    assert {"name", "binding", "input", "outputs"} <= set(action)
    assert action["outputs"][0]["schema"] == {"$ref": "urn:connectory:definition:Thing"}
    assert [b["binding"]["kind"] for b in data["actions"]] == ["http", "graphql", "soap"]
    assert {m["type"] for m in data["auth_methods"]} >= {
        "api_key",
        "oauth2",
        "custom_request",
        "custom_function",
        "ws_security_username_token",
    }
    assert {d["format"] for d in data["definitions"]} == {"json-schema", "xsd"}


def test_graphql_and_soap_bindings_round_trip() -> None:
    version = ConnectorVersion(
        connector="gh",
        protocol="graphql",
        source="https://api.example/graphql",
        sha256="0" * 64,
        fetched_at=NOW,
        metadata=GraphQLMetadata(endpoint="https://api.example/graphql", introspected_at=NOW),
        actions=[
            Action(
                name="viewer",
                binding=GraphQLBinding(
                    operation_type="query", field="viewer", document="query { viewer { id } }"
                ),
            )
        ],
        auth_methods=[WSSecurityUsernameTokenAuth(name="ws", password_type="digest")],
    )
    assert ConnectorVersion.model_validate_json(version.model_dump_json()) == version
    soap = SoapBinding(operation="GetQuote", soap_action="urn:GetQuote", soap_version="1.2")
    assert SoapBinding.model_validate_json(soap.model_dump_json()) == soap


def test_metadata_must_match_the_protocol() -> None:
    with pytest.raises(ValidationError, match="HTTP metadata on a SOAP version"):
        ConnectorVersion(
            connector="x",
            protocol="soap",
            source="s",
            sha256="0" * 64,
            fetched_at=NOW,
            metadata=HttpMetadata(),
        )


def test_unknown_auth_type_and_extra_keys_are_refused() -> None:
    data = json.loads(rich_version().model_dump_json())
    data["auth_methods"][0]["type"] = "magic"
    with pytest.raises(ValidationError, match="magic"):
        ConnectorVersion.model_validate(data)
    data = json.loads(rich_version().model_dump_json())
    data["surprise"] = 1
    with pytest.raises(ValidationError, match="surprise"):
        ConnectorVersion.model_validate(data)


def test_definition_content_must_match_its_format() -> None:
    with pytest.raises(ValidationError, match="xsd definition's content is the XSD text"):
        Definition(name="x", format="xsd", content={"type": "object"})
    with pytest.raises(ValidationError, match="json-schema definition's content"):
        Definition(name="x", content="<xs:schema/>")


@pytest.mark.parametrize("name", ["github", "a", "stripe-v2", "my_api.v1"])
def test_good_names(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "GitHub", "-x", "x-", "a b", "a@b", "x" * 65])
def test_bad_names(name: str) -> None:
    with pytest.raises(InvalidName, match="invalid connector name"):
        check_name(name)


@pytest.mark.parametrize("label", ["1.0.0", "2", "1.1.4+abcdef12", "2024-01-01", "v3"])
def test_good_labels(label: str) -> None:
    assert check_label(label) == label


@pytest.mark.parametrize("label", ["latest", "default"])
def test_reserved_labels_are_refused(label: str) -> None:
    with pytest.raises(InvalidName, match="reserved label"):
        check_label(label)


@pytest.mark.parametrize("label", ["", "a@b", "x/y", "1.0 ", "-1"])
def test_bad_labels(label: str) -> None:
    with pytest.raises(InvalidName, match="invalid version label"):
        check_label(label)


def test_lookups_name_the_known_values() -> None:
    version = rich_version()
    assert version.action("update-thing").binding.kind == "http"
    with pytest.raises(NotFound, match=r"no action 'nope' \(known: Calculator.Add, things, upd"):
        version.action("nope")


def test_boards_round_trip_and_check_names() -> None:
    board = Board(name="sync-pets", uses=[BoardUse(connector="petstore", version="latest")])
    assert Board.model_validate_json(board.model_dump_json()) == board
    with pytest.raises(ValidationError, match="invalid board name"):
        Board(name="Sync Pets")
