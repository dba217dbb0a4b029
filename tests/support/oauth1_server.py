"""A real OAuth 1.0a provider on loopback, for tests, built on oauthlib's server side.

oauthlib's endpoints do the protocol (RFC 5849) and verify every signature (HMAC-SHA1/256/512,
RSA-SHA1 with the consumer's public key, PLAINTEXT); ``Validator`` is the provider's own part:
its consumers, tokens, verifiers and nonces, in memory.

    POST /oauth/request_token     temporary credentials (oauth_callback on 127.0.0.1 only)
    GET  /oauth/authorize         the person says yes (a redirect with oauth_verifier), or no
                                  (``deny``: a redirect with ``denied``, as Twitter's does)
    POST /oauth/access_token      the access token for the verifier
    GET/POST /api/items           a protected resource: a signed request with an access token
    GET  /api/public              signed by the consumer alone (two-legged)

An API request that fails verification is answered 401, as providers do.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oauthlib.common import Request, generate_token
from oauthlib.oauth1 import (
    AccessTokenEndpoint,
    AuthorizationEndpoint,
    RequestTokenEndpoint,
    RequestValidator,
    ResourceEndpoint,
    SignatureOnlyEndpoint,
)
from oauthlib.oauth1.rfc5849.errors import OAuth1Error

from .servers import running

CONSUMER_KEY = "ConnectoryConsumerKey01"
CONSUMER_SECRET = "consumer-secret-never-shown"
RSA_CONSUMER_KEY = "ConnectoryRsaConsumer01"

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE_KEY = _KEY.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
).decode()
PUBLIC_KEY = (
    _KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


def items_document(base: str) -> dict[str, Any]:
    """An OpenAPI document of this provider's API (OpenAPI has no OAuth 1.0a scheme: the test
    adds the method to the version)."""
    item = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    answer = {"200": {"description": "ok", "content": {"application/json": {"schema": item}}}}
    form = {"application/x-www-form-urlencoded": {"schema": item}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Items", "version": "1.0.0"},
        "servers": [{"url": base}],
        "paths": {
            "/api/items": {
                "get": {
                    "operationId": "listItems",
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                    "responses": answer,
                },
                "post": {
                    "operationId": "addItem",
                    "requestBody": {"content": form},
                    "responses": answer,
                },
            },
            "/api/public": {"get": {"operationId": "listPublic", "responses": answer}},
        },
    }


@dataclass
class Validator(RequestValidator):
    """The provider's records (see the module docstring)."""

    request_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    access_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    nonces: set[tuple[str, ...]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    enforce_ssl = False  # loopback, plain http

    @property
    def dummy_client(self) -> str:
        return "DummyConsumerKeyForTiming"

    @property
    def dummy_request_token(self) -> str:
        return "DummyRequestTokenForTiming"

    @property
    def dummy_access_token(self) -> str:
        return "DummyAccessTokenForTiming0"

    def validate_client_key(self, client_key: str, request: Request) -> bool:
        return client_key in (CONSUMER_KEY, RSA_CONSUMER_KEY)

    def get_client_secret(self, client_key: str, request: Request) -> str:
        return CONSUMER_SECRET if client_key == CONSUMER_KEY else "dummy-secret"

    def get_rsa_key(self, client_key: str, request: Request) -> str:
        return PUBLIC_KEY

    def validate_timestamp_and_nonce(
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: Request,
        request_token: str | None = None,
        access_token: str | None = None,
    ) -> bool:
        seen = (client_key, timestamp, nonce, request_token or "", access_token or "")
        with self.lock:
            if seen in self.nonces:
                return False  # a replay
            self.nonces.add(seen)
        return True

    def validate_redirect_uri(self, client_key: str, redirect_uri: str, request: Request) -> bool:
        return redirect_uri.startswith("http://127.0.0.1:")

    def validate_requested_realms(self, client_key: str, realms: list[str], request: Request) -> bool:  # fmt: skip
        return True

    def get_default_realms(self, client_key: str, request: Request) -> list[str]:
        return []

    def save_request_token(self, token: dict[str, str], request: Request) -> None:
        with self.lock:
            self.request_tokens[token["oauth_token"]] = {
                "secret": token["oauth_token_secret"],
                "client_key": request.client_key,
                "redirect_uri": request.redirect_uri,
            }

    def verify_request_token(self, token: str, request: Request) -> bool:
        return token in self.request_tokens

    def get_redirect_uri(self, token: str, request: Request) -> str:
        return str(self.request_tokens[token]["redirect_uri"])

    def get_realms(self, token: str, request: Request) -> list[str]:
        return []

    def verify_realms(self, token: str, realms: list[str], request: Request) -> bool:
        return True

    def save_verifier(self, token: str, verifier: dict[str, str], request: Request) -> None:
        with self.lock:
            self.request_tokens[token]["verifier"] = verifier["oauth_verifier"]

    def validate_request_token(self, client_key: str, token: str, request: Request) -> bool:
        found = self.request_tokens.get(token)
        return found is not None and found["client_key"] == client_key

    def get_request_token_secret(self, client_key: str, token: str, request: Request) -> str:
        found = self.request_tokens.get(token)
        return str(found["secret"]) if found else "dummy-secret"

    def validate_verifier(
        self, client_key: str, token: str, verifier: str, request: Request
    ) -> bool:
        found = self.request_tokens.get(token)
        return found is not None and found.get("verifier") == verifier

    def invalidate_request_token(self, client_key: str, request_token: str, request: Request) -> None:  # fmt: skip
        with self.lock:
            self.request_tokens.pop(request_token, None)

    def save_access_token(self, token: dict[str, str], request: Request) -> None:
        with self.lock:
            self.access_tokens[token["oauth_token"]] = {
                "secret": token["oauth_token_secret"],
                "client_key": request.client_key,
            }

    def validate_access_token(self, client_key: str, token: str, request: Request) -> bool:
        found = self.access_tokens.get(token)
        return found is not None and found["client_key"] == client_key

    def get_access_token_secret(self, client_key: str, token: str, request: Request) -> str:
        found = self.access_tokens.get(token)
        return str(found["secret"]) if found else "dummy-secret"

    def validate_realms(
        self,
        client_key: str,
        token: str,
        request: Request,
        uri: str | None = None,
        realms: list[str] | None = None,
    ) -> bool:
        return True


@dataclass
class OAuth1Server:
    base_url: str = ""
    deny: bool = False
    """Answer /oauth/authorize with a refusal, as when the person says no."""
    validator: Validator = field(default_factory=Validator)
    api_requests: list[dict[str, Any]] = field(default_factory=list)
    """Each API request: whether it verified, its signature method and where its parameters came."""
    token_requests: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def issue(self, client_key: str = CONSUMER_KEY) -> tuple[str, str]:
        """An access token and its secret, as if a sign-in had happened."""
        token, secret = generate_token(), generate_token()
        self.validator.access_tokens[token] = {"secret": secret, "client_key": client_key}
        return token, secret


@contextmanager
def serve_oauth1(**options: Any) -> Iterator[OAuth1Server]:
    """An ``OAuth1Server`` on 127.0.0.1 until the block ends."""
    state = OAuth1Server(**options)
    validator = state.validator
    request_tokens = RequestTokenEndpoint(validator)
    authorization = AuthorizationEndpoint(validator)
    access_tokens = AccessTokenEndpoint(validator)
    resource = ResourceEndpoint(validator)
    signature_only = SignatureOnlyEndpoint(validator)

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self, method: str) -> None:
            uri = state.base_url + self.path
            path = urlsplit(self.path).path
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else None
            headers = dict(self.headers)
            if path in ("/oauth/request_token", "/oauth/access_token"):
                endpoint = request_tokens if path.endswith("request_token") else access_tokens
                create = (
                    endpoint.create_request_token_response
                    if path.endswith("request_token")
                    else endpoint.create_access_token_response
                )
                found, text, status = create(uri, method, body, headers)
                state.token_requests.append({"path": path, "status": status, "headers": headers})
                self._reply(status, dict(found or {}), (text or "").encode())
            elif path == "/oauth/authorize":
                self._authorize(uri)
            elif path in ("/api/items", "/api/public"):
                self._api(path, uri, method, body, headers)
            else:
                self._reply(404, {}, b"")

        def _authorize(self, uri: str) -> None:
            token = parse_qs(urlsplit(uri).query).get("oauth_token", [""])[0]
            if not validator.verify_request_token(token, None):
                self._reply(400, {}, b"unknown request token")
                return
            if state.deny:
                back = validator.get_redirect_uri(token, None)
                self._reply(302, {"Location": f"{back}?{urlencode({'denied': token})}"}, b"")
                return
            try:
                found, _, status = authorization.create_authorization_response(uri)
            except OAuth1Error as error:
                self._reply(error.status_code, {}, error.urlencoded.encode())
                return
            self._reply(status, dict(found), b"")

        def _api(
            self, path: str, uri: str, method: str, body: str | None, headers: dict[str, str]
        ) -> None:
            if path == "/api/public":
                valid, request = signature_only.validate_request(uri, method, body, headers)
            else:
                valid, request = resource.validate_protected_resource_request(
                    uri, method, body, headers
                )
            params = dict(request.params) if request is not None else {}
            in_query = "oauth_signature" in parse_qs(urlsplit(uri).query)
            in_body = body is not None and "oauth_signature" in parse_qs(body)
            state.api_requests.append(
                {
                    "valid": valid,
                    "method": params.get("oauth_signature_method"),
                    "placement": "query" if in_query else "body" if in_body else "header",
                    "body": body,
                    "authorization": headers.get("Authorization", ""),
                }
            )
            if not valid:
                self._reply(401, {"Content-Type": "application/json"}, b'{"message": "invalid signature"}')  # fmt: skip
                return
            item = {"id": "1", "name": "one"}
            self._reply(200, {"Content-Type": "application/json"}, json.dumps(item).encode())

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def log_message(self, format: str, *args: object) -> None:
            pass

    with running(Handler) as base_url:
        state.base_url = base_url
        yield state
