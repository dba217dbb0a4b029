"""Auth methods applied to a request: an ``httpx.Auth`` per method kind, from run-time secrets.

    api_key        the key in its header, query parameter or cookie          secrets: key
    http_basic     httpx.BasicAuth                                           username, password
    http_digest    httpx.DigestAuth (challenge and response)                 username, password
    http_bearer    Authorization: Bearer <token>                             token
    http_scheme    Authorization: <scheme> <credentials>                     credentials
    oauth2         a bearer from the token endpoint, renewed when it expires (runtime.oauth):
                   client credentials, password or refresh token grant       client_id, client_secret,
                   (a ``token`` secret alone is sent as it is)               username, password,
                                                                             refresh_token, token
    openid_connect the discovery document's token endpoint, then as oauth2 (scope openid)
    oauth1         OAuth 1.0a: each request signed by oauthlib (HMAC, RSA,   consumer_key,
                   PLAINTEXT) in the header, the query or a form body        consumer_secret or
                   (runtime.oauth1)                                          private_key; token,
                                                                             token_secret
    jwt_bearer     a signed JWT (RFC 7523), exchanged for a token or sent itself  private_key, issuer
    hmac           an HMAC over the request's parts, in a header (runtime.signing)   secret
    ws_security_username_token  a wsse:Security header in the SOAP envelope  username, password
    custom_request a login request whose answer yields what each request carries  (its placeholders)
    custom_function  a JavaScript function in a V8 sandbox (mini-racer)      (its placeholders)
    none           nothing

(``runtime.oauth`` runs OAuth 2 and OpenID Connect, ``runtime.oauth1`` OAuth 1.0a,
``runtime.custom`` the two custom kinds, ``runtime.jwtbearer`` JWT bearer; mutual TLS is
set up with the connection, by ``runtime.tls``.)
A missing secret is an error that names the method and the secret, never a value.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping

import httpx
from pydantic import SecretStr

from connectory.errors import InputError
from connectory.model.auth import (
    ApiKeyAuth,
    AuthMethod,
    BasicAuth,
    BearerAuth,
    CustomFunctionAuth,
    CustomRequestAuth,
    DigestAuth,
    HMACAuth,
    HttpSchemeAuth,
    JWTBearerAuth,
    NoAuth,
    OAuth1Auth,
    OAuth2Auth,
    OpenIDConnectAuth,
    WSSecurityUsernameTokenAuth,
)

from .oauth import Token, oauth2_auth
from .styles import put

__all__ = ["auth_for"]


def _secret(secrets: Mapping[str, SecretStr], method: AuthMethod, name: str) -> str:
    value = secrets.get(name)
    if value is None:
        raise InputError(
            f"auth method {method.name!r} ({method.type}) needs the secret {name!r}; "
            f"given: {', '.join(sorted(secrets)) or 'none'}"
        )
    return value.get_secret_value()


class _Put(httpx.Auth):
    """A value set on every request: a header, a query parameter or a cookie."""

    def __init__(self, name: str, value: str, location: str = "header") -> None:
        self._name, self._value, self._location = name, value, location

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        put(request, self._location, self._name, self._value)
        yield request


def auth_for(
    method: AuthMethod,
    secrets: Mapping[str, SecretStr],
    scopes: list[str] | None = None,
    on_token: Callable[[Token], None] | None = None,
) -> httpx.Auth | None:
    """The ``httpx.Auth`` that applies ``method`` with ``secrets`` (None: nothing to apply);
    ``on_token`` is told of the tokens an OAuth 2 method gets with a new refresh token."""
    if isinstance(method, NoAuth):
        return None
    if isinstance(method, ApiKeyAuth):
        return _Put(method.parameter, _secret(secrets, method, "key"), method.location)
    if isinstance(method, BasicAuth):
        return httpx.BasicAuth(
            _secret(secrets, method, "username"), _secret(secrets, method, "password")
        )
    if isinstance(method, DigestAuth):
        return httpx.DigestAuth(
            _secret(secrets, method, "username"), _secret(secrets, method, "password")
        )
    if isinstance(method, BearerAuth):
        return _Put("Authorization", f"Bearer {_secret(secrets, method, 'token')}")
    if isinstance(method, HttpSchemeAuth):
        credentials = _secret(secrets, method, "credentials")
        return _Put("Authorization", f"{method.scheme} {credentials}")
    if isinstance(method, OAuth2Auth | OpenIDConnectAuth):
        return oauth2_auth(method, secrets, scopes or [], on_token)
    if isinstance(method, OAuth1Auth):
        from .oauth1 import oauth1_auth  # oauthlib: loaded for a method that needs it

        return oauth1_auth(method, secrets)
    if isinstance(method, JWTBearerAuth):
        from .jwtbearer import JwtBearer

        return JwtBearer(method, secrets, scopes or [])
    if isinstance(method, HMACAuth):
        from .signing import HmacSigner  # lxml

        return HmacSigner(method, _secret(secrets, method, "secret"))
    if isinstance(method, WSSecurityUsernameTokenAuth):
        from .signing import UsernameTokenAuth

        return UsernameTokenAuth(
            method, _secret(secrets, method, "username"), _secret(secrets, method, "password")
        )
    if isinstance(method, CustomRequestAuth):
        from .custom import LoginAuth  # lxml, regex, jmespath and the sandbox

        return LoginAuth(method, secrets)
    if isinstance(method, CustomFunctionAuth):
        from .custom import FunctionAuth

        return FunctionAuth(method, secrets)
    raise InputError(f"auth method {method.name!r} ({method.type}) is not supported by invoke yet")
