"""JWT bearer auth (RFC 7523) against a token endpoint that checks the assertion's signature."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import import_key
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import InputError
from connectory.model.auth import JWTBearerAuth
from connectory.model.version import ConnectorVersion
from connectory.runtime import invoke
from tests.support.servers import Reply, serve

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
PUBLIC = import_key(
    KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ),
    "RSA",
)
DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Jwt", "version": "1"},
    "paths": {"/me": {"get": {"operationId": "me", "responses": {"200": {"description": "ok"}}}}},
}
SECRETS = {"private_key": SecretStr(PRIVATE), "issuer": SecretStr("svc@example"), "key_id": SecretStr("k1")}  # fmt: skip


def _version(tmp_path: Path, method: JWTBearerAuth) -> ConnectorVersion:
    (tmp_path / "jwt.json").write_text(json.dumps(DOCUMENT))
    version = inspect(tmp_path / "jwt.json", connector="jwt")
    return version.model_copy(
        update={"auth_methods": [method], "default_auth": [{method.name: ["read"]}]}
    )


def test_the_assertion_is_exchanged_for_a_token(tmp_path: Path) -> None:
    seen: list[dict] = []

    def token(handler: BaseHTTPRequestHandler) -> Reply:
        form = parse_qs(handler.rfile.read(int(handler.headers["Content-Length"])).decode())
        decoded = jwt.decode(form["assertion"][0], PUBLIC)  # raises unless signed by KEY
        seen.append({"grant": form["grant_type"][0], **decoded.claims, "kid": decoded.header["kid"]})  # fmt: skip
        return Reply(200, b'{"access_token": "from-jwt"}', {"Content-Type": "application/json"})

    def me(handler: BaseHTTPRequestHandler) -> Reply:
        return Reply(200 if handler.headers.get("Authorization") == "Bearer from-jwt" else 401)

    with serve({"/token": token, "/me": me}) as server:
        method = JWTBearerAuth(name="svc", token_url=server.url("/token"), scopes=["base"])
        done = invoke(_version(tmp_path, method), "me", credentials={"svc": SECRETS}, server=server.base_url, trusted_origins=[server.base_url])  # fmt: skip
    assert done.status == 200
    (claims,) = seen
    assert claims["grant"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert (claims["iss"], claims["sub"], claims["aud"]) == ("svc@example", "svc@example", server.url("/token"))  # fmt: skip
    assert claims["scope"] == "base read"
    assert claims["exp"] - claims["iat"] == 300
    assert claims["kid"] == "k1"


def test_without_a_token_url_the_jwt_is_the_bearer(tmp_path: Path) -> None:
    audiences: list[str] = []

    def me(handler: BaseHTTPRequestHandler) -> Reply:
        bearer = handler.headers["Authorization"].removeprefix("Bearer ")
        audiences.append(jwt.decode(bearer, PUBLIC).claims["aud"])
        return Reply(200)

    with serve({"/me": me}) as server:
        method = JWTBearerAuth(name="svc", audience="https://api.example")
        done = invoke(_version(tmp_path, method), "me", credentials={"svc": SECRETS}, server=server.base_url, trusted_origins=[server.base_url])  # fmt: skip
    assert (done.status, audiences) == (200, ["https://api.example"])


def test_a_bad_key_is_named_and_never_shown(tmp_path: Path) -> None:
    method = JWTBearerAuth(name="svc")
    broken = {**SECRETS, "private_key": SecretStr("-----BEGIN PRIVATE KEY-----\nnot-a-key")}
    with pytest.raises(InputError, match=r"'svc' \(jwt_bearer\): the private_key is not a RSA key") as raised:  # fmt: skip
        invoke(_version(tmp_path, method), "me", credentials={"svc": broken}, server="http://127.0.0.1:9", trusted_origins=["http://127.0.0.1:9"])  # fmt: skip
    assert "not-a-key" not in str(raised.value)
    with pytest.raises(InputError, match=r"needs the secrets \['issuer'\]"):
        invoke(_version(tmp_path, method), "me", credentials={"svc": {"private_key": SecretStr(PRIVATE)}}, server="http://127.0.0.1:9", trusted_origins=["http://127.0.0.1:9"])  # fmt: skip
