"""A real OAuth 2 authorization server and a protected API on loopback, for tests.

It does what a provider does, no more: ``/authorize`` (authorization code, PKCE S256 required,
redirect URIs on 127.0.0.1 only) redirects with a code or an error, as OpenID Connect discovery
(``/.well-known/openid-configuration``) says; ``/token`` answers the
authorization code (verifier checked against the challenge), refresh token (rotated: the old
one stops working), password and client credentials grants, authenticating confidential clients
by HTTP Basic and public ones by their ``client_id``; ``/api/items`` wants a live access token.
``expire_all()`` makes every access token stale, as time would.

The device authorization grant (RFC 8628): ``/device`` hands out a device code and a user code;
the token endpoint answers the device code grant with each of ``device_answers`` in turn
(``authorization_pending``, ``slow_down``...), then as the person decided (``decide(user_code,
approve)``: a token or ``access_denied``; undecided: ``authorization_pending``), or
``expired_token`` once the code has expired (``expire_devices()``). ``GET /activate?user_code=``
is the person at the verification URI deciding (approving, or refusing when ``deny``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from .servers import running

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
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
    device_interval: int | None = 5
    device_expires_in: int = 600
    device_answers: list[str] = field(default_factory=list)
    """Errors the device code grant answers first, one a poll."""
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Device code -> its user code, scope, the person's decision (None: not yet), expired."""
    device_requests: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def expire_all(self) -> None:
        with self.lock:
            self.access_tokens.clear()

    def decide(self, user_code: str, approve: bool) -> None:
        """The person, at the verification URI, approves or refuses ``user_code``."""
        with self.lock:
            for device in self.devices.values():
                if device["user_code"] == user_code:
                    device["approved"] = approve

    def expire_devices(self) -> None:
        with self.lock:
            for device in self.devices.values():
                device["expired"] = True

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

    def device(self, headers: Any, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.device_requests.append({"headers": dict(headers), "form": form})
        if self._client(headers, form) is None:
            return 401, {"error": "invalid_client"}
        device_code, user_code = secrets.token_urlsafe(24), secrets.token_hex(4).upper()
        with self.lock:
            self.devices[device_code] = {
                "user_code": user_code,
                "scope": form.get("scope", ""),
                "approved": None,
                "expired": False,
            }
        answer = {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": self.url("/activate"),
            "verification_uri_complete": self.url(f"/activate?user_code={user_code}"),
            "expires_in": self.device_expires_in,
        }
        if self.device_interval is not None:
            answer["interval"] = self.device_interval
        return 200, answer

    def _device_token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        device = self.devices.get(form.get("device_code", ""))
        if device is None:
            return 400, {"error": "invalid_grant"}
        if self.device_answers:
            return 400, {"error": self.device_answers.pop(0)}
        if device["expired"]:
            return 400, {"error": "expired_token"}
        if device["approved"] is None:
            return 400, {"error": "authorization_pending"}
        if not device["approved"]:
            return 400, {"error": "access_denied"}
        del self.devices[form["device_code"]]
        return 200, self._issue(device["scope"])

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
            if grant == DEVICE_GRANT:
                return self._device_token(form)
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
                endpoints["device_authorization_endpoint"] = state.url("/device")
                self._json(200, endpoints)
            elif parts.path == "/activate":  # the person approves the code (?user_code=)
                code = parse_qs(parts.query).get("user_code", [""])[0]
                state.decide(code, approve=not state.deny)
                self._reply(200, {}, b"approved" if not state.deny else b"refused")
            elif parts.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                self._reply(*state.authorize(query))
            elif parts.path.startswith("/api/"):
                self._json(*state.api(self.headers, "GET", b""))
            else:
                self._reply(404, {}, b"")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path in ("/token", "/device"):
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                answer = state.token if self.path == "/token" else state.device
                self._json(*answer(self.headers, form))
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
