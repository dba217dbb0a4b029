"""The action runtime: call the external system as a version describes it.

    invoke(version, action, input, credentials=...)   build, authenticate, send, check the answer
    listen(version, trigger, variables, ...)          a GraphQL subscription's events (WebSocket)
    build_request(version, action, input)             the request alone (before auth)
    credentials_for(connector)                        the secrets file and CONNECTORY_CREDENTIALS_<NAME>,
                                                      as SecretStr
    login(method, secrets, show=...)                  an OAuth 2 sign-in (authorization code, PKCE)

    styles        OpenAPI parameter serialization (style, explode)
    auth          auth methods as httpx.Auth: API keys, basic, digest, bearer, ...
    oauth         OAuth 2 and OpenID Connect: grants, tokens and their renewal
    signin        signing a person in with a browser (authorization code, PKCE)
    credentials   run-time secrets, never stored in the catalogue or printed; the secrets file
    soap          SOAP envelopes out, answers and faults back (protocols.soap.convert)
    custom        custom auth: a login request, or a JavaScript function (mini-racer, sandboxed)
    signing       auth that signs the request: HMAC over its parts, WS-Security UsernameToken
    jwtbearer     JWT bearer (RFC 7523), signed with joserfc
    tls           mutual TLS: the client certificate, set up with the connection

HTTP, GraphQL and SOAP actions run, with every auth method kind.
"""

from .credentials import (
    Credentials,
    SecretsFile,
    credentials_env_var,
    credentials_for,
    credentials_from_env,
    token_keeper,
)
from .invoke import Invocation, build_request, invoke
from .oauth import Token
from .signin import login
from .subscribe import Event, listen

__all__ = [
    "Credentials",
    "Event",
    "Invocation",
    "SecretsFile",
    "Token",
    "build_request",
    "credentials_env_var",
    "credentials_for",
    "credentials_from_env",
    "invoke",
    "listen",
    "login",
    "token_keeper",
]
