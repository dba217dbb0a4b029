"""A real OAuth 2 authorization server and a protected API on loopback, for tests.

It does what a provider does, no more: ``/authorize`` (authorization code, PKCE S256 required,
redirect URIs on 127.0.0.1 only) redirects with a code or an error, as OpenID Connect discovery
(``/.well-known/openid-configuration``) says; ``/token`` answers the
authorization code (verifier checked against the challenge), refresh token (rotated: the old
one stops working), password and client credentials grants, authenticating confidential clients
by HTTP Basic and public ones by their ``client_id``; ``/api/items`` wants a live access token.
``expire_all()`` makes every access token stale, as time would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import (
    dataclass,
    field,
)
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import (
    parse_qs,
    urlencode,
    urlsplit,
)

from .servers import running

CLIENT_ID = "connectory-test"
CLIENT_SECRET = "client-secret-never-shown"
PUBLIC_CLIENT = "connectory-public"
USER, PASSWORD = "ann", "user-password-never-shown"


def _challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


def items_document(base: str) -> dict[str, Any]:
    """An OpenAPI document of this server's API, its OAuth 2 flows pointing at ``base``."""
    item = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    answer = {"200": {"description": "ok", "content": {"application/json": {"schema": item}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Items", "version": "1.0.0"},
        "servers": [{"url": base}],
        "components": {
            "securitySchemes": {
                "oauth": {
                    "type": "oauth2",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": f"{base}/authorize",
                            "tokenUrl": f"{base}/token",
                            "scopes": {"items:read": "read", "items:write": "write"},
                        },
                        "password": {"tokenUrl": f"{base}/token", "scopes": {}},
                        "clientCredentials": {"tokenUrl": f"{base}/token", "scopes": {}},
                    },
                }
            }
        },
        "security": [{"oauth": ["items:read"]}],
        "paths": {
            "/api/items": {
                "get": {"operationId": "listItems", "responses": answer},
                "post": {
                    "operationId": "addItem",
                    "requestBody": {"content": {"application/json": {"schema": item}}},
                    "responses": answer,
                },
            }
        },
    }


@dataclass
class OAuthServer:
    base_url: str = ""
    deny: bool = False
    """Answer /authorize with error=access_denied, as when the person says no."""
    expires_in: int = 3600
    refuse_api: bool = False
    """Answer 401 to every API request, whatever its token."""
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    """Live refresh token -> scope."""
    access_tokens: set[str] = field(default_factory=set)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    api_requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base_url + path

    def expire_all(self) -> None:
        with self.lock:
            self.access_tokens.clear()

    # -- the endpoints ---------------------------------------------------------------------------

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        redirect = query.get("redirect_uri", "")
        if not redirect.startswith("http://127.0.0.1:") or query.get("client_id") not in (
            CLIENT_ID,
            PUBLIC_CLIENT,
        ):
            return 400, {}, b"bad client or redirect_uri"
        if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
            return 400, {}, b"PKCE with S256 is required"
        back = {"state": query.get("state", "")}
        if self.deny:
            back |= {"error": "access_denied", "error_description": "the user said no"}
        else:
            code = secrets.token_urlsafe(16)
            with self.lock:
                self.codes[code] = {
                    "client_id": query["client_id"],
                    "redirect_uri": redirect,
                    "challenge": query["code_challenge"],
                    "scope": query.get("scope", ""),
                }
            back["code"] = code
        return 302, {"Location": f"{redirect}?{urlencode(back)}"}, b""

    def _client(self, headers: Any, form: dict[str, str]) -> str | None:
        basic = headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            return client if (client, secret) == (CLIENT_ID, CLIENT_SECRET) else None
        return form.get("client_id") if form.get("client_id") == PUBLIC_CLIENT else None

    def _issue(self, scope: str) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        self.access_tokens.add(access)
        self.refresh_tokens[refresh] = scope
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": refresh,
            "scope": scope,
        }

    def token(self, headers: Any, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.token_requests.append({"headers": dict(headers), "form": form})
        client = self._client(headers, form)
        if client is None:
            return 401, {"error": "invalid_client"}
        grant = form.get("grant_type")
        with self.lock:
            if grant == "authorization_code":
                code = self.codes.pop(form.get("code", ""), None)
                if (
                    code is None
                    or code["client_id"] != client
                    or code["redirect_uri"] != form.get("redirect_uri")
                    or _challenge(form.get("code_verifier", "")) != code["challenge"]
                ):
                    return 400, {"error": "invalid_grant"}
                return 200, self._issue(code["scope"])
            if grant == "refresh_token":
                scope = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
                if scope is None:
                    return 400, {"error": "invalid_grant"}
                return 200, self._issue(scope)
            if grant == "password":
                if (form.get("username"), form.get("password")) != (USER, PASSWORD):
                    return 400, {"error": "invalid_grant"}
                return 200, self._issue(form.get("scope", ""))
            if grant == "client_credentials" and client == CLIENT_ID:
                return 200, {"access_token": self._issue(form.get("scope", ""))["access_token"]}
        return 400, {"error": "unsupported_grant_type"}

    def api(self, headers: Any, method: str, body: bytes) -> tuple[int, dict[str, Any]]:
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        self.api_requests.append({"method": method, "token": token, "body": body.decode()})
        if self.refuse_api or token not in self.access_tokens:
            return 401, {"message": "bad credentials"}
        return 200, {"id": "1", "name": "one"}


@contextmanager
def serve_oauth(**options: Any) -> Iterator[OAuthServer]:
    """An ``OAuthServer`` on 127.0.0.1 until the block ends."""
    state = OAuthServer(**options)

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, value: dict[str, Any]) -> None:
            self._reply(status, {"Content-Type": "application/json"}, json.dumps(value).encode())

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                endpoints = {"issuer": state.base_url, "authorization_endpoint": state.url("/authorize"), "token_endpoint": state.url("/token")}  # fmt: skip
                self._json(200, endpoints)
            elif parts.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                self._reply(*state.authorize(query))
            elif parts.path.startswith("/api/"):
                self._json(*state.api(self.headers, "GET", b""))
            else:
                self._reply(404, {}, b"")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/token":
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                self._json(*state.token(self.headers, form))
            elif self.path.startswith("/api/"):
                self._json(*state.api(self.headers, "POST", body))
            else:
                self._reply(404, {}, b"")

        do_PUT = do_POST

        def log_message(self, format: str, *args: object) -> None:
            pass

    with running(Handler) as base_url:
        state.base_url = base_url
        yield state
