"""The whole document -> a draft version: what is rejected, what is kept, what is left alone."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from connectory.errors import DocumentError, InputError, ProtocolError
from connectory.model.version import (
    ConnectorVersion,
    HttpMetadata,
    Server,
    ServerVariable,
    definition_uri,
)
from connectory.protocols import openapi
from connectory.schemas.registry import validator_for
from tests.support.openapi import (
    FIXTURES,
    check_schemas,
    count_operations,
    findings_of,
    fixture,
    generate_version,
    load,
)

HAND_WRITTEN = ["schemas-3.0.yaml", "operations-3.0.yaml", "security-3.1.yaml"]
REAL = sorted(path.name for path in (FIXTURES / "apis-guru").glob("*.json"))


def test_public_surface() -> None:
    """The protocol contract (``connectory.protocols.contract``), nothing else."""
    assert openapi.__all__ == ["DIFFER", "NAME", "generate"]


def test_swagger_2_is_read_into_the_same_model() -> None:
    version = generate_version(fixture("swagger-2.0.yaml"))
    assert [(a.name, a.binding.method) for a in version.actions] == [("get_pets", "GET")]  # type: ignore[union-attr]
    assert [s.url for s in version.metadata.servers] == ["https://example.com/v1"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("document", "error", "location"),
    [
        ([], DocumentError, ""),
        ({"info": {"title": "no version"}, "paths": {}}, ProtocolError, "/openapi"),
        ({"openapi": "2.5", "paths": {}}, ProtocolError, "/openapi"),
        ({"openapi": "3.2.0", "paths": {}}, ProtocolError, "/openapi"),
        ({"openapi": 3, "paths": {}}, ProtocolError, "/openapi"),
        ({"openapi": "3.0.3", "paths": ["/a"]}, ProtocolError, "/paths"),
        ({"swagger": "1.2", "paths": {}}, ProtocolError, "/swagger"),
        ({"swagger": "2.0", "definitions": []}, ProtocolError, "/definitions"),
        ({"openapi": "3.1.0", "paths": {}, "components": "none"}, ProtocolError, "/components"),
    ],
)
def test_not_openapi_3(document: Any, error: type[InputError], location: str) -> None:
    with pytest.raises(error) as raised:
        generate_version(document)
    assert raised.value.location == location


def test_a_numeric_version_is_accepted_with_a_finding() -> None:
    version = generate_version(
        {"openapi": 3.0, "info": {"title": "t", "version": "1"}, "paths": {}}
    )
    assert list(findings_of(version, "invalid-openapi-version")) == ["/openapi"]


def test_paths_are_optional_in_3_1_only() -> None:
    info = {"title": "t", "version": "1"}
    assert generate_version({"openapi": "3.1.0", "info": info}).findings == []
    version = generate_version({"openapi": "3.0.0", "info": info})
    assert list(findings_of(version, "missing-paths")) == ["/paths"]


@pytest.mark.parametrize("name", HAND_WRITTEN + [f"apis-guru/{name}" for name in REAL])
def test_the_input_is_left_unchanged(name: str) -> None:
    document = fixture(name)
    pristine = copy.deepcopy(document)
    version = generate_version(document)
    assert document == pristine
    # ...and what came out survives the JSON round trip the catalogue store will give it.
    assert ConnectorVersion.model_validate_json(version.model_dump_json()) == version


def test_version_fields() -> None:
    version = generate_version(fixture("operations-3.0.yaml"), source="file:operations-3.0.yaml")
    assert (version.connector, version.version, version.state, version.protocol) == (
        "test",
        None,
        "draft",
        "http",
    )
    assert (version.title, version.description, version.document_version) == (
        "Operations",
        "Things to call.",
        "2.1.0",
    )
    assert version.source == "file:operations-3.0.yaml"
    assert version.metadata == HttpMetadata(
        servers=[
            Server(
                url="https://{region}.example.com/v1",
                description="regional",
                variables={
                    "region": ServerVariable(default="eu", enum=["eu", "us"], description="where"),
                    "port": ServerVariable(default="443"),  # YAML gave an int
                },
            )
        ]
    )


@pytest.mark.parametrize("name", REAL)
def test_small_real_documents(name: str) -> None:
    document = load(FIXTURES / "apis-guru" / name)
    version = generate_version(document)
    assert len(version.actions) == count_operations(document)
    assert len({a.name for a in version.actions}) == len(version.actions)
    components = list(document.get("components", {}).get("schemas", {}))
    names = [d.name for d in version.definitions]
    assert names[: len(components)] == components  # then the promoted recursive ones
    check_schemas(version)


def test_twilio_nullable_and_security() -> None:
    version = generate_version(load(FIXTURES / "apis-guru" / "twilio.com-twilio_flex_v2.json"))
    channel = version.definition("flex.v2.web_channel").content
    assert channel["properties"]["identity"]["type"] == ["string", "null"]  # type: ignore[index]
    assert version.action("CreateWebChannel").auth == [{"accountSid_authToken": []}]
    assert [m.type for m in version.auth_methods] == ["http_basic"]
    assert version.findings == []


def test_codat_recursive_local_definitions_become_definitions() -> None:
    version = generate_version(load(FIXTURES / "apis-guru" / "codat.io-bank-feeds.json"))
    # A schema under PushOption's own `definitions` refers to itself: it becomes a definition of
    # its own, and stays recursive, instead of being inlined.
    name = "PushOption.definitions.pushOptionProperty"
    assert version.definitions[-1].name == name
    content = version.definition(name).content
    assert content["properties"]["properties"]["additionalProperties"] == {  # type: ignore[index]
        "$ref": definition_uri(name)
    }
    option = version.definition("PushOption").content
    assert option["properties"]["properties"]["additionalProperties"] == {  # type: ignore[index]
        "$ref": definition_uri(name)
    }
    validator = validator_for({"$ref": definition_uri(name)}, version)
    nested = {"displayName": "a", "description": "b", "required": True, "type": "Object"}
    assert validator.is_valid({**nested, "properties": {"x": nested}})
    assert not validator.is_valid({**nested, "properties": {"x": {**nested, "type": 5}}})
    # Its real wart: an example of one allOf branch that lacks a property another branch wants.
    # (Its example links are not URI references either, but uri-reference is not among the
    # formats checked: connectory.schemas.FORMATS.)
    assert [(f.kind, f.location) for f in version.findings] == [
        ("example-mismatch", "/components/schemas/BankTransactionsResponse/allOf/1/examples/0"),
    ]
    assert "'pageNumber' is a required property" in version.findings[0].message


def test_adyen_webhooks_only() -> None:
    version = generate_version(
        load(FIXTURES / "apis-guru" / "adyen.com-BalancePlatformReportNotification-v1.json")
    )
    assert version.actions == []
    assert [(t.name, t.kind) for t in version.triggers] == [
        ("balancePlatform.report.created", "webhook")
    ]
    assert version.triggers[0].payload is not None
