"""The action runtime: call the external system as a version describes it.

    invoke(version, action, input, credentials=...)   build, authenticate, send, check the answer
    invoke_pages(version, action, input, ...)         the items of every page of a list action
    listen(version, trigger, variables, ...)          a GraphQL subscription's events (WebSocket)
    build_request(version, action, input)             the request alone (before auth)
    credentials_for(connector)                        the secrets file and CONNECTORY_CREDENTIALS_<NAME>,
                                                      as SecretStr
    login(method, secrets, show=..., policy=...)      an OAuth 2 sign-in (authorization code, PKCE)
    login_device(method, secrets, show=..., ...)      an OAuth 2 device sign-in (RFC 8628)
    login_oauth1(method, secrets, show=..., ...)      an OAuth 1.0a three-legged sign-in
    secret_origins(version)                           the origins its secrets may go to, for consent
    SecretPolicy.of(version)                          the origins accepted for its connector

    invoke          an action: its request built, authenticated, sent; its answer checked
    subscribe       listen: a GraphQL subscription trigger's events over a WebSocket
    probe           the live auth check: one reading action called with the credentials given
    deliveries      trigger deliveries: what a system sends to a webhook, verified and checked
    styles          OpenAPI parameter serialization (style, explode)
    bodies          request bodies: forms by encoding (deepObject brackets), multipart files, bytes
    auth            auth methods as httpx.Auth: API keys, basic, digest, bearer, ...
    oauth           OAuth 2 and OpenID Connect: grants, tokens and their renewal, the device grant
    oauth1          OAuth 1.0a request signing (oauthlib)
    signin          signing a person in with a browser (authorization code, PKCE; OAuth 1.0a)
    credentials     run-time secrets, never stored in the catalogue or printed; the secrets file
    hosts           the origins a version's servers and auth endpoints name
    trust           consent: secrets only to accepted origins, over https (or to loopback)
    custom          custom auth: a login request, or a JavaScript function (mini-racer, sandboxed)
    sandbox         that function's sandbox: a worker process, a fresh V8 isolate per call, the
                    host's caps on time, memory and answers
    sandbox_worker  the sandbox's worker process, run by path (standard library and mini-racer only)
    signing         auth that signs the request: HMAC over its parts, WS-Security UsernameToken
    jwtbearer       JWT bearer (RFC 7523), signed with joserfc
    tls             mutual TLS: the client certificate, set up with the connection
    retry           429/503: Retry-After or backoff with jitter, within the caller's budget
    paging          pagination (cursor, page, offset, Link header) under caps: invoke_pages
    clients         the HTTP clients invoke shares between calls (per connector, certificate)
    checks          validators built once per version content
    soap/           SOAP envelopes out, answers and faults back:
      convert       JSON <-> XML for an action's messages, by the version's XSD models
      _lexical      XML text <-> JSON values for simple types, and untyped (wildcard) content
      _stored       the XSD models of a stored version, rebuilt from its definitions (no I/O)

HTTP, GraphQL and SOAP actions run, with every auth method kind. Secrets go only to the origins
the user accepted for the connector (``connectory trust``; ``trusted_origins=`` for a library
caller), never over plain http off loopback, and are hidden in answers and errors.
"""

from typing import TYPE_CHECKING

from connectory._lazy import lazy_names

from .credentials import (
    Credentials,
    SecretsFile,
    credentials_env_var,
    credentials_for,
    credentials_from_env,
    token_keeper,
)
from .hosts import origin, secret_origins, secret_places
from .invoke import Invocation, build_request, invoke  # its name is a module's: imported here
from .oauth import Token
from .trust import InsecureOrigin, SecretPolicy, UntrustedOrigin

if TYPE_CHECKING:
    from .paging import invoke_pages
    from .signin import login, login_device, login_oauth1
    from .subscribe import Event, listen

# what a call does not need, imported on first use (a cold ``connectory invoke``)
__getattr__, __dir__ = lazy_names(
    __name__,
    {
        ".paging": ("invoke_pages",),
        ".signin": ("login", "login_device", "login_oauth1"),
        ".subscribe": ("Event", "listen"),
    },
)

__all__ = [
    "Credentials",
    "Event",
    "InsecureOrigin",
    "Invocation",
    "SecretPolicy",
    "SecretsFile",
    "Token",
    "UntrustedOrigin",
    "build_request",
    "credentials_env_var",
    "credentials_for",
    "credentials_from_env",
    "invoke",
    "invoke_pages",
    "listen",
    "login",
    "login_device",
    "login_oauth1",
    "origin",
    "secret_origins",
    "secret_places",
    "token_keeper",
]
