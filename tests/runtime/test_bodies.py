"""Request bodies on the wire (``connectory.runtime.bodies``), checked by servers that parse them
with real parsers on loopback: ``qs`` (Stripe-style brackets) and Node's multipart parser in a
Node server, werkzeug's multipart parser in a Python one. Stripe's real OpenAPI description
gives the Stripe cases."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError
from connectory.model.version import ConnectorVersion
from connectory.runtime import build_request, invoke
from connectory.settings import Settings
from tests.conftest import FIXTURES, corpus_file
from tests.support.consent import accept
from tests.support.form_server import NodeUnavailable, node_qs_server, serve_parsed
from tests.support.servers import serve

pytest.importorskip("werkzeug", reason="werkzeug parses multipart bodies here")
from werkzeug.formparser import MultiPartParser

PDF = b"%PDF-1.4\n\x00\xff\xfe binary \r\n--not-a-boundary\r\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
OK = {"200": {"description": "ok"}}

UPLOADS = {
    "openapi": "3.1.0",
    "info": {"title": "Uploads", "version": "1.0.0"},
    "servers": [{"url": "https://uploads.invalid"}],
    "paths": {
        "/forms": {
            "post": {
                "operationId": "sendForm",
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "active": {"type": "boolean"},
                                    "count": {"type": "integer"},
                                    "tags": {"type": "array", "items": {"type": "string"}},
                                    "ids": {"type": "array", "items": {"type": "integer"}},
                                    "colors": {"type": "array", "items": {"type": "string"}},
                                    "filter": {"type": "object"},
                                    "profile": {"type": "object"},
                                    "settings": {"type": "object"},
                                    "redirect": {"type": "string"},
                                },
                            },
                            "encoding": {
                                "ids": {"style": "form", "explode": False},
                                "colors": {"style": "pipeDelimited"},
                                "filter": {"style": "deepObject", "explode": True},
                                "settings": {"contentType": "application/json"},
                                "redirect": {"allowReserved": True},
                            },
                        }
                    }
                },
                "responses": OK,
            }
        },
        "/upload": {
            "post": {
                "operationId": "upload",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "title": {"type": "string"},
                                    "doc": {"type": "string", "format": "binary"},
                                    "images": {
                                        "type": "array",
                                        "items": {"type": "string", "format": "binary"},
                                    },
                                    "meta": {"type": "object"},
                                    "labels": {"type": "array", "items": {"type": "string"}},
                                },
                            },
                            "encoding": {
                                "doc": {"contentType": "application/pdf"},
                                "images": {"contentType": "image/png, image/jpeg"},
                            },
                        }
                    },
                },
                "responses": OK,
            }
        },
        "/blob": {
            "put": {
                "operationId": "putBlob",
                "requestBody": {
                    "content": {
                        "application/octet-stream": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    }
                },
                "responses": OK,
            }
        },
    },
}

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Pets", "version": "1.0.0"},
    "host": "pets.invalid",
    "schemes": ["https"],
    "paths": {
        "/pets/{id}/photos": {
            "post": {
                "operationId": "addPhoto",
                "consumes": ["multipart/form-data"],
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "type": "string"},
                    {"name": "caption", "in": "formData", "type": "string"},
                    {"name": "photo", "in": "formData", "type": "file", "required": True},
                    {
                        "name": "tags",
                        "in": "formData",
                        "type": "array",
                        "items": {"type": "string"},
                    },
                    {
                        "name": "ids",
                        "in": "formData",
                        "type": "array",
                        "items": {"type": "integer"},
                        "collectionFormat": "multi",
                    },
                ],
                "responses": OK,
            }
        },
        "/pets/{id}": {
            "post": {
                "operationId": "updatePet",
                "consumes": ["application/x-www-form-urlencoded"],
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "type": "string"},
                    {"name": "name", "in": "formData", "type": "string"},
                    {
                        "name": "tags",
                        "in": "formData",
                        "type": "array",
                        "items": {"type": "string"},
                        "collectionFormat": "pipes",
                    },
                    {
                        "name": "ids",
                        "in": "formData",
                        "type": "array",
                        "items": {"type": "integer"},
                        "collectionFormat": "multi",
                    },
                    {"name": "sold", "in": "formData", "type": "boolean"},
                ],
                "responses": OK,
            }
        },
    },
}


def _version(tmp_path: Path, document: dict[str, Any], name: str) -> ConnectorVersion:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(document))
    return inspect(path, connector=name)


@pytest.fixture(scope="module")
def stripe() -> ConnectorVersion:
    return inspect(corpus_file("openapi", "stripe", "spec3.json"), connector="stripe")


@pytest.fixture(scope="session")
def qs_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        with node_qs_server(tmp_path_factory.mktemp("qs")) as url:
            yield url
    except NodeUnavailable as error:
        pytest.skip(f"the Node qs form server is not available: {error}")


def _parts(answer: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The parts a server decoded: (name, value) or (name, filename, type, bytes)."""
    return [
        (p["name"], p["value"])
        if "value" in p
        else (p["name"], p["filename"], p["type"], base64.b64decode(p["base64"]))
        for p in answer["parts"]
    ]


def _stripe_key() -> dict[str, Any]:
    return {"bearerAuth": {"token": SecretStr("sk_test_not_a_real_key")}}


# -- forms ----------------------------------------------------------------------------------------


def test_form_fields_follow_their_encoding(tmp_path: Path, qs_url: str) -> None:
    version = _version(tmp_path, UPLOADS, "uploads")
    body = {
        "name": "Ann Lee",
        "active": True,
        "count": 3,
        "tags": ["a", "b"],
        "ids": [1, 2],
        "colors": ["red", "blue"],
        "filter": {"min": 1, "max": 5},
        "profile": {"address": {"city": "Paris"}, "langs": ["fr", "en"]},
        "settings": {"dark": True},
        "redirect": "https://x.example/cb?a=1&b=2",
    }
    done = invoke(version, "sendForm", {"body": body}, server=qs_url)
    assert done.status == 200, done.body
    assert done.body["content_type"] == "application/x-www-form-urlencoded"
    assert done.body["raw"] == (
        "name=Ann+Lee&active=true&count=3&tags=a&tags=b&ids=1%2C2&colors=red%7Cblue"
        "&filter[min]=1&filter[max]=5&profile[address][city]=Paris&profile[langs][0]=fr"
        "&profile[langs][1]=en&settings=%7B%22dark%22%3Atrue%7D"
        "&redirect=https://x.example/cb?a%3D1%26b%3D2"  # reserved, less & = + #
    )
    assert done.body["parsed"] == {
        "name": "Ann Lee",
        "active": "true",
        "count": "3",
        "tags": ["a", "b"],
        "ids": "1,2",
        "colors": "red|blue",
        "filter": {"min": "1", "max": "5"},
        "profile": {"address": {"city": "Paris"}, "langs": ["fr", "en"]},
        "settings": '{"dark":true}',
        "redirect": "https://x.example/cb?a=1&b=2",
    }


def test_stripe_customer_form_in_brackets(stripe: ConnectorVersion, qs_url: str) -> None:
    accept(stripe, qs_url)
    body = {
        "name": "Jenny Rosen",
        "email": "jenny@example.com",
        "address": {"city": "Paris", "line1": "1 rue de Rivoli", "postal_code": "75001"},
        "metadata": {"order_id": "6735", "source": "web & app"},
        "expand": ["tax", "invoice_settings.default_payment_method"],
        "invoice_settings": {"custom_fields": [{"name": "VAT", "value": "FR123"}]},
        "balance": -500,
        "preferred_locales": ["fr", "en"],
    }
    done = invoke(stripe, "PostCustomers", {"body": body}, credentials=_stripe_key(), server=qs_url)  # fmt: skip
    assert (done.status, done.body["path"]) == (200, "/v1/customers")
    assert unquote(done.body["raw"]).replace("+", " ") == (
        "name=Jenny Rosen&email=jenny@example.com&address[city]=Paris"
        "&address[line1]=1 rue de Rivoli&address[postal_code]=75001&metadata[order_id]=6735"
        "&metadata[source]=web & app&expand[0]=tax"
        "&expand[1]=invoice_settings.default_payment_method"
        "&invoice_settings[custom_fields][0][name]=VAT"
        "&invoice_settings[custom_fields][0][value]=FR123&balance=-500"
        "&preferred_locales[0]=fr&preferred_locales[1]=en"
    )
    assert "metadata[source]=web+%26+app" in done.body["raw"]  # the & stays a value
    assert done.body["parsed"] == {**body, "balance": "-500"}


def test_stripe_subscription_items_and_booleans(stripe: ConnectorVersion, qs_url: str) -> None:
    accept(stripe, qs_url)
    body = {
        "customer": "cus_123",
        "items": [{"price": "price_1", "quantity": 2}, {"price": "price_2"}],
        "cancel_at_period_end": True,
        "off_session": False,
        "metadata": {"plan": "pro"},
    }
    done = invoke(stripe, "PostSubscriptions", {"body": body}, credentials=_stripe_key(), server=qs_url)  # fmt: skip
    assert unquote(done.body["raw"]) == (
        "customer=cus_123&items[0][price]=price_1&items[0][quantity]=2&items[1][price]=price_2"
        "&cancel_at_period_end=true&off_session=false&metadata[plan]=pro"
    )
    assert done.body["parsed"] == {
        "customer": "cus_123",
        "items": [{"price": "price_1", "quantity": "2"}, {"price": "price_2"}],
        "cancel_at_period_end": "true",
        "off_session": "false",
        "metadata": {"plan": "pro"},
    }


# -- multipart ------------------------------------------------------------------------------------


@pytest.mark.parametrize("parser", ["werkzeug", "node"])
def test_stripe_file_upload_is_multipart_with_a_file(
    stripe: ConnectorVersion, tmp_path: Path, parser: str, request: pytest.FixtureRequest
) -> None:
    evidence = tmp_path / "evidence.pdf"
    evidence.write_bytes(PDF)
    body = {
        "file": {"path": str(evidence)},
        "purpose": "dispute_evidence",
        "file_link_data": {"create": True, "metadata": {"case": "42"}},
    }

    def call(url: str) -> Any:
        accept(stripe, url)
        return invoke(stripe, "PostFiles", {"body": body}, credentials=_stripe_key(), server=url)

    if parser == "node":
        done = call(request.getfixturevalue("qs_url"))
    else:
        with serve_parsed() as url:
            done = call(url)
    assert done.body["content_type"].startswith("multipart/form-data; boundary=")
    assert sorted(_parts(done.body), key=str) == sorted(
        [
            ("file", "evidence.pdf", "application/pdf", PDF),
            ("purpose", "dispute_evidence"),
            ("file_link_data[create]", "true"),
            ("file_link_data[metadata][case]", "42"),
        ],
        key=str,
    )


def test_multipart_files_from_base64_paths_and_bytes(tmp_path: Path) -> None:
    version = _version(tmp_path, UPLOADS, "uploads")
    photo = tmp_path / "a.png"
    photo.write_bytes(PNG)
    body = {
        "title": "Q3",
        "doc": {"base64": base64.b64encode(PDF).decode(), "filename": "report.pdf"},
        "images": [
            {"path": str(photo)},
            {
                "base64": base64.b64encode(b"jpeg!").decode(),
                "filename": "b.jpg",
                "content_type": "image/jpeg",
            },
            b"raw bytes",
        ],
        "meta": {"path": "/etc/passwd", "n": 1},  # an object property: JSON, no file read
        "labels": ["x", "y"],
    }
    with serve_parsed() as url:
        done = invoke(version, "upload", {"body": body}, server=url)
    assert _parts(done.body) == [
        ("title", "Q3"),
        ("meta", '{"path":"/etc/passwd","n":1}'),
        ("labels", "x"),
        ("labels", "y"),
        ("doc", "report.pdf", "application/pdf", PDF),
        ("images", "a.png", "image/png", PNG),
        ("images", "b.jpg", "image/jpeg", b"jpeg!"),
        ("images", "images", "application/octet-stream", b"raw bytes"),
    ]


def test_octet_stream_from_a_file_base64_or_bytes(tmp_path: Path) -> None:
    version = _version(tmp_path, UPLOADS, "uploads")
    blob = tmp_path / "blob.bin"
    blob.write_bytes(PDF)
    given = [
        ({"path": str(blob)}, "application/octet-stream"),
        ({"base64": base64.b64encode(PNG).decode(), "content_type": "image/png"}, "image/png"),
        (b"\x00\x01\x02", "application/octet-stream"),
    ]
    with serve_parsed() as url:
        answers = [invoke(version, "putBlob", {"body": value}, server=url) for value, _ in given]
    sent = [(base64.b64decode(a.body["base64"]), a.body["content_type"]) for a in answers]
    assert sent == [(PDF, given[0][1]), (PNG, "image/png"), (b"\x00\x01\x02", given[2][1])]
    assert {a.body["method"] for a in answers} == {"PUT"}


def test_bad_files_are_input_errors_and_send_nothing(tmp_path: Path) -> None:
    version = _version(tmp_path, UPLOADS, "uploads")
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF)
    missing = str(tmp_path / "nowhere.pdf")
    cases = [
        ({"doc": {"path": missing}}, "(input).body.doc.path: '.*nowhere.pdf' does not exist"),
        ({"doc": {"path": str(tmp_path)}}, "(input).body.doc.path: .* is not a file"),
        ({"doc": {"path": str(big)}}, "(input).body.doc: the file is larger than 8 bytes"),
        ({"doc": {"base64": "not base64!"}}, "(input).body.doc.base64: not base64 text"),
        (
            {"images": [{"base64": base64.b64encode(PDF).decode()}]},
            "(input).body.images\\[0\\]: the file is larger",
        ),
        ({"doc": {"path": str(big), "mode": "r"}}, "invalid input for upload: body.doc: "),
    ]
    small = Settings(max_upload_bytes=8)
    with serve({}) as server:
        for body, message in cases:
            with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
                invoke(version, "upload", {"body": body}, server=server.base_url, settings=small)
        with pytest.raises(InputError, match="larger than 8 bytes"):
            invoke(version, "putBlob", {"body": PDF}, server=server.base_url, settings=small)
    assert server.requests == []


def test_a_file_reference_in_a_json_body_is_json(tmp_path: Path) -> None:
    document = json.loads(json.dumps(UPLOADS))
    content = document["paths"]["/blob"]["put"]["requestBody"]["content"]
    content["application/json"] = {"schema": {"type": "object"}}
    version = _version(tmp_path, document, "uploads")
    request = build_request(version, "putBlob", {"body": {"path": "/etc/passwd"}})
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"path": "/etc/passwd"}


def test_an_untyped_text_body_reads_no_file(tmp_path: Path) -> None:
    """A text body whose schema says nothing is text: ``{"path": ...}`` there is no file to read
    (a connector cannot make a user's path-shaped input upload a local file)."""
    document = json.loads(json.dumps(UPLOADS))
    content = document["paths"]["/blob"]["put"]["requestBody"]["content"]
    content.clear()
    content["text/plain"] = {"schema": {}}
    version = _version(tmp_path, document, "uploads")
    secret = tmp_path / "secret.txt"
    secret.write_text("local secret")
    request = build_request(version, "putBlob", {"body": {"path": str(secret)}})
    assert b"local secret" not in request.content


# -- Swagger 2.0 formData -------------------------------------------------------------------------


def test_swagger_form_data_with_a_file_and_collection_formats(tmp_path: Path) -> None:
    version = _version(tmp_path, SWAGGER, "pets")
    photo = tmp_path / "rex.png"
    photo.write_bytes(PNG)
    photos = {
        "path": {"id": "7"},
        "body": {
            "caption": "Rex",
            "photo": {"path": str(photo)},
            "tags": ["a", "b"],
            "ids": [1, 2],
        },
    }
    form = {"path": {"id": "7"}, "body": {"name": "Rex", "tags": ["a", "b"], "ids": [1, 2], "sold": False}}  # fmt: skip
    with serve_parsed() as url:
        uploaded = invoke(version, "addPhoto", photos, server=url)
        updated = invoke(version, "updatePet", form, server=url)
    assert uploaded.body["path"] == "/pets/7/photos"
    assert _parts(uploaded.body) == [
        ("caption", "Rex"),
        ("tags", "a,b"),  # csv, the default
        ("ids", "1"),  # multi
        ("ids", "2"),
        ("photo", "rex.png", "image/png", PNG),
    ]
    assert updated.body["content_type"] == "application/x-www-form-urlencoded"
    raw = base64.b64decode(updated.body["base64"]).decode()
    assert raw == "name=Rex&tags=a%7Cb&ids=1&ids=2&sold=false"


def test_the_petstore_upload_sends_its_file() -> None:
    version = inspect(FIXTURES / "openapi" / "swagger-petstore" / "swagger.yaml")
    given = {"path": {"petId": 3}, "body": {"additionalMetadata": "front", "file": PNG}}
    request = build_request(version, "uploadFile", given, server="http://127.0.0.1")
    request.read()
    boundary = request.headers["Content-Type"].split("boundary=", 1)[1].encode()
    form, files = MultiPartParser().parse(
        io.BytesIO(request.content), boundary, len(request.content)
    )
    assert form["additionalMetadata"] == "front"
    assert (files["file"].filename, files["file"].read()) == ("file", PNG)
    assert files["file"].content_type == "application/octet-stream"
