"""A request body's per-property ``encoding`` kept in the binding: OpenAPI 3's Encoding objects,
Swagger 2.0's ``formData`` collection formats; nothing for versions that have none."""

from __future__ import annotations

import json
from typing import Any

from connectory.catalog.digest import content_sha256
from connectory.model import HttpBinding, PropertyEncoding
from connectory.model.version import ConnectorVersion
from tests.support.openapi import corpus_document, findings_of, fixture, generate_version

OK = {"200": {"description": "ok"}}


def _binding(version: ConnectorVersion, name: str) -> HttpBinding:
    binding = version.action(name).binding
    assert isinstance(binding, HttpBinding)
    return binding


def _document(content: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/send": {
                "post": {
                    "operationId": "send",
                    "requestBody": {"$ref": "#/components/requestBodies/Send"},
                    "responses": OK,
                }
            }
        },
        "components": {"requestBodies": {"Send": {"content": content}}},
    }


def test_each_media_types_encoding_is_kept_per_property() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "object"}, "f": {}}}
    version = generate_version(
        _document(
            {
                "application/x-www-form-urlencoded": {
                    "schema": schema,
                    "encoding": {
                        "a": {"style": "deepObject", "explode": True, "allowReserved": True},
                        "f": {"contentType": "application/json"},
                    },
                },
                "multipart/form-data": {
                    "schema": schema,
                    "encoding": {
                        "f": {"contentType": "image/png", "headers": {"X-Rate": {}}},
                        "a": {"style": "matrix", "explode": "yes"},
                        "b": [],
                    },
                },
                "application/json": {"schema": schema, "encoding": {"a": {"style": "form"}}},
            }
        )
    )
    assert _binding(version, "send").encoding == {
        "application/x-www-form-urlencoded": {
            "a": PropertyEncoding(style="deepObject", explode=True, allow_reserved=True),
            "f": PropertyEncoding(content_type="application/json"),
        },
        "multipart/form-data": {"f": PropertyEncoding(content_type="image/png")},
        "application/json": {"a": PropertyEncoding(style="form")},
    }
    where = "/components/requestBodies/Send/content/multipart~1form-data/encoding"
    assert findings_of(version, "invalid-encoding") == {
        f"{where}/a/style": "invalid style: 'matrix'",
        f"{where}/a/explode": "invalid explode: 'yes'",
    }
    assert findings_of(version, "invalid-object") == {f"{where}/b": "not an encoding object: []"}


def test_stripe_declares_deep_objects() -> None:
    version = generate_version(corpus_document("stripe/spec3.json"))
    encoding = _binding(version, "PostCustomers").encoding["application/x-www-form-urlencoded"]
    deep = PropertyEncoding(style="deepObject", explode=True)
    assert (encoding["address"], encoding["metadata"], encoding["expand"]) == (deep, deep, deep)
    assert "email" not in encoding
    files = _binding(version, "PostFiles")
    assert files.encoding["multipart/form-data"]["file_link_data"] == deep


def test_swagger_form_data_arrays_keep_their_collection_format() -> None:
    document = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/up": {
                "post": {
                    "operationId": "up",
                    "consumes": ["multipart/form-data", "application/x-www-form-urlencoded"],
                    "parameters": [
                        {"name": "file", "in": "formData", "type": "file"},
                        {
                            "name": "csv",
                            "in": "formData",
                            "type": "array",
                            "items": {"type": "string"},
                        },
                        {
                            "name": "multi",
                            "in": "formData",
                            "type": "array",
                            "collectionFormat": "multi",
                            "items": {"type": "string"},
                        },
                        {
                            "name": "pipes",
                            "in": "formData",
                            "type": "array",
                            "collectionFormat": "pipes",
                            "items": {"type": "string"},
                        },
                    ],
                    "responses": OK,
                }
            }
        },
    }
    version = generate_version(document)
    kept = {
        "csv": PropertyEncoding(style="form", explode=False),
        "multi": PropertyEncoding(style="form", explode=True),
        "pipes": PropertyEncoding(style="pipeDelimited", explode=False),
    }
    binding = _binding(version, "up")
    assert binding.encoding == {
        "multipart/form-data": kept,
        "application/x-www-form-urlencoded": kept,
    }
    assert version.action("up").input["properties"]["body"]["properties"]["file"] == {  # type: ignore[index]
        "type": "string",
        "format": "binary",
    }


def test_a_body_without_encoding_changes_nothing_stored() -> None:
    petstore = generate_version(fixture("swagger-petstore/swagger.yaml"))
    assert all(_binding(petstore, a.name).encoding == {} for a in petstore.actions)
    dumped = _binding(petstore, "uploadFile").model_dump(mode="json", exclude_defaults=True)
    assert "encoding" not in dumped
    # A version stored before the field existed reads back to the same content hash.
    stored = json.loads(petstore.model_dump_json())
    for action in stored["actions"]:
        assert action["binding"].pop("encoding") == {}
    assert content_sha256(ConnectorVersion.model_validate(stored)) == content_sha256(petstore)
