"""The action runtime: call the external system as a version describes it.

    invoke(version, action, input, credentials=...)   build, authenticate, send, check the answer
    build_request(version, action, input)             the request alone (before auth)
    credentials_from_env(connector)                   CONNECTORY_CREDENTIALS_<NAME>, as SecretStr

    styles        OpenAPI parameter serialization (style, explode)
    auth          auth methods as httpx.Auth: API keys, basic, digest, bearer, OAuth 2 client
                  credentials
    credentials   run-time secrets, never stored or printed
    soap          SOAP envelopes out, answers and faults back (protocols.soap.convert)
    custom        custom auth: a login request, or a JavaScript function (mini-racer, sandboxed)
    signing       auth that signs the request: HMAC over its parts, WS-Security UsernameToken
    jwtbearer     JWT bearer (RFC 7523), signed with joserfc
    tls           mutual TLS: the client certificate, set up with the connection

HTTP, GraphQL and SOAP actions run, with every auth method kind.
"""

from .credentials import Credentials, credentials_env_var, credentials_from_env
from .invoke import Invocation, build_request, invoke

__all__ = [
    "Credentials",
    "Invocation",
    "build_request",
    "credentials_env_var",
    "credentials_from_env",
    "invoke",
]
