"""Signing a person in: OAuth 2 and OpenID Connect (authorization code with PKCE, or the device
authorization grant), and OAuth 1.0a (three-legged).

As native apps do it (RFC 8252, RFC 7636): the authorization URL (an OAuth 2 method's flow, or
the ``authorization_endpoint`` of an OpenID Connect provider's discovery document, with scope
``openid``), with an S256 code challenge and
a random ``state``, is shown to the person (``connectory login`` opens a browser); a one-off
listener on 127.0.0.1 receives the redirect, checks its ``state`` (another one is answered 400
and waited past) and is gone; the code is exchanged with its verifier at the token endpoint. The
query that holds the code is never logged.

``login_device`` (RFC 8628, ``connectory login --device``): for a person signing in on another
device. The device authorization endpoint hands out a ``user_code`` and a ``verification_uri``,
shown to the person (never a secret); the token endpoint is polled every ``interval`` seconds (5
more after each ``slow_down``) while it answers ``authorization_pending``, until the code expires
(``expires_in``) or ``timeout`` passes; ``expired_token`` and ``access_denied`` end it with an
error that says so.

``login_oauth1`` (RFC 5849): temporary credentials from the request token endpoint (signed by
the consumer, ``oauth_callback`` the listener), the person's consent at the authorization URL (the
redirect brings the request token back, checked like ``state``, and its ``oauth_verifier``), then
the access token for the verifier.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets as random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import SecretStr

from connectory.documents.fetch import translated_http_errors
from connectory.errors import InputError, SourceError
from connectory.model.auth import OAuth1Auth, OAuth2Auth, OpenIDConnectAuth
from connectory.redaction import Redactor

from .credentials import check_secrets, secret_values
from .hosts import method_urls
from .oauth import (
    DEVICE_GRANT,
    DeviceCode,
    OAuthClient,
    Token,
    device_poll_error,
    device_url,
    discovered,
    parse_device_code,
    parse_token,
    read_answer,
)
from .trust import SecretPolicy

if TYPE_CHECKING:
    from .oauth1 import OAuth1Token

__all__ = ["login", "login_device", "login_oauth1"]


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


_DONE_PAGE = (
    "<!doctype html><meta charset=utf-8><title>Connectory</title>"
    "<p>{message}</p><p>You can close this window.</p>"
)


@dataclass
class _Redirect:
    """What the browser brought back to the listener: ``state`` is looked for in the first of
    ``state_keys`` the query has, the answer in ``answer_key``."""

    state: str
    state_keys: tuple[str, ...] = ("state",)
    answer_key: str = "code"
    event: threading.Event = field(default_factory=threading.Event)
    query: dict[str, str] = field(default_factory=dict)

    def refused(self) -> bool:
        return "error" in self.query or "denied" in self.query  # denied: OAuth 1.0a providers'


def _listener(redirect: _Redirect, host: str, port: int, path: str) -> HTTPServer:
    class Handler(BaseHTTPRequestHandler):
        timeout = 10  # a connection that sends nothing does not hold up the browser's

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != path:
                self.send_error(404)
                return
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            given = next((query[k] for k in redirect.state_keys if k in query), "")
            if not redirect.state or not hmac.compare_digest(given, redirect.state):
                # not the answer to this sign-in (a stale tab, or another program): keep waiting
                self._page(400, "This is not the answer to the sign-in Connectory is waiting for.")
                return
            redirect.query = query
            ok = redirect.answer_key in query and not redirect.refused()
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
    error = redirect.query.get("error", "access_denied" if redirect.refused() else None)
    if error is not None:
        described = redirect.query.get("error_description", "")[:200]
        reason = f"{error[:80]}: {described}" if described else error[:80]
        raise SourceError(f"the sign-in was refused ({reason})", location=where)
    if not redirect.query.get(redirect.answer_key):
        what = "authorization code" if redirect.answer_key == "code" else redirect.answer_key
        raise SourceError(f"the provider's redirect brought no {what}", location=where)
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


def login_oauth1(
    method: OAuth1Auth,
    secrets: Mapping[str, SecretStr],
    *,
    show: Callable[[str], None],
    policy: SecretPolicy,
    client: httpx.Client | None = None,
    port: int = 0,
    timeout: float = 300.0,
) -> OAuth1Token:
    """Sign a person in with an OAuth 1.0a ``method`` (three-legged, see the module docstring)
    and return the access token (``OAuth1Token.secrets()``: what the secrets file keeps).

    ``show``, ``port`` and ``timeout`` as for ``login``; the redirect comes back to
    ``http://127.0.0.1:<port>/callback``. Secrets: ``consumer_key`` and ``consumer_secret`` (or
    ``private_key``, RSA). ``policy`` must accept the method's three URLs. Raises ``InputError``
    when the method lacks one of its URLs, the secrets lack the consumer or the URLs are not
    accepted, ``SourceError`` when the provider refuses (a wrong consumer secret: HTTP 401) or
    nobody signs in within ``timeout`` seconds.
    """
    redactor = Redactor(secret_values({method.name: secrets}))
    with redactor.errors():
        return _login_oauth1(method, secrets, show, policy, client, port, timeout, redactor)


def _login_oauth1(
    method: OAuth1Auth,
    secrets: Mapping[str, SecretStr],
    show: Callable[[str], None],
    policy: SecretPolicy,
    client: httpx.Client | None,
    port: int,
    timeout: float,
    redactor: Redactor,
) -> OAuth1Token:
    check_secrets(method.name, secrets)
    where = f"auth method {method.name!r} ({method.type})"
    urls = (method.request_token_url, method.authorization_url, method.access_token_url)
    request_url, authorization_url, access_url = urls
    if not request_url or not authorization_url or not access_url:
        raise InputError(
            f"{where} needs a request_token_url, an authorization_url and an access_token_url "
            "to sign in"
        )
    policy.require([found for _, found in method_urls(method)], what=f" ({where})")
    from .oauth1 import OAuth1Signer, consumer_of, parse_oauth1_token  # oauthlib, when used

    consumer = consumer_of(method, secrets)
    own = client is None
    client = client or httpx.Client(timeout=30.0)
    try:
        redirect = _Redirect(
            state="", state_keys=("oauth_token", "denied"), answer_key="oauth_verifier"
        )
        server = _listener(redirect, "127.0.0.1", port, "/callback")
        callback = f"http://127.0.0.1:{server.server_port}/callback"
        try:
            signer = OAuth1Signer(method, consumer, callback=callback)
            answer = _send(client, signer.sign(httpx.Request("POST", request_url)), "the request token answer")  # fmt: skip
            temporary, others = parse_oauth1_token(
                answer, request_url, "the request token endpoint"
            )
        except BaseException:
            server.server_close()
            raise
        redactor.add(temporary.secret.get_secret_value())
        if others.get("oauth_callback_confirmed") != "true":  # RFC 5849 2.1: an OAuth 1.0 server
            server.server_close()
            raise SourceError(
                "the request token endpoint did not confirm the callback "
                "(oauth_callback_confirmed): not an OAuth 1.0a provider",
                location=request_url,
            )
        redirect.state = temporary.token.get_secret_value()
        params = {"oauth_token": redirect.state}
        url = str(httpx.URL(authorization_url).copy_merge_params(params))
        query = _redirected(url, redirect, server, show, timeout)
        signer = OAuth1Signer(method, consumer, temporary, verifier=query["oauth_verifier"])
        request = signer.sign(httpx.Request("POST", access_url))
        answer = _send(client, request, "the access token answer")
        token, _ = parse_oauth1_token(answer, access_url, "the access token endpoint")
        return token
    finally:
        if own:
            client.close()


def _device_flow(method: OAuth2Auth) -> _Endpoints:
    """The device authorization endpoint (as ``authorization_url``), the token endpoint and the
    scopes of ``method``'s device_code flow."""
    flow = next((f for f in method.flows if f.grant == "device_code"), None)
    device_endpoint = device_url(flow) if flow is not None else None
    if flow is None or not device_endpoint or not flow.token_url:
        raise InputError(
            f"auth method {method.name!r} ({method.type}) has no device_code flow with its "
            "device authorization and token URLs"
        )
    return _Endpoints(device_endpoint, flow.token_url, list(flow.scopes))


def _discovered_device_flow(
    method: OpenIDConnectAuth, client: httpx.Client, policy: SecretPolicy
) -> _Endpoints:
    """The device authorization and token endpoints an OpenID Connect provider's discovery
    document names, accepted by ``policy``."""
    where = f"auth method {method.name!r} ({method.type})"
    document = _send(client, httpx.Request("GET", method.discovery_url), "the discovery document")
    keys = ("device_authorization_endpoint", "token_endpoint")
    device_endpoint, token_url = discovered(document, method.discovery_url, *keys)
    policy.require(
        [device_endpoint, token_url], what=f" ({where}: its discovery document names them)"
    )
    return _Endpoints(device_endpoint, token_url, [])


def login_device(
    method: OAuth2Auth | OpenIDConnectAuth,
    secrets: Mapping[str, SecretStr],
    *,
    show: Callable[[DeviceCode], None],
    policy: SecretPolicy,
    scopes: list[str] | None = None,
    client: httpx.Client | None = None,
    timeout: float = 900.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Token:
    """Sign a person in with the device authorization grant of ``method`` (RFC 8628, see the
    module docstring): its device_code flow, or the ``device_authorization_endpoint`` of an
    OpenID Connect provider's discovery document (scope ``openid``); return the token.

    ``show`` is handed the ``DeviceCode`` once: its ``user_code`` and ``verification_uri`` (and
    ``verification_uri_complete``) are for the person. Secrets: ``client_id`` and, for a
    confidential client, ``client_secret``; ``policy`` must accept the flow's endpoints.
    ``sleep`` and ``clock`` are the waits between polls and the time they are measured by.
    Raises ``InputError`` when the method has no device flow with its two URLs, ``SourceError``
    when the code expires, the person refuses, or nobody signs in within ``timeout`` seconds.
    """
    redactor = Redactor(secret_values({method.name: secrets}))
    with redactor.errors():
        return _login_device(
            method, secrets, show, policy, scopes, client, timeout, sleep, clock, redactor
        )


def _login_device(
    method: OAuth2Auth | OpenIDConnectAuth,
    secrets: Mapping[str, SecretStr],
    show: Callable[[DeviceCode], None],
    policy: SecretPolicy,
    scopes: list[str] | None,
    client: httpx.Client | None,
    timeout: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    redactor: Redactor,
) -> Token:
    check_secrets(method.name, secrets)
    where = f"auth method {method.name!r} ({method.type})"
    endpoints = _device_flow(method) if isinstance(method, OAuth2Auth) else None
    policy.require([found for _, found in method_urls(method)], what=f" ({where})")
    client_id = secrets.get("client_id")
    if client_id is None:
        raise InputError(f"{where} needs the secret 'client_id' to sign in")
    client_secret = secrets.get("client_secret")
    secret = client_secret.get_secret_value() if client_secret is not None else None
    own = client is None
    client = client or httpx.Client(timeout=30.0)
    try:
        if endpoints is None:
            assert isinstance(method, OpenIDConnectAuth)
            endpoints = _discovered_device_flow(method, client, policy)
        required = ["openid"] if isinstance(method, OpenIDConnectAuth) else []
        wanted = [*required, *(endpoints.scopes if scopes is None else scopes)]
        device_endpoint, token_url = endpoints.authorization_url, endpoints.token_url
        asking = OAuthClient(client_id.get_secret_value(), secret, device_endpoint)
        form = {"scope": " ".join(dict.fromkeys(wanted))} if wanted else {}
        answer = _send(client, asking.token_request(form), "the device authorization answer")
        started = clock()
        code = parse_device_code(answer, device_endpoint)
        redactor.add(code.device_code.get_secret_value())
        deadline = started + min(code.expires_in, timeout)
        show(code)
        polling = OAuthClient(client_id.get_secret_value(), secret, token_url)
        poll = {"grant_type": DEVICE_GRANT, "device_code": code.device_code.get_secret_value()}
        interval = code.interval
        while True:
            if clock() + interval > deadline:
                raise SourceError(
                    f"nobody signed in within {deadline - started:g} s "
                    f"({'the code expired' if code.expires_in <= timeout else 'timeout'})",
                    location=code.verification_uri,
                )
            sleep(interval)
            answer = _send(client, polling.token_request(poll), "the token answer")
            error = device_poll_error(answer)
            if error == "authorization_pending":
                continue
            if error == "slow_down":  # RFC 8628 3.5: 5 seconds more, from now on
                interval += 5.0
                continue
            if error == "expired_token":
                raise SourceError(
                    "the device code expired before the sign-in was approved: run connectory "
                    "login --device again",
                    location=token_url,
                )
            if error == "access_denied":
                raise SourceError("the sign-in was refused (access_denied)", location=token_url)
            return parse_token(answer, token_url)
    finally:
        if own:
            client.close()
