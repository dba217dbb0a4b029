"""Auth methods applied to a request: an ``httpx.Auth`` per method kind, from run-time secrets.

    api_key        the key in its header, query parameter or cookie          secrets: key
    http_basic     httpx.BasicAuth                                           username, password
    http_digest    httpx.DigestAuth (challenge and response)                 username, password
    http_bearer    Authorization: Bearer <token>                             token
    http_scheme    Authorization: <scheme> <credentials>                     credentials
    oauth2         client credentials: the token is fetched from the flow's token URL once,
                   with the scopes the action needs, and sent as a bearer    client_id, client_secret
                   (a ``token`` secret is sent as it is, for the other flows)
    openid_connect the discovery document's token endpoint, then client credentials (scope
                   openid and the action's)                                  client_id, client_secret
    jwt_bearer     a signed JWT (RFC 7523), exchanged for a token or sent itself  private_key, issuer
    hmac           an HMAC over the request's parts, in a header (runtime.signing)   secret
    ws_security_username_token  a wsse:Security header in the SOAP envelope  username, password
    custom_request a login request whose answer yields what each request carries  (its placeholders)
    custom_function  a JavaScript function in a V8 sandbox (mini-racer)      (its placeholders)
    none           nothing

(``runtime.custom`` runs the two custom kinds, ``runtime.jwtbearer`` JWT bearer; mutual TLS is
set up with the connection, by ``runtime.tls``.)
A missing secret is an error that names the method and the secret, never a value.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping

import httpx
from pydantic import SecretStr

from ..authmethods import (
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
    OAuth2Auth,
    OpenIDConnectAuth,
    WSSecurityUsernameTokenAuth,
)
from ..errors import InputError, SourceError, SourceUnreachable
from .custom import FunctionAuth, LoginAuth
from .jwtbearer import JwtBearer
from .signing import HmacSigner, UsernameTokenAuth
from .styles import put

__all__ = ["access_token", "auth_for"]


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


class _ClientCredentials(httpx.Auth):
    """OAuth 2 client credentials (RFC 6749 4.4): one token request, then a bearer."""

    requires_response_body = True

    def __init__(
        self,
        token_url: str | None,
        client_id: str,
        secret: str,
        scopes: list[str],
        discovery_url: str | None = None,
    ) -> None:
        self._token_url, self._client_id, self._secret = token_url, client_id, secret
        self._scopes, self._discovery_url = scopes, discovery_url
        self._token: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token_url is None and self._discovery_url is not None:
            discovery = yield httpx.Request(
                "GET", self._discovery_url, headers={"Accept": "application/json"}
            )
            self._token_url = _token_endpoint(discovery, self._discovery_url)
        if self._token is None:
            assert self._token_url is not None
            form = {"grant_type": "client_credentials"}
            if self._scopes:
                form["scope"] = " ".join(self._scopes)
            token_request = httpx.Request(
                "POST", self._token_url, data=form, headers={"Accept": "application/json"}
            )
            # client_secret_basic (RFC 6749 2.3.1): httpx's Basic auth sets the header
            next(httpx.BasicAuth(self._client_id, self._secret).auth_flow(token_request))
            response = yield token_request
            self._token = access_token(response, self._token_url)
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


def _token_endpoint(response: httpx.Response, url: str) -> str:
    """The ``token_endpoint`` of an OpenID Connect discovery document."""
    try:
        found = response.json().get("token_endpoint") if response.status_code < 300 else None
    except (ValueError, AttributeError):
        found = None
    if not isinstance(found, str) or not found.startswith(("https://", "http://")):
        raise SourceError(
            f"the OpenID Connect discovery document (HTTP {response.status_code}) names no "
            "token_endpoint",
            location=url,
        )
    return found


def access_token(response: httpx.Response, url: str) -> str:
    if response.status_code >= 500:
        raise SourceUnreachable(
            f"the token endpoint answered HTTP {response.status_code}", location=url
        )
    try:
        token = response.json().get("access_token") if response.status_code < 300 else None
    except ValueError:
        token = None
    if not isinstance(token, str) or not token:
        raise SourceError(
            f"the token endpoint answered HTTP {response.status_code} without an access_token",
            location=url,
        )
    return token


def auth_for(
    method: AuthMethod, secrets: Mapping[str, SecretStr], scopes: list[str] | None = None
) -> httpx.Auth | None:
    """The ``httpx.Auth`` that applies ``method`` with ``secrets`` (None: nothing to apply)."""
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
    if isinstance(method, OAuth2Auth):
        if "token" in secrets:
            return _Put("Authorization", f"Bearer {_secret(secrets, method, 'token')}")
        flow = next((f for f in method.flows if f.grant == "client_credentials"), None)
        if flow is None or not flow.token_url:
            raise InputError(
                f"auth method {method.name!r} (oauth2) has no client credentials flow: give a "
                "'token' secret"
            )
        return _ClientCredentials(
            flow.token_url,
            _secret(secrets, method, "client_id"),
            _secret(secrets, method, "client_secret"),
            scopes or [],
        )
    if isinstance(method, OpenIDConnectAuth):
        if "token" in secrets:
            return _Put("Authorization", f"Bearer {_secret(secrets, method, 'token')}")
        return _ClientCredentials(
            None,
            _secret(secrets, method, "client_id"),
            _secret(secrets, method, "client_secret"),
            ["openid", *(scopes or [])],
            discovery_url=method.discovery_url,
        )
    if isinstance(method, JWTBearerAuth):
        return JwtBearer(method, secrets, scopes or [])
    if isinstance(method, HMACAuth):
        return HmacSigner(method, _secret(secrets, method, "secret"))
    if isinstance(method, WSSecurityUsernameTokenAuth):
        return UsernameTokenAuth(
            method, _secret(secrets, method, "username"), _secret(secrets, method, "password")
        )
    if isinstance(method, CustomRequestAuth):
        return LoginAuth(method, secrets)
    if isinstance(method, CustomFunctionAuth):
        return FunctionAuth(method, secrets)
    raise InputError(f"auth method {method.name!r} ({method.type}) is not supported by invoke yet")
