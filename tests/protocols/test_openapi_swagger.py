"""Swagger 2.0 -> the same model as OpenAPI 3 (fixtures: swagger-petstore/, swagger-multi/)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from connectory.model.auth import ApiKeyAuth, BasicAuth, OAuth2Auth, OAuth2Flow
from connectory.model.version import Action, ConnectorVersion, HttpBinding, Server, definition_uri
from connectory.onboarding import inspect
from connectory.schemas.registry import validator_for
from tests.support.openapi import FIXTURES, check_schemas, findings_of, fixture, generate_version

PETSTORE = "swagger-petstore/swagger.yaml"


@pytest.fixture(scope="module")
def petstore() -> ConnectorVersion:
    return generate_version(fixture(PETSTORE), source="https://petstore.swagger.io/v2/swagger.json")


@pytest.fixture(scope="module")
def kennel() -> ConnectorVersion:
    return inspect(FIXTURES / "swagger-multi")


def binding(action: Action) -> HttpBinding:
    assert isinstance(action.binding, HttpBinding)
    return action.binding


def test_every_operation_is_an_action(petstore: ConnectorVersion) -> None:
    assert [a.name for a in petstore.actions] == [
        "uploadFile",
        "updatePet",  # methods in the order get, put, post, delete, ...
        "addPet",
        "findPetsByStatus",
        "findPetsByTags",
        "getPetById",
        "updatePetWithForm",
        "deletePet",
        "getInventory",
        "placeOrder",
        "getOrderById",
        "deleteOrder",
        "createUsersWithListInput",
        "getUserByName",
        "updateUser",
        "deleteUser",
        "loginUser",
        "logoutUser",
        "createUsersWithArrayInput",
        "createUser",
    ]
    assert [a.name for a in petstore.actions if a.deprecated] == ["findPetsByTags"]
    assert check_schemas(petstore) > 20
    assert petstore.findings == []


def test_host_base_path_and_schemes_are_servers(petstore: ConnectorVersion) -> None:
    assert petstore.metadata.servers == [  # type: ignore[union-attr]
        Server(url="https://petstore.swagger.io/v2"),
        Server(url="http://petstore.swagger.io/v2"),
    ]


def test_definitions_are_json_schema_2020_12(petstore: ConnectorVersion) -> None:
    assert [d.name for d in petstore.definitions] == [
        "ApiResponse",
        "Category",
        "Pet",
        "Tag",
        "Order",
        "User",
    ]
    pet = petstore.definition("Pet").content
    assert isinstance(pet, dict)
    assert pet["properties"]["tags"]["items"] == {
        "xml": {"name": "tag"},
        "$ref": definition_uri("Tag"),
    }
    assert pet["properties"]["name"] == {"type": "string", "examples": ["doggie"]}


def test_a_body_parameter_is_the_request_body(petstore: ConnectorVersion) -> None:
    add = petstore.action("addPet")
    assert binding(add).request_media_types == ["application/json", "application/xml"]
    assert binding(add).body_required is True
    assert binding(add).parameters == []
    assert add.input == {
        "type": "object",
        "properties": {"body": {"$ref": definition_uri("Pet")}},
        "required": ["body"],
        "additionalProperties": False,
    }
    validator = validator_for(add.input, petstore)
    assert validator.is_valid({"body": {"name": "Rex", "photoUrls": []}})
    assert not validator.is_valid({"body": {"name": "Rex"}})


def test_form_data_is_a_form_or_multipart_body(petstore: ConnectorVersion) -> None:
    upload = petstore.action("uploadFile")
    assert binding(upload).request_media_types == ["multipart/form-data"]
    assert upload.input["properties"]["body"] == {  # type: ignore[index]
        "type": "object",
        "properties": {
            "additionalMetadata": {"type": "string"},
            "file": {"type": "string", "format": "binary"},
        },
    }
    form = petstore.action("updatePetWithForm")
    assert binding(form).request_media_types == ["application/x-www-form-urlencoded"]
    assert [p.name for p in binding(form).parameters] == ["petId"]
    assert binding(form).body_required is False


def test_parameters_take_their_schema_and_style(petstore: ConnectorVersion) -> None:
    by_status = petstore.action("findPetsByStatus")
    (status,) = binding(by_status).parameters
    assert (status.location, status.required, status.style, status.explode) == (
        "query",
        True,
        "form",
        True,
    )
    assert by_status.input["properties"]["query"]["properties"]["status"] == {  # type: ignore[index]
        "type": "array",
        "items": {
            "type": "string",
            "enum": ["available", "pending", "sold"],
            "default": "available",
        },
        "description": "Status values that need to be considered for filter",
    }
    order = petstore.action("getOrderById").input
    assert order["properties"]["path"]["properties"]["orderId"]["maximum"] == 10  # type: ignore[index]


def test_responses_and_their_headers(petstore: ConnectorVersion) -> None:
    login = petstore.action("loginUser")
    ok, bad = login.outputs
    assert (ok.status, ok.media_types, ok.schema_) == (
        "200",
        ["application/json", "application/xml"],
        {"type": "string"},
    )
    assert ok.headers == {
        "X-Expires-After": {"type": "string", "format": "date-time"},
        "X-Rate-Limit": {"type": "integer", "format": "int32"},
    }
    assert (bad.status, bad.media_types, bad.schema_) == ("400", [], None)
    assert [o.status for o in petstore.action("logoutUser").outputs] == ["default"]


def test_security_definitions_and_requirements(petstore: ConnectorVersion) -> None:
    assert petstore.auth_methods == [
        ApiKeyAuth(name="api_key", location="header", parameter="api_key"),
        OAuth2Auth(
            name="petstore_auth",
            flows=[
                OAuth2Flow(
                    grant="implicit",
                    authorization_url="https://petstore.swagger.io/oauth/authorize",
                    scopes={
                        "read:pets": "read your pets",
                        "write:pets": "modify pets in your account",
                    },
                )
            ],
        ),
    ]
    assert petstore.action("addPet").auth == [{"petstore_auth": ["write:pets", "read:pets"]}]
    assert petstore.action("getPetById").auth == [{"api_key": []}]
    assert petstore.action("placeOrder").auth is None  # the version's default: none here
    assert petstore.default_auth == []


def test_a_split_description_is_bundled(kennel: ConnectorVersion) -> None:
    assert [d.name for d in kennel.definitions] == [
        "Booking",
        "pet.Pet",
        "common.Error",
        "common.Tag",
    ]
    pet = kennel.definition("pet.Pet").content
    assert pet["properties"]["parent"] == {"$ref": definition_uri("pet.Pet")}  # type: ignore[index]
    assert pet["discriminator"] == {"propertyName": "kind"}  # type: ignore[index]
    assert kennel.definition("common.Tag").content == {
        "type": ["string", "null"],  # x-nullable
        "pattern": "^[a-z-]+$",
        "x-nullable": True,
    }
    assert [a.name for a in kennel.actions] == [
        "listPets",
        "addPet",
        "getPet",
        "replacePet",
        "downloadPhoto",
        "uploadPhoto",
        "listBookings",
        "book",
    ]
    assert [o.schema_ for o in kennel.action("getPet").outputs] == [
        {"$ref": definition_uri("pet.Pet")},
        {"$ref": definition_uri("common.Error")},
    ]
    check_schemas(kennel)


def test_collection_formats_become_styles(kennel: ConnectorVersion) -> None:
    parameters = binding(kennel.action("listBookings")).parameters
    assert [(p.name, p.style, p.explode) for p in parameters] == [
        ("ids", "form", False),
        ("nights", "spaceDelimited", False),
        ("rooms", "pipeDelimited", False),
        ("notes", "tabDelimited", False),
        ("status", "form", True),
        ("X-Trace", "simple", False),
        ("since", None, None),
        ("limit", None, None),
    ]
    limit = kennel.action("listBookings").input["properties"]["query"]["properties"]["limit"]  # type: ignore[index]
    assert limit == {"type": "integer", "minimum": 1, "exclusiveMaximum": 100, "default": 20}


def test_a_file_response_and_all_oauth_flows(kennel: ConnectorVersion) -> None:
    download = kennel.action("downloadPhoto").outputs[0]
    assert download.schema_ == {"type": "string", "format": "binary"}
    assert download.media_types == ["image/jpeg", "image/png"]
    assert set(download.headers) == {"Content-Length", "ETag"}
    grants = [
        flow.grant for m in kennel.auth_methods if isinstance(m, OAuth2Auth) for flow in m.flows
    ]
    assert grants == ["client_credentials", "password", "authorization_code"]
    assert isinstance(kennel.auth_methods[0], BasicAuth)
    assert kennel.default_auth == [{"key": []}]
    assert kennel.action("book").auth == []
    assert kennel.action("listBookings").auth == [{"basic": []}, {"oauth_app": ["bookings.read"]}]


def test_the_warts_are_findings(kennel: ConnectorVersion) -> None:
    assert findings_of(kennel, "example-mismatch") == {
        "/definitions/Booking/properties/notes/example": (
            "the example does not match its schema: 42 is not of type 'string'"
        )
    }
    assert list(findings_of(kennel, "assumed-scheme")) == ["/schemes"]
    assert {f.kind for f in kennel.findings} == {"example-mismatch", "assumed-scheme"}


@pytest.mark.parametrize(
    ("document", "servers"),
    [
        ({"host": "h.example", "schemes": ["http"]}, ["http://h.example"]),
        ({"basePath": "/v1"}, ["/v1"]),
        ({}, ["/"]),
    ],
)
def test_servers_without_everything(document: dict[str, Any], servers: list[str]) -> None:
    base: dict[str, Any] = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    version = generate_version({**base, **document}, source="http://docs.example/swagger.json")
    assert [s.url for s in version.metadata.servers] == servers  # type: ignore[union-attr]


def test_the_document_is_left_unchanged() -> None:
    document = fixture(PETSTORE)
    pristine = copy.deepcopy(document)
    generate_version(document)
    assert document == pristine
