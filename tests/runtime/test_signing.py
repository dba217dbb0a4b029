"""Auth that signs: HMAC over the request, WS-Security UsernameToken in SOAP, OpenID Connect."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError
from connectory.model.auth import HMACAuth, OpenIDConnectAuth, WSSecurityUsernameTokenAuth
from connectory.model.version import ConnectorVersion
from connectory.runtime import invoke
from tests.support.servers import Reply, serve

from .test_invoke_soap import CALCULATOR, calculator

SECRET = "sign1ng-s3cret"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Signed", "version": "1"},
    "paths": {
        "/orders": {
            "post": {
                "operationId": "addOrder",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def _version(tmp_path: Path, method: Any, document: dict = DOCUMENT) -> ConnectorVersion:
    (tmp_path / "doc.json").write_text(json.dumps(document))
    version = inspect(tmp_path / "doc.json", connector="signed")
    return version.model_copy(
        update={"auth_methods": [method], "default_auth": [{method.name: []}]}
    )


def test_hmac_signs_method_path_timestamp_and_body(tmp_path: Path) -> None:
    method = HMACAuth(name="sig", header="X-Signature", timestamp_header="X-Timestamp")
    seen: list[dict[str, str]] = []

    def orders(handler: BaseHTTPRequestHandler) -> Reply:
        body = handler.rfile.read(int(handler.headers["Content-Length"]))
        stamp = handler.headers["X-Timestamp"]
        signed = b"\n".join([b"POST", handler.path.encode(), stamp.encode(), body])
        expected = hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
        seen.append({"ok": str(handler.headers["X-Signature"] == expected), "stamp": stamp})
        return Reply(200, b"{}")

    with serve({"/orders": orders}) as server:
        done = invoke(_version(tmp_path, method), "addOrder", {"body": {"n": 1}}, credentials={"sig": {"secret": SecretStr(SECRET)}}, server=server.base_url, trusted_origins=[server.base_url])  # fmt: skip
    assert done.status == 200
    assert seen[0]["ok"] == "True"
    assert abs(int(seen[0]["stamp"]) - time.time()) < 120


def test_hmac_refuses_parts_it_does_not_know(tmp_path: Path) -> None:
    method = HMACAuth(name="sig", signed_parts=["method", "moon"])
    with pytest.raises(InputError, match=r"signs unknown parts \['moon'\]"):
        invoke(_version(tmp_path, method), "addOrder", {"body": {}}, credentials={"sig": {"secret": SecretStr(SECRET)}}, server="http://127.0.0.1:9", trusted_origins=["http://127.0.0.1:9"])  # fmt: skip


def test_openid_connect_discovers_the_token_endpoint(tmp_path: Path) -> None:
    method = OpenIDConnectAuth(name="oidc", discovery_url="DISCOVERY")
    token = json.dumps({"access_token": "oidc-token"}).encode()
    asked: list[str] = []

    def token_endpoint(handler: BaseHTTPRequestHandler) -> Reply:
        asked.append(handler.rfile.read(int(handler.headers["Content-Length"])).decode())
        return Reply(200, token, {"Content-Type": "application/json"})

    def orders(handler: BaseHTTPRequestHandler) -> Reply:
        ok = handler.headers.get("Authorization") == "Bearer oidc-token"
        return Reply(200 if ok else 401, b"{}")

    with serve({"/token": token_endpoint, "/orders": orders}) as server:
        discovery = json.dumps({"issuer": server.base_url, "token_endpoint": server.url("/token")})
        routes = {"/.well-known/openid-configuration": Reply(200, discovery.encode(), {"Content-Type": "application/json"})}  # fmt: skip
        server.routes.update(routes)
        method = method.model_copy(update={"discovery_url": server.url("/.well-known/openid-configuration")})  # fmt: skip
        credentials = {"oidc": {"client_id": SecretStr("app"), "client_secret": SecretStr(SECRET)}}
        done = invoke(_version(tmp_path, method), "addOrder", {"body": {}}, credentials=credentials, server=server.base_url, trusted_origins=[server.base_url])  # fmt: skip
    assert done.status == 200
    assert "grant_type=client_credentials" in asked[0]
    assert "scope=openid" in asked[0]


@pytest.mark.parametrize("password_type", ["text", "digest"])
def test_ws_security_username_token_in_the_envelope(password_type: str) -> None:
    method = WSSecurityUsernameTokenAuth(name="wsse", password_type=password_type)  # type: ignore[arg-type]
    version = inspect(CALCULATOR, connector="calculator")
    version = version.model_copy(update={"auth_methods": [method], "default_auth": [{"wsse": []}]})
    tokens: list[bool] = []
    compute = calculator([])

    def guarded(handler: BaseHTTPRequestHandler) -> Reply:
        data = handler.rfile.read(int(handler.headers["Content-Length"]))
        envelope = etree.fromstring(data)
        token = envelope.find(f".//{{{WSSE}}}UsernameToken")
        password = token.find(f"{{{WSSE}}}Password")
        if password_type == "text":
            ok = password.text == SECRET
        else:
            nonce = base64.b64decode(token.find(f"{{{WSSE}}}Nonce").text)
            created = token.find(f"{{{WSU}}}Created").text.encode()
            digest = hashlib.sha1(nonce + created + SECRET.encode()).digest()
            ok = password.text == base64.b64encode(digest).decode()
        tokens.append(ok and token.find(f"{{{WSSE}}}Username").text == "ann")
        handler.rfile = _Replay(data)  # type: ignore[assignment]
        return compute(handler)

    credentials = {"wsse": {"username": SecretStr("ann"), "password": SecretStr(SECRET)}}
    with serve({"/calc": guarded}) as server:
        done = invoke(version, "CalculatorSoap.Add", {"body": {"parameters": {"intA": 2, "intB": 3}}}, credentials=credentials, server=server.url("/calc"), trusted_origins=[server.base_url])  # fmt: skip
    assert tokens == [True]
    assert done.body == {"body": {"parameters": {"AddResult": 5}}}


class _Replay:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, _: int) -> bytes:
        return self._data
