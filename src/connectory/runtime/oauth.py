"""OAuth 2 (RFC 6749) and OpenID Connect: tokens from a token endpoint, kept until they expire.

``OAuth2Bearer`` is the ``httpx.Auth`` of an ``oauth2`` or ``openid_connect`` method. It gets a
token by the grant the secrets allow, sends it as a bearer, and renews it 30 s before it expires
(``expires_in``) or once when the API answers 401 to a token that was not fresh, then sends the
request again:

    refresh_token        a refresh token (what ``login`` leaves), client_id [, client_secret]
    password             username, password, client_id [, client_secret]
    client_credentials   client_id, client_secret

A token the secrets hold already (``token``, with ``expires_at`` in Unix seconds when it expires)
is used first. The client authenticates with HTTP Basic when it has a secret
(``client_secret_basic``), else it is a public client that sends its ``client_id`` in the form.
When the token endpoint hands out a new refresh token, ``on_token`` is told (the secrets file
keeps it), since the old one may no longer be valid.

A person signs in with the authorization code grant, or the device authorization grant (RFC
8628: ``device_request``, ``parse_device_code``, ``device_poll_error``), in ``runtime.signin``.

Token answers are read here, at most ``MAX_TOKEN_ANSWER`` bytes; never the API's own answers,
which ``invoke`` reads within its own limits (see ``read_answer``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field

import httpx
from pydantic import SecretStr

from connectory.documents.fetch import read_capped
from connectory.errors import InputError, SourceError, SourceUnreachable
from connectory.model.auth import OAuth2Auth, OAuth2Flow, OpenIDConnectAuth
from connectory.settings import Settings

__all__ = [
    "DEVICE_GRANT",
    "MAX_TOKEN_ANSWER",
    "TOKEN_SECRETS",
    "DeviceCode",
    "OAuth2Bearer",
    "OAuthClient",
    "Token",
    "device_poll_error",
    "device_url",
    "discovered",
    "oauth2_auth",
    "parse_device_code",
    "parse_token",
    "read_answer",
    "token_secrets",
]

MAX_TOKEN_ANSWER = 1024 * 1024
"""Refuse a token endpoint's (or a login request's) answer larger than this."""
_TOKEN_LIMITS = Settings(max_document_bytes=MAX_TOKEN_ANSWER)
_EARLY = 30.0
"""Renew a token this many seconds before it expires."""
_GRANTS_WITH_TOKEN_URL = ("authorization_code", "password", "client_credentials", "device_code")


def read_answer(response: httpx.Response, what: str) -> httpx.Response:
    """``response`` (streamed) read into memory, at most ``MAX_TOKEN_ANSWER`` bytes once decoded:
    for the answers an auth flow reads itself (tokens, logins, discovery documents)."""
    where = str(response.request.url.copy_with(query=None))
    too_large = f"{what} is larger than {MAX_TOKEN_ANSWER:,} bytes"
    # What Response.read() keeps: httpx reads each answer of an auth flow again once the flow
    # has moved on, which would otherwise fail on the stream read here.
    response._content = read_capped(response, where, _TOKEN_LIMITS, math.inf, too_large)
    return response


@dataclass(frozen=True)
class Token:
    """An access token, when it expires (Unix seconds; None: not said) and a refresh token."""

    access_token: SecretStr
    expires_at: float | None = None
    refresh_token: SecretStr | None = None

    def usable(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return self.expires_at is None or now < self.expires_at - _EARLY


TOKEN_SECRETS = frozenset({"token", "expires_at", "refresh_token"})
"""The secrets that keep a token (``token_secrets``)."""


def token_secrets(token: Token) -> dict[str, SecretStr | None]:
    """The secrets that keep ``token`` (``token``, ``expires_at``, ``refresh_token``)."""
    return {
        "token": token.access_token,
        "expires_at": SecretStr(str(int(token.expires_at))) if token.expires_at else None,
        "refresh_token": token.refresh_token,
    }


def parse_token(response: httpx.Response, url: str, previous: Token | None = None) -> Token:
    """The token in a token endpoint's answer (RFC 6749 5.1), or an error saying why not (5.2)."""
    if response.status_code >= 500:
        raise SourceUnreachable(
            f"the token endpoint answered HTTP {response.status_code}", location=url
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    body = body if isinstance(body, dict) else {}
    token = body.get("access_token") if response.status_code < 300 else None
    if not isinstance(token, str) or not token:
        error = body.get("error")
        reason = f" ({error[:80]})" if isinstance(error, str) and error.isprintable() else ""
        raise SourceError(
            f"the token endpoint answered HTTP {response.status_code}{reason} without an "
            "access_token",
            location=url,
        )
    expires_in = body.get("expires_in")
    if isinstance(expires_in, str) and expires_in.isdigit():
        expires_in = int(expires_in)
    refresh = body.get("refresh_token")
    kept = previous.refresh_token if previous is not None else None
    return Token(
        SecretStr(token),
        time.time() + expires_in
        if isinstance(expires_in, int | float) and expires_in > 0
        else None,
        SecretStr(refresh) if isinstance(refresh, str) and refresh else kept,
    )


@dataclass
class OAuthClient:
    """The OAuth client: its id, its secret (None: a public client) and the token endpoint."""

    client_id: str
    client_secret: str | None
    token_url: str | None
    discovery_url: str | None = None

    def token_request(self, form: dict[str, str]) -> httpx.Request:
        form = dict(form)
        headers = {"Accept": "application/json"}
        if self.client_secret is None:
            form["client_id"] = self.client_id
        assert self.token_url is not None
        request = httpx.Request("POST", self.token_url, data=form, headers=headers)
        if self.client_secret is not None:  # client_secret_basic (RFC 6749 2.3.1)
            next(httpx.BasicAuth(self.client_id, self.client_secret).auth_flow(request))
        return request


DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
"""The grant type of the device access token request (RFC 8628 3.4)."""
_DEFAULT_INTERVAL = 5.0
_MIN_INTERVAL = 1.0  # a server asking to be polled faster is polled once a second
"""Seconds between polls when the device authorization answer names none (RFC 8628 3.2)."""
_DEVICE_ERRORS = frozenset({"authorization_pending", "slow_down", "expired_token", "access_denied"})


def device_url(flow: OAuth2Flow) -> str | None:
    """The device authorization endpoint of a ``device_code`` flow (its ``authorization_url``
    when it names none: where versions modelled before it was a field kept it)."""
    return flow.device_authorization_url or flow.authorization_url


@dataclass(frozen=True)
class DeviceCode:
    """A device authorization answer (RFC 8628 3.2): what the person is shown (``user_code``,
    ``verification_uri``, never a secret) and what the device polls with (``device_code``)."""

    device_code: SecretStr
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float


def _printable(value: object, limit: int = 2048) -> str | None:
    return value if isinstance(value, str) and value.isprintable() and len(value) <= limit else None


def parse_device_code(response: httpx.Response, url: str) -> DeviceCode:
    """The device authorization answer (read with ``read_answer``), or an error saying why not."""
    if response.status_code >= 500:
        raise SourceUnreachable(
            f"the device authorization endpoint answered HTTP {response.status_code}",
            location=url,
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    body = body if isinstance(body, dict) else {}
    device_code, user_code = body.get("device_code"), _printable(body.get("user_code"), 64)
    # verification_url: what some providers (Google's) spell it
    uri = _printable(body.get("verification_uri") or body.get("verification_url"))
    complete = _printable(body.get("verification_uri_complete"))
    if (
        response.status_code >= 300
        or not isinstance(device_code, str)
        or not device_code
        or not user_code
        or not uri
        or not uri.startswith(("https://", "http://"))
    ):
        error = _printable(body.get("error"), 80)
        reason = f" ({error})" if error else ""
        raise SourceError(
            f"the device authorization endpoint answered HTTP {response.status_code}{reason} "
            "without a device_code, a user_code and a verification_uri",
            location=url,
        )
    expires_in, interval = body.get("expires_in"), body.get("interval")
    return DeviceCode(
        SecretStr(device_code),
        user_code,
        uri,
        complete if complete and complete.startswith(("https://", "http://")) else None,
        float(expires_in) if isinstance(expires_in, int | float) and expires_in > 0 else math.inf,
        max(float(interval), _MIN_INTERVAL)
        if isinstance(interval, int | float) and interval > 0
        else _DEFAULT_INTERVAL,
    )


def device_poll_error(response: httpx.Response) -> str | None:
    """The RFC 8628 3.5 error of a device access token answer (``authorization_pending``,
    ``slow_down``, ``expired_token``, ``access_denied``), or None: a token, or another error
    (``parse_token`` says which)."""
    if response.status_code < 400 or response.status_code >= 500:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if error in _DEVICE_ERRORS else None


def discovered(response: httpx.Response, url: str, *keys: str) -> list[str]:
    """The endpoint URLs named ``keys`` (``token_endpoint``...) in an OpenID Connect discovery
    document (read with ``read_answer``), or an error naming the ones it lacks."""
    try:
        found = response.json() if response.status_code < 300 else None
    except ValueError:
        found = None
    found = found if isinstance(found, dict) else {}
    urls = [found.get(key) for key in keys]
    if not all(isinstance(u, str) and u.startswith(("https://", "http://")) for u in urls):
        raise SourceError(
            f"the OpenID Connect discovery document (HTTP {response.status_code}) names no "
            f"{' and '.join(keys)}",
            location=url,
        )
    return urls  # type: ignore[return-value]


@dataclass
class OAuth2Bearer(httpx.Auth):
    """Bearer tokens from a token endpoint (see the module docstring)."""

    requires_request_body = True  # a request answered 401 is sent again
    client: OAuthClient
    grant: dict[str, str] | None
    """The form of the grant that gets a token afresh (password, client credentials), if any."""
    token: Token | None = None
    scopes: list[str] = field(default_factory=list)
    on_token: Callable[[Token], None] | None = None

    def _renewal(self) -> dict[str, str]:
        if self.token is not None and self.token.refresh_token is not None:
            return {
                "grant_type": "refresh_token",
                "refresh_token": self.token.refresh_token.get_secret_value(),
            }
        if self.grant is None:
            raise InputError(
                "the OAuth 2 token has expired and there is no refresh token to renew it: "
                "sign in again (connectory login)"
            )
        form = dict(self.grant)
        if self.scopes:
            form["scope"] = " ".join(self.scopes)
        return form

    def _renewable(self) -> bool:
        return self.grant is not None or (
            self.token is not None and self.token.refresh_token is not None
        )

    def _renew(self) -> Generator[httpx.Request, httpx.Response, None]:
        if self.client.token_url is None and self.client.discovery_url is not None:
            discovery = yield httpx.Request(
                "GET", self.client.discovery_url, headers={"Accept": "application/json"}
            )
            discovery = read_answer(discovery, "the discovery document")
            (self.client.token_url,) = discovered(
                discovery, self.client.discovery_url, "token_endpoint"
            )
        url = self.client.token_url
        if url is None:
            raise InputError("the OAuth 2 method names no token URL to get a token from")
        form = self._renewal()
        response = yield self.client.token_request(form)
        previous = self.token
        try:
            self.token = parse_token(read_answer(response, "the token answer"), url, previous)
        except SourceError as error:
            if form["grant_type"] != "refresh_token" or isinstance(error, SourceUnreachable):
                raise
            raise SourceError(
                f"{error.message}: the refresh token was refused; sign in again (connectory login)",
                location=url,
            ) from None
        if self.on_token is not None and (
            previous is None or self.token.refresh_token != previous.refresh_token
        ):
            self.on_token(self.token)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        fresh = False
        if self.token is None or not self.token.usable():
            yield from self._renew()
            fresh = True
        assert self.token is not None
        request.headers["Authorization"] = f"Bearer {self.token.access_token.get_secret_value()}"
        response = yield request
        if response.status_code == 401 and not fresh and self._renewable():
            yield from self._renew()
            request.headers["Authorization"] = (
                f"Bearer {self.token.access_token.get_secret_value()}"
            )
            yield request


def _flow(method: OAuth2Auth, *grants: str) -> OAuth2Flow | None:
    """The first flow of ``grants`` (in that order of preference) that has a token URL."""
    for grant in grants:
        for flow in method.flows:
            if flow.grant == grant and flow.token_url:
                return flow
    return None


def _value(secrets: Mapping[str, SecretStr], name: str) -> str | None:
    secret = secrets.get(name)
    return secret.get_secret_value() if secret is not None else None


def _grant(
    method: OAuth2Auth, secrets: Mapping[str, SecretStr]
) -> tuple[dict[str, str] | None, str | None]:
    """The form of the grant that gets a token afresh (if the secrets allow one), and the token
    URL to send it, or a refresh token, to."""
    flow = _flow(method, "password")
    if flow is not None and "username" in secrets and "password" in secrets:
        form = {"username": _value(secrets, "username"), "password": _value(secrets, "password")}
        return {"grant_type": "password", **form}, flow.token_url  # type: ignore[dict-item]
    flow = _flow(method, "client_credentials")
    if flow is not None and "client_secret" in secrets:
        return {"grant_type": "client_credentials"}, flow.token_url
    flow = _flow(method, *_GRANTS_WITH_TOKEN_URL)
    return None, (flow.refresh_url or flow.token_url) if flow is not None else None


def _stored(secrets: Mapping[str, SecretStr]) -> Token | None:
    """The token the secrets hold already (with only a refresh token: one to renew at once)."""
    token, refresh = secrets.get("token"), secrets.get("refresh_token")
    if token is None and refresh is None:
        return None
    expires = _value(secrets, "expires_at")
    try:
        expires_at = float(expires) if expires is not None else None
    except ValueError:
        raise InputError("the secret 'expires_at' must be a time in Unix seconds") from None
    if token is None:
        return Token(SecretStr(""), 0.0, refresh)
    return Token(token, expires_at, refresh)


def oauth2_auth(
    method: OAuth2Auth | OpenIDConnectAuth,
    secrets: Mapping[str, SecretStr],
    scopes: list[str],
    on_token: Callable[[Token], None] | None = None,
) -> httpx.Auth:
    """The ``httpx.Auth`` that ``secrets`` allow for ``method`` (see the module docstring): an
    ``OAuth2Bearer`` when a token can be got or renewed, else the given ``token`` as it is."""
    where = f"auth method {method.name!r} ({method.type})"
    stored = _stored(secrets)
    discovery = None
    if isinstance(method, OpenIDConnectAuth):
        scopes, discovery, token_url = ["openid", *scopes], method.discovery_url, None
        grant = {"grant_type": "client_credentials"} if "client_secret" in secrets else None
    else:
        grant, token_url = _grant(method, secrets)
    if grant is None and (stored is None or stored.refresh_token is None):
        if stored is not None:
            return _StaticBearer(stored.access_token)
        raise InputError(
            f"{where} needs secrets for a grant it has: client_id and client_secret (client "
            "credentials), username and password (password), a refresh_token, or a token; "
            "or sign in with connectory login"
        )
    client_id = _value(secrets, "client_id")
    if client_id is None:
        raise InputError(f"{where} needs the secret 'client_id'; given: {sorted(secrets)}")
    if token_url is None and discovery is None:
        raise InputError(f"{where} names no token URL")
    client = OAuthClient(client_id, _value(secrets, "client_secret"), token_url, discovery)
    return OAuth2Bearer(client, grant, stored, scopes, on_token)


class _StaticBearer(httpx.Auth):
    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request
