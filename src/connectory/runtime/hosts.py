"""Where a version's secrets may go: the origins its servers and auth endpoints name.

An origin is a scheme, a host and a port, as browsers scope what a site may see:
``https://api.example.com`` (the port left out when it is the scheme's default),
``http://127.0.0.1:8080``. A WebSocket URL has the origin of its HTTP twin (``wss`` is
``https``), so a GraphQL endpoint covers its subscriptions.

    origin(url)                  a URL's origin, normalised (host lower-case, IDNA); InputError
                                 when it has none
    is_loopback(url)             127.0.0.0/8, ::1 or localhost
    needs_tls(url)               whether a secret may go there only over https (not loopback)
    secret_places(version)       ``(where, origin)`` for every place of the version that names one
    secret_origins(version)      the set of those origins: what a user accepts for a connector
    method_urls(method)          ``(where, url)`` of an auth method's own endpoints (token,
                                 authorization, refresh, discovery, login URLs), ``where``
                                 relative to the method
    discovered_places(version, client)  the origins OpenID Connect discovery documents name
                                 (read without secrets, over https or on loopback), for consent

The places:

    servers/<i>                                  an HTTP server, with every value its variables
    actions/<action>/servers/<i>                 may take in the host part (enum and default)
    endpoint                                     GraphQL: the endpoint (and its subscriptions)
    endpoints/<i>, actions/<action>/address      SOAP: a port's address
    auth_methods/<m>/flows/<grant>/token_url     OAuth 2: token, authorization and refresh URLs
    auth_methods/<m>/discovery_url               OpenID Connect (the endpoints its discovery
                                                 document names are checked when it is read)
    auth_methods/<m>/token_url                   JWT bearer
    auth_methods/<m>/request/url                 a custom login request

A place that names no fixed origin (a relative URL in a document read from a file, a login URL
whose host is a ``{placeholder}``, something that is not an http(s) URL) is left out: a request
there is refused at run time unless its origin was accepted by hand (``connectory trust
--origin``). A custom JavaScript function has no I/O, so it names no origin.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Iterator
from urllib.parse import urljoin

import httpx

from ..authmethods import (
    AuthMethod,
    CustomRequestAuth,
    JWTBearerAuth,
    OAuth2Auth,
    OpenIDConnectAuth,
)
from ..errors import ConnectoryError, InputError, SourceError
from ..fetch import is_url, translated_http_errors
from ..model import ConnectorVersion, HttpBinding, Server, SoapBinding
from ..redaction import redact_url
from .oauth import read_answer

__all__ = [
    "MAX_SERVER_ORIGINS",
    "discovered_places",
    "is_loopback",
    "method_urls",
    "needs_tls",
    "origin",
    "secret_origins",
    "secret_places",
]

MAX_SERVER_ORIGINS = 1024
"""A server whose variables name more hosts than this is refused (a hostile document)."""
_SCHEMES = {"http": "http", "https": "https", "ws": "http", "wss": "https"}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST = re.compile(r"[a-z0-9._-]+|\[[0-9a-f:.]+\]")
_AUTHORITY_END = re.compile(r"[/?#]")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")

Place = tuple[str, str]
"""``(where, origin)``: a place in the version (``servers/0``) and the origin it names (or the
URL, for ``method_urls``)."""


def origin(url: str | httpx.URL) -> str:
    """``url``'s origin, ``scheme://host[:port]`` (see the module docstring)."""
    try:
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError):
        parsed, host = None, ""
    scheme = _SCHEMES.get(parsed.scheme) if parsed is not None else None
    if ":" in host:
        host = f"[{host}]"
    if parsed is None or scheme is None or not _HOST.fullmatch(host):
        raise InputError(f"{redact_url(str(url))} is not an http(s) URL with a host")
    port = parsed.port if parsed.port != _DEFAULT_PORTS[scheme] else None
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def is_loopback(url: str | httpx.URL) -> bool:
    """Whether ``url`` (or an origin) is on this machine: 127.0.0.0/8, ::1 or localhost."""
    try:
        host = httpx.URL(url).host.lower()
    except httpx.InvalidURL:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def needs_tls(url: str | httpx.URL) -> bool:
    """Whether a secret sent to ``url`` would travel in clear: plain http (or ws) off loopback."""
    return httpx.URL(url).scheme in ("http", "ws") and not is_loopback(url)


def _fixed(where: str, url: str | None, base: str | None = None) -> Iterator[Place]:
    """``(where, url)``, ``url`` resolved against ``base`` when relative; nothing when it names
    no fixed origin."""
    if not url:
        return
    if not _ABSOLUTE.match(url):
        if base is None or not is_url(base):
            return
        url = urljoin(base, url)
    try:
        origin(url)
    except InputError:
        return
    yield where, url


def _head(url: str) -> str:
    """The scheme and host part of ``url`` (where a placeholder would pick the host)."""
    start = url.find("//") + 2 if "//" in url else 0
    end = _AUTHORITY_END.search(url, start)
    return url[: end.start() if end else len(url)]


def _server_places(where: str, server: Server, base: str) -> Iterator[Place]:
    """Every origin ``server`` may be: each combination of the values (enum and default) of the
    variables in its scheme and host part (the others at their default)."""
    url, head = server.url, _head(server.url)
    variables = {n: v for n, v in server.variables.items() if "{" + n + "}" in head}
    choices = [sorted({v.default, *(v.enum or [])}) for v in variables.values()]
    count = 1
    for values in choices:
        count *= len(values)
    if count > MAX_SERVER_ORIGINS:
        raise InputError(
            f"{where}: the server's variables name {count:,} hosts (more than "
            f"{MAX_SERVER_ORIGINS:,})"
        )
    for combination in itertools.product(*choices):
        chosen = dict(zip(variables, combination, strict=True))
        filled = url
        for name, variable in server.variables.items():
            filled = filled.replace("{" + name + "}", chosen.get(name, variable.default))
        yield from _fixed(where, filled, base)


def method_urls(method: AuthMethod) -> list[Place]:
    """``(where, url)`` of an auth method's own endpoints, ``where`` relative to the method."""
    places: list[Place] = []
    if isinstance(method, OAuth2Auth):
        for flow in method.flows:
            for key in ("token_url", "authorization_url", "refresh_url"):
                places += _fixed(f"flows/{flow.grant}/{key}", getattr(flow, key))
    elif isinstance(method, OpenIDConnectAuth):
        places += _fixed("discovery_url", method.discovery_url)
    elif isinstance(method, JWTBearerAuth):
        places += _fixed("token_url", method.token_url)
    elif isinstance(method, CustomRequestAuth) and "{" not in _head(method.request.url):
        places += _fixed("request/url", method.request.url)
    return places


def secret_places(version: ConnectorVersion) -> list[Place]:
    """Every place of ``version`` that names an origin its secrets may go to, sorted by place."""
    places: list[Place] = []
    metadata = version.metadata
    for i, server in enumerate(getattr(metadata, "servers", [])):
        places += _server_places(f"servers/{i}", server, version.source)
    places += _fixed("endpoint", getattr(metadata, "endpoint", None))
    for i, endpoint in enumerate(getattr(metadata, "endpoints", [])):
        places += _fixed(f"endpoints/{i}", endpoint.address)
    for action in version.actions:
        binding, where = action.binding, f"actions/{action.name}"
        if isinstance(binding, HttpBinding):
            for i, server in enumerate(binding.servers):
                places += _server_places(f"{where}/servers/{i}", server, version.source)
        elif isinstance(binding, SoapBinding):
            places += _fixed(f"{where}/address", binding.address)
    for method in version.auth_methods:
        places += [(f"auth_methods/{method.name}/{w}", url) for w, url in method_urls(method)]
    return sorted({(where, origin(url)) for where, url in places})


def secret_origins(version: ConnectorVersion) -> set[str]:
    """The origins ``version``'s secrets may go to (see the module docstring)."""
    return {found for _, found in secret_places(version)}


_DISCOVERED = ("token_endpoint", "authorization_endpoint")


def discovered_places(
    version: ConnectorVersion, client: httpx.Client
) -> tuple[list[Place], list[str]]:
    """The origins the discovery documents of ``version``'s OpenID Connect methods name
    (``auth_methods/<m>/discovery_url/token_endpoint``...), and why a document could not be
    read. Nothing secret is sent; a discovery URL in plain http off loopback is not read."""
    places: list[Place] = []
    problems: list[str] = []
    for method in version.auth_methods:
        if not isinstance(method, OpenIDConnectAuth):
            continue
        url, where = method.discovery_url, f"auth_methods/{method.name}/discovery_url"
        shown = redact_url(url)
        if needs_tls(url):
            problems.append(f"{shown}: plain http, not read")
            continue
        try:
            with translated_http_errors(shown):
                response = client.send(
                    httpx.Request("GET", url), stream=True, follow_redirects=False
                )
                try:
                    read_answer(response, "the discovery document")
                finally:
                    response.close()
            if response.status_code >= 300:
                raise SourceError(f"HTTP {response.status_code}")
            document = response.json()
        except ConnectoryError as error:
            problems.append(f"{shown}: {error.message}")
            continue
        except ValueError:
            problems.append(f"{shown}: not JSON")
            continue
        for key in _DISCOVERED:
            found = document.get(key) if isinstance(document, dict) else None
            if isinstance(found, str):
                places += _fixed(f"{where}/{key}", found)
    return sorted({(where, origin(url)) for where, url in places}), problems
