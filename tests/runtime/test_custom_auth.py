"""Custom auth at run time: a login request against a real server, JavaScript in a sandbox."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError, SourceError
from connectory.model.auth import (
    CustomFunctionAuth,
    CustomRequestAuth,
    ExtractRule,
    InjectRule,
    RequestTemplate,
)
from connectory.model.version import ConnectorVersion
from connectory.runtime import invoke
from connectory.runtime.auth import auth_for
from tests.support.consent import accept
from tests.support.servers import Reply, serve

SECRET = "pa55-w0rd-secret"
DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Vault", "version": "1"},
    "paths": {
        "/items/1": {"get": {"operationId": "getItem", "responses": {"200": {"description": "ok"}}}}
    },
}


def _version(tmp_path: Path, method: Any) -> ConnectorVersion:
    (tmp_path / "vault.json").write_text(json.dumps(DOCUMENT))
    version = inspect(tmp_path / "vault.json", connector="vault")
    return version.model_copy(
        update={"auth_methods": [method], "default_auth": [{method.name: []}]}
    )


def _login_method(url: str, **extra: Any) -> CustomRequestAuth:
    return CustomRequestAuth(
        name="login",
        request=RequestTemplate(
            url=url,
            body={"user": "{username}", "pass": "{password}"},
            media_type="application/json",
        ),
        extract=[
            ExtractRule(name="token", path="/data/token"),
            ExtractRule(name="ttl", path="/data/ttl"),
            ExtractRule(name="session", source="cookie", path="session"),
        ],
        inject=[
            InjectRule(parameter="Authorization", template="Token {token}"),
            InjectRule(location="cookie", parameter="session", template="{session}"),
        ],
        **extra,
    )


class Vault:
    def __init__(self, ttl: int = 3600) -> None:
        self.logins = 0
        self.ttl = ttl

    def login(self, handler: BaseHTTPRequestHandler) -> Reply:
        body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        if body != {"user": "ann", "pass": SECRET}:
            return Reply(401, b"{}")
        self.logins += 1
        answer = json.dumps({"data": {"token": f"t{self.logins}", "ttl": self.ttl}})
        headers = {"Content-Type": "application/json", "Set-Cookie": "session=s1; Path=/"}
        return Reply(200, answer.encode(), headers)

    def item(self, handler: BaseHTTPRequestHandler) -> Reply:
        good = handler.headers.get("Authorization", "").startswith("Token t") and (
            handler.headers.get("Cookie") == "session=s1"
        )
        return Reply(200, b"{}") if good else Reply(403, b"{}")


CREDENTIALS = {"login": {"username": SecretStr("ann"), "password": SecretStr(SECRET)}}


def test_a_login_request_yields_what_each_request_carries(tmp_path: Path) -> None:
    vault = Vault()
    with serve({"/login": vault.login, "/items/1": vault.item}) as server:
        version = _version(tmp_path, _login_method(server.url("/login")))
        accept(version, server.base_url)
        done = invoke(version, "getItem", credentials=CREDENTIALS, server=server.base_url)
    assert (done.status, vault.logins) == (200, 1)
    assert SECRET not in repr(done)


@pytest.mark.parametrize(("ttl", "logins"), [(3600, 1), (0, 3)])
def test_the_login_is_reused_until_it_expires(ttl: int, logins: int) -> None:
    vault = Vault(ttl=ttl)
    with serve({"/login": vault.login, "/items/1": vault.item}) as server:
        method = _login_method(server.url("/login"), expiry_from="ttl")
        auth = auth_for(method, CREDENTIALS["login"])
        with httpx.Client(auth=auth) as client:
            statuses = [client.get(server.url("/items/1")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert vault.logins == logins


def test_a_refused_login_and_a_missing_value_name_the_method(tmp_path: Path) -> None:
    vault = Vault()
    with serve({"/login": vault.login, "/bad": Reply(200, b'{"data": {}}', {"Content-Type": "application/json"})}) as server:  # fmt: skip
        version = _version(tmp_path, _login_method(server.url("/login")))
        accept(version, server.base_url)
        wrong = {"login": {"username": SecretStr("ann"), "password": SecretStr("nope")}}
        with pytest.raises(SourceError, match=r"'login': the login request was answered HTTP 401"):
            invoke(version, "getItem", credentials=wrong, server=server.base_url)
        missing = _version(tmp_path, _login_method(server.url("/bad")))
        with pytest.raises(SourceError, match=r"no value for 'token' \(body /data/token\)"):
            invoke(missing, "getItem", credentials=CREDENTIALS, server=server.base_url)


SIGNING = """
function authenticate(request, credentials) {
  return {headers: {"X-Signature": request.method + ":" + credentials.key.length}};
}
"""


def _function(source: str, **limits: Any) -> CustomFunctionAuth:
    return CustomFunctionAuth(name="signer", source=source, **limits)


def _signed(handler: BaseHTTPRequestHandler) -> Reply:
    ok = handler.headers.get("X-Signature") == f"GET:{len(SECRET)}"
    return Reply(200, b"{}") if ok else Reply(403, b"{}")


def test_a_javascript_function_signs_the_request(tmp_path: Path) -> None:
    version = _version(tmp_path, _function(SIGNING))
    with serve({"/items/1": _signed}) as server:
        accept(version, server.base_url)
        done = invoke(version, "getItem", credentials={"signer": {"key": SecretStr(SECRET)}}, server=server.base_url)  # fmt: skip
    assert done.status == 200


@pytest.mark.parametrize(
    ("source", "limits", "message"),
    [
        (
            "function authenticate() { while (true) {} }",
            {"timeout_ms": 200},
            "stopped after 200 ms",
        ),
        (
            "function authenticate() { let a = []; while (true) a.push(new Array(1e6).fill(1)); }",
            {"memory_limit_mb": 32},
            "stopped at its 32 MB limit",
        ),
        ("function authenticate( {", {}, "failed: "),
        (
            "function authenticate(r, c) { throw new Error('bad key ' + c.key); }",
            {},
            "bad key ***",
        ),
        ("function authenticate() { return 42; }", {}, "must return an object"),
        (
            "function authenticate() { return {headers: {a: 1}}; }",
            {},
            "'headers' must be an object of strings",
        ),
        ("function authenticate() { return require('fs'); }", {}, "failed: "),
    ],
)
def test_a_hostile_or_broken_function_is_stopped_and_named(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], source: str, limits: dict, message: str
) -> None:
    version = _version(tmp_path, _function(source, **limits))
    with serve({"/items/1": _signed}) as server:
        accept(version, server.base_url)
        with pytest.raises(InputError) as raised:
            invoke(version, "getItem", credentials={"signer": {"key": SecretStr(SECRET)}}, server=server.base_url)  # fmt: skip
        assert server.requests == []  # nothing was sent
    assert "auth method 'signer' (custom_function)" in raised.value.message
    assert message in raised.value.message
    assert SECRET not in str(raised.value)
    assert "Traceback" not in capfd.readouterr().err
