"""Invoking actions against real servers on loopback: HTTP (every auth kind run) and GraphQL."""

from __future__ import annotations

import base64
import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from graphql import build_schema
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError, SourceUnreachable
from connectory.model.version import ConnectorVersion
from connectory.runtime import build_request, credentials_from_env, invoke
from tests.conftest import FIXTURES
from tests.support.consent import accept
from tests.support.graphql_server import serve_graphql
from tests.support.servers import Reply, serve

SECRET = "s3cret-value-never-shown"

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Items", "version": "1.0.0"},
    "servers": [
        {"url": "https://items.invalid/{stage}", "variables": {"stage": {"default": "v1"}}}
    ],
    "components": {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "queryKey": {"type": "apiKey", "in": "query", "name": "api_key"},
            "bearer": {"type": "http", "scheme": "bearer"},
            "basic": {"type": "http", "scheme": "basic"},
            "oauth": {
                "type": "oauth2",
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": "TOKEN_URL",
                        "scopes": {"items:write": "write items"},
                    }
                },
            },
        },
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
            }
        },
    },
    "security": [{"key": []}, {"bearer": []}],
    "paths": {
        "/items/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {
                        "name": "tags",
                        "in": "query",
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                    {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "the item",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    },
                    "4XX": {"description": "not found"},
                },
            },
            "put": {
                "operationId": "putItem",
                "security": [{"oauth": ["items:write"]}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                    },
                },
                "responses": {"204": {"description": "stored"}},
            },
        },
        "/public": {
            "get": {
                "operationId": "ping",
                "security": [{}],
                "responses": {"200": {"description": "pong"}},
            },
            "post": {
                "operationId": "basicPost",
                "security": [{"basic": [], "queryKey": []}],
                "requestBody": {
                    "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}
                },
                "responses": {"200": {"description": "ok"}},
            },
        },
    },
}


def _version(tmp_path: Path, token_url: str = "https://auth.invalid/token") -> ConnectorVersion:
    text = json.dumps(DOCUMENT).replace("TOKEN_URL", token_url)
    (tmp_path / "items.json").write_text(text)
    return inspect(tmp_path / "items.json", connector="items")


def _secret(value: str = SECRET) -> SecretStr:
    return SecretStr(value)


class Seen:
    """What the server saw of each request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def reply(self, reply: Reply) -> Any:
        def route(handler: BaseHTTPRequestHandler) -> Reply:
            length = int(handler.headers.get("Content-Length") or 0)
            self.requests.append(
                {
                    "method": handler.command,
                    "path": handler.path,
                    "headers": dict(handler.headers),
                    "body": handler.rfile.read(length).decode() if length else "",
                }
            )
            return reply

        return route


ITEM = json.dumps({"id": "7", "name": "seven"}).encode()
JSON = {"Content-Type": "application/json"}


def test_a_get_with_every_kind_of_parameter_and_an_api_key(tmp_path: Path) -> None:
    version = _version(tmp_path)
    seen = Seen()
    with serve({"/v1/items/a%2Fb": seen.reply(Reply(body=ITEM, headers=JSON))}) as server:
        accept(version, server.base_url)
        done = invoke(
            version,
            "getItem",
            {
                "path": {"id": "a/b"},
                "query": {"tags": ["x", "y"]},
                "header": {"X-Trace": "t-1"},
                "cookie": {"session": "abc"},
            },
            credentials={"key": {"key": _secret()}},
            server=server.url("/v1"),
        )
    (request,) = seen.requests
    assert (request["method"], request["path"]) == ("GET", "/v1/items/a%2Fb?tags=x&tags=y")
    assert request["headers"]["X-Key"] == SECRET
    assert request["headers"]["X-Trace"] == "t-1"
    assert request["headers"]["Cookie"] == "session=abc"
    assert (done.status, done.output, done.body, done.problems) == (
        200,
        "200",
        {"id": "7", "name": "seven"},
        [],
    )
    assert SECRET not in repr(done)


def test_the_answer_is_checked_against_the_output_schema(tmp_path: Path) -> None:
    version = _version(tmp_path)
    wrong = json.dumps({"id": 7}).encode()
    with serve({"/items/1": Reply(body=wrong, headers=JSON), "/items/2": Reply(404)}) as server:
        accept(version, server.base_url)
        bad = invoke(version, "getItem", {"path": {"id": "1"}}, credentials={"bearer": {"token": _secret()}}, server=server.base_url)  # fmt: skip
        missing = invoke(version, "getItem", {"path": {"id": "2"}}, credentials={"bearer": {"token": _secret()}}, server=server.base_url)  # fmt: skip
    assert bad.status == 200
    assert sorted(bad.problems) == ["(body): 'name' is a required property", "id: 7 is not of type 'string'"]  # fmt: skip
    assert (missing.status, missing.output, missing.problems) == (404, "4XX", [])


def test_bearer_is_used_when_only_its_credentials_are_given(tmp_path: Path) -> None:
    version = _version(tmp_path)
    seen = Seen()
    with serve({"/items/1": seen.reply(Reply(body=ITEM, headers=JSON))}) as server:
        accept(version, server.base_url)
        invoke(version, "getItem", {"path": {"id": "1"}}, credentials={"bearer": {"token": _secret()}}, server=server.base_url)  # fmt: skip
    assert seen.requests[0]["headers"]["Authorization"] == f"Bearer {SECRET}"
    assert "X-Key" not in seen.requests[0]["headers"]


def test_oauth2_client_credentials_fetches_a_token_once(tmp_path: Path) -> None:
    tokens, items = Seen(), Seen()
    token = json.dumps({"access_token": "tok-123", "token_type": "bearer"}).encode()
    with serve(
        {
            "/token": tokens.reply(Reply(body=token, headers=JSON)),
            "/items/1": items.reply(Reply(204)),
        }
    ) as server:
        version = _version(tmp_path, token_url=server.url("/token"))
        accept(version, server.base_url)
        credentials = {"oauth": {"client_id": _secret("client"), "client_secret": _secret()}}
        done = invoke(version, "putItem", {"path": {"id": "1"}, "body": {"id": "1", "name": "one"}}, credentials=credentials, server=server.base_url)  # fmt: skip
    (token_request,) = tokens.requests
    expected = "Basic " + base64.b64encode(f"client:{SECRET}".encode()).decode()
    assert token_request["headers"]["Authorization"] == expected
    assert "grant_type=client_credentials" in token_request["body"]
    assert "scope=items%3Awrite" in token_request["body"]
    put = items.requests[0]
    assert (put["method"], put["headers"]["Authorization"]) == ("PUT", "Bearer tok-123")
    assert json.loads(put["body"]) == {"id": "1", "name": "one"}
    assert put["headers"]["Content-Type"] == "application/json"
    assert (done.status, done.output) == (204, "204")


def test_methods_used_together_and_a_form_body(tmp_path: Path) -> None:
    version = _version(tmp_path)
    seen = Seen()
    with serve({"/public": seen.reply(Reply(body=b"ok"))}) as server:
        accept(version, server.base_url)
        credentials = {
            "basic": {"username": _secret("ann"), "password": _secret()},
            "queryKey": {"key": _secret("qk")},
        }
        done = invoke(version, "basicPost", {"body": {"a": "1", "b": 2}}, credentials=credentials, server=server.base_url)  # fmt: skip
    request = seen.requests[0]
    assert request["path"] == "/public?api_key=qk"
    assert request["headers"]["Authorization"].startswith("Basic ")
    assert request["body"] == "a=1&b=2"
    assert "qk" not in done.url  # the key is added as the request is sent, not reported
    assert done.body == "ok"


def test_optional_auth_needs_no_credentials(tmp_path: Path) -> None:
    version = _version(tmp_path)
    with serve({"/public": Reply(body=b"pong")}) as server:
        assert invoke(version, "ping", server=server.base_url).body == "pong"


def test_bad_input_and_missing_credentials_send_nothing(tmp_path: Path) -> None:
    version = _version(tmp_path)
    with serve({}) as server:
        accept(version, server.base_url)
        with pytest.raises(
            InputError, match=r"invalid input for getItem: path: 'id' is a required"
        ):
            invoke(version, "getItem", {"path": {}}, server=server.base_url)
        with pytest.raises(InputError, match=r"needs credentials for key or bearer"):
            invoke(version, "getItem", {"path": {"id": "1"}}, server=server.base_url)
        with pytest.raises(InputError, match=r"'basic' \(http_basic\) needs the secret 'password'"):
            invoke(version, "basicPost", {}, credentials={"basic": {"username": _secret()}, "queryKey": {"key": _secret()}}, server=server.base_url)  # fmt: skip
    assert server.requests == []


def test_the_server_comes_from_the_version_with_its_variables(tmp_path: Path) -> None:
    request = build_request(_version(tmp_path), "getItem", {"path": {"id": "9"}})
    assert str(request.url) == "https://items.invalid/v1/items/9"


def test_an_unreachable_server_is_transient(tmp_path: Path) -> None:
    with serve({}) as server:
        gone = server.base_url
    with pytest.raises(SourceUnreachable, match="cannot connect"):
        invoke(_version(tmp_path), "ping", server=gone)


def test_credentials_from_the_environment() -> None:
    environ = {"CONNECTORY_CREDENTIALS_MY_API": json.dumps({"key": {"key": SECRET}})}
    found = credentials_from_env("my-api", environ)
    assert found["key"]["key"].get_secret_value() == SECRET
    with pytest.raises(InputError, match="CONNECTORY_CREDENTIALS_MY_API") as raised:
        credentials_from_env("my-api", {"CONNECTORY_CREDENTIALS_MY_API": '{"key": "x"}'})
    assert SECRET not in str(raised.value)


def test_a_graphql_action_posts_its_document_with_variables() -> None:
    shop = FIXTURES / "graphql" / "shop.graphql"
    version = inspect(shop, protocol="graphql", connector="shop")
    with serve_graphql(build_schema(shop.read_text())) as server:
        done = invoke(version, "product", {"id": "p1"}, server=server.url)
    assert done.status == 200
    assert set(done.body) == {"data"}
    assert "product" in done.body["data"]
    assert done.problems == []
    assert done.output == "data"


def test_an_answer_against_a_pattern_that_backtracks_without_end_does_not_hang(
    tmp_path: Path,
) -> None:
    # a hostile document's output schema holds `(a+)+$`; a hostile server answers what makes it
    # backtrack (2^40 steps): the answer is checked as a delivery is, bounded
    version = _version(tmp_path)
    risky = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}}}
    actions = [
        action.model_copy(
            update={"outputs": [o.model_copy(update={"schema_": risky}) for o in action.outputs]}
        )
        if action.name == "getItem"
        else action
        for action in version.actions
    ]
    version = version.model_copy(update={"actions": actions})
    hostile = json.dumps({"id": "7", "name": "a" * 40 + "!"}).encode()
    with serve({"/items/1": Reply(body=hostile, headers=JSON)}) as server:
        accept(version, server.base_url)
        done = invoke(version, "getItem", {"path": {"id": "1"}}, credentials={"bearer": {"token": _secret()}}, server=server.base_url)  # fmt: skip
    assert (done.status, done.problems) == (200, [])


@pytest.mark.parametrize("depth", [200_000, 950])
def test_an_answer_nested_too_deeply_is_no_traceback(tmp_path: Path, depth: int) -> None:
    # json.loads (and whatever walks the value) recurses: a hostile server's deep answer
    version = _version(tmp_path)
    deep = (b"[" * depth + b"]" * depth) if depth < 1000 else b"[" * depth
    with serve({"/items/1": Reply(body=deep, headers=JSON)}) as server:
        accept(version, server.base_url)
        done = invoke(version, "getItem", {"path": {"id": "1"}}, credentials={"bearer": {"token": _secret()}}, server=server.base_url)  # fmt: skip
    assert done.status == 200
