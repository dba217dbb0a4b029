"""Signing a person in to an OAuth 2 or OpenID Connect provider: authorization code with PKCE.

As native apps do it (RFC 8252, RFC 7636): the authorization URL (an OAuth 2 method's flow, or
the ``authorization_endpoint`` of an OpenID Connect provider's discovery document, with scope
``openid``), with an S256 code challenge and
a random ``state``, is shown to the person (``connectory login`` opens a browser); a one-off
listener on 127.0.0.1 receives the redirect, checks its ``state`` (another one is answered 400
and waited past) and is gone; the code is exchanged with its verifier at the token endpoint. The
query that holds the code is never logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets as random
import threading
from collections.abc import (
    Callable,
    Mapping,
)
from dataclasses import (
    dataclass,
    field,
)
from http.server import (
    BaseHTTPRequestHandler,
    HTTPServer,
)
from urllib.parse import (
    parse_qs,
    urlsplit,
)

import httpx
from pydantic import SecretStr

from connectory.documents.fetch import translated_http_errors
from connectory.errors import (
    InputError,
    SourceError,
)
from connectory.model.auth import (
    OAuth2Auth,
    OpenIDConnectAuth,
)
from connectory.redaction import Redactor

from .credentials import (
    check_secrets,
    secret_values,
)
from .hosts import method_urls
from .oauth import (
    OAuthClient,
    Token,
    discovered,
    parse_token,
    read_answer,
)
from .trust import SecretPolicy

__all__ = ["login"]


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


_DONE_PAGE = (
    "<!doctype html><meta charset=utf-8><title>Connectory</title>"
    "<p>{message}</p><p>You can close this window.</p>"
)


@dataclass
class _Redirect:
    """What the browser brought back to the listener."""

    state: str
    event: threading.Event = field(default_factory=threading.Event)
    query: dict[str, str] = field(default_factory=dict)


def _listener(redirect: _Redirect, host: str, port: int, path: str) -> HTTPServer:
    class Handler(BaseHTTPRequestHandler):
        timeout = 10  # a connection that sends nothing does not hold up the browser's

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != path:
                self.send_error(404)
                return
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            if not hmac.compare_digest(query.get("state", ""), redirect.state):
                # not the answer to this sign-in (a stale tab, or another program): keep waiting
                self._page(400, "This is not the answer to the sign-in Connectory is waiting for.")
                return
            redirect.query = query
            ok = "code" in query and "error" not in query
            self._page(200 if ok else 400, "Signed in." if ok else "The sign-in was refused.")
            redirect.event.set()

        def _page(self, status: int, message: str) -> None:
            body = _DONE_PAGE.format(message=html.escape(message)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the query holds the code: never logged

    try:
        return HTTPServer((host, port), Handler)
    except OSError as error:
        raise InputError(
            f"cannot listen on {host}:{port} for the sign-in: {error.strerror}"
        ) from None


@dataclass(frozen=True)
class _Endpoints:
    authorization_url: str
    token_url: str
    scopes: list[str]
    """Asked for unless the caller names others (the flow's; OpenID Connect asks ``openid``)."""


def _endpoints(
    method: OAuth2Auth | OpenIDConnectAuth, client: httpx.Client, policy: SecretPolicy
) -> _Endpoints:
    """Where to send the person and the code: the method's authorization code flow, or an OpenID
    Connect provider's discovery document; accepted by ``policy``."""
    where = f"auth method {method.name!r} ({method.type})"
    policy.require([found for _, found in method_urls(method)], what=f" ({where})")
    if isinstance(method, OAuth2Auth):
        flow = next((f for f in method.flows if f.grant == "authorization_code"), None)
        if flow is None or not flow.authorization_url or not flow.token_url:
            raise InputError(f"{where} has no authorization code flow with its two URLs")
        return _Endpoints(flow.authorization_url, flow.token_url, list(flow.scopes))
    document = _send(client, httpx.Request("GET", method.discovery_url), "the discovery document")
    keys = ("authorization_endpoint", "token_endpoint")
    authorization_url, token_url = discovered(document, method.discovery_url, *keys)
    named = f" ({where}: its discovery document names them)"
    policy.require([authorization_url, token_url], what=named)
    return _Endpoints(authorization_url, token_url, [])


def _send(client: httpx.Client, request: httpx.Request, what: str) -> httpx.Response:
    """``request`` sent, its answer read (at most ``MAX_TOKEN_ANSWER`` bytes)."""
    with translated_http_errors(str(request.url.copy_with(query=None))):
        response = client.send(request, stream=True, follow_redirects=False)
        try:
            return read_answer(response, what)
        finally:
            response.close()


def _redirected(
    url: str, redirect: _Redirect, server: HTTPServer, show: Callable[[str], None], timeout: float
) -> dict[str, str]:
    """The query the browser brought back to ``server`` after ``show`` was handed ``url``."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    where = str(httpx.URL(url).copy_with(query=None))
    try:
        show(url)
        if not redirect.event.wait(timeout):
            raise SourceError(f"nobody signed in within {timeout:g} s", location=where)
    finally:
        server.shutdown()
        server.server_close()
    error = redirect.query.get("error")
    if error is not None:
        described = redirect.query.get("error_description", "")[:200]
        reason = f"{error[:80]}: {described}" if described else error[:80]
        raise SourceError(f"the sign-in was refused ({reason})", location=where)
    if not redirect.query.get("code"):
        raise SourceError("the provider's redirect brought no authorization code", location=where)
    return redirect.query


def login(
    method: OAuth2Auth | OpenIDConnectAuth,
    secrets: Mapping[str, SecretStr],
    *,
    show: Callable[[str], None],
    policy: SecretPolicy,
    scopes: list[str] | None = None,
    client: httpx.Client | None = None,
    port: int = 0,
    timeout: float = 300.0,
) -> Token:
    """Sign a person in with ``method`` (its authorization code flow, or the OpenID Connect
    provider its discovery document names) and return the token.

    ``show`` is handed the authorization URL to open in a browser; the redirect comes back to
    ``http://127.0.0.1:<port>/callback`` (``port`` 0: any free port; give the one registered with
    the provider when it wants an exact redirect URI). Secrets: ``client_id`` and, for a
    confidential client, ``client_secret``. ``policy`` (``SecretPolicy.of(version)``: the origins
    accepted for the connector) must accept the endpoints. Raises ``InputError`` when the method
    has no such flow, the secrets lack the client id or the endpoints are not accepted
    (``trust.UntrustedOrigin``), ``SourceError`` when the provider refuses, or nobody signs in
    within ``timeout`` seconds.
    """
    redactor = Redactor(secret_values({method.name: secrets}))
    with redactor.errors():
        return _login(method, secrets, show, policy, scopes, client, port, timeout)


def _login(
    method: OAuth2Auth | OpenIDConnectAuth,
    secrets: Mapping[str, SecretStr],
    show: Callable[[str], None],
    policy: SecretPolicy,
    scopes: list[str] | None,
    client: httpx.Client | None,
    port: int,
    timeout: float,
) -> Token:
    check_secrets(method.name, secrets)
    client_id = secrets.get("client_id")
    if client_id is None:
        raise InputError(
            f"auth method {method.name!r} ({method.type}) needs the secret 'client_id' to sign in"
        )
    client_secret = secrets.get("client_secret")
    own = client is None
    client = client or httpx.Client(timeout=30.0)
    try:
        endpoints = _endpoints(method, client, policy)
        verifier = random.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-] (RFC 7636 4.1)
        redirect = _Redirect(state=random.token_urlsafe(24))
        server = _listener(redirect, "127.0.0.1", port, "/callback")
        redirect_uri = f"http://127.0.0.1:{server.server_port}/callback"
        required = ["openid"] if isinstance(method, OpenIDConnectAuth) else []
        wanted = [*required, *(endpoints.scopes if scopes is None else scopes)]
        params = {
            "response_type": "code",
            "client_id": client_id.get_secret_value(),
            "redirect_uri": redirect_uri,
            "state": redirect.state,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
            **({"scope": " ".join(dict.fromkeys(wanted))} if wanted else {}),
        }
        url = str(httpx.URL(endpoints.authorization_url).copy_merge_params(params))
        query = _redirected(url, redirect, server, show, timeout)
        oauth = OAuthClient(
            client_id.get_secret_value(),
            client_secret.get_secret_value() if client_secret is not None else None,
            endpoints.token_url,
        )
        form = {
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        answer = _send(client, oauth.token_request(form), "the token answer")
        return parse_token(answer, endpoints.token_url)
    finally:
        if own:
            client.close()
