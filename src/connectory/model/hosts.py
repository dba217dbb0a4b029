"""Where a version's secrets may go: the origins its servers and auth endpoints name.

A pure function of the version: no I/O (the OpenID Connect discovery documents' origins are
``connectory.runtime.hosts.discovered_places``). An origin is ``scheme://host[:port]``
(``connectory.origins``); a GraphQL endpoint covers its subscriptions.

    (origins themselves: ``connectory.origins``)
    secret_places(version)       ``(where, origin)`` for every place of the version that names one
    secret_origins(version)      the set of those origins: what a user accepts for a connector
    method_urls(method)          ``(where, url)`` of an auth method's own endpoints (token,
                                 authorization, refresh, device, discovery, login URLs), ``where``
                                 relative to the method

The places:

    servers/<i>                                  an HTTP server, with every value its variables
    actions/<action>/servers/<i>                 may take in the host part (enum and default)
    endpoint                                     GraphQL: the endpoint (and its subscriptions)
    endpoints/<i>, actions/<action>/address      SOAP: a port's address
    auth_methods/<m>/flows/<grant>/token_url     OAuth 2: token, authorization, refresh and
                                                 device authorization URLs
    auth_methods/<m>/request_token_url           OAuth 1.0a: request token, authorization and
                                                 access token URLs
    auth_methods/<m>/discovery_url               OpenID Connect (the endpoints its discovery
                                                 document names are checked when it is read)
    auth_methods/<m>/token_url                   JWT bearer
    auth_methods/<m>/request/url                 a custom login request, and each step
    auth_methods/<m>/steps/<step>/request/url    before it

A place that names no fixed origin (a relative URL in a document read from a file, a login URL
whose host is a ``{placeholder}`` (a secret, or what an earlier step extracted), something that
is not an http(s) URL) is left out: a request there is refused at run time unless its origin was
accepted by hand (``connectory trust --origin``). A custom JavaScript function names no origin:
its ``fetch`` goes only to origins already accepted for the connector (checked at run time, as
every request of an auth flow is).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from urllib.parse import urljoin

from connectory.errors import InputError
from connectory.model.auth import (
    AuthMethod,
    CustomRequestAuth,
    JWTBearerAuth,
    OAuth1Auth,
    OAuth2Auth,
    OpenIDConnectAuth,
)
from connectory.model.version import ConnectorVersion, HttpBinding, Server, SoapBinding
from connectory.origins import is_url, origin

__all__ = [
    "MAX_SERVER_ORIGINS",
    "Place",
    "fixed_places",
    "method_urls",
    "secret_origins",
    "secret_places",
]

MAX_SERVER_ORIGINS = 1024
"""A server whose variables name more hosts than this is refused (a hostile document)."""
_AUTHORITY_END = re.compile(r"[/?#]")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")

Place = tuple[str, str]
"""``(where, origin)``: a place in the version (``servers/0``) and the origin it names (or the
URL, for ``method_urls``)."""


def fixed_places(where: str, url: str | None, base: str | None = None) -> Iterator[Place]:
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
        yield from fixed_places(where, filled, base)


def method_urls(method: AuthMethod) -> list[Place]:
    """``(where, url)`` of an auth method's own endpoints, ``where`` relative to the method."""
    places: list[Place] = []
    if isinstance(method, OAuth2Auth):
        for flow in method.flows:
            for key in (
                "token_url",
                "authorization_url",
                "refresh_url",
                "device_authorization_url",
            ):
                places += fixed_places(f"flows/{flow.grant}/{key}", getattr(flow, key))
    elif isinstance(method, OAuth1Auth):
        for key in ("request_token_url", "authorization_url", "access_token_url"):
            places += fixed_places(key, getattr(method, key))
    elif isinstance(method, OpenIDConnectAuth):
        places += fixed_places("discovery_url", method.discovery_url)
    elif isinstance(method, JWTBearerAuth):
        places += fixed_places("token_url", method.token_url)
    elif isinstance(method, CustomRequestAuth):
        for step in method.steps:
            if "{" not in _head(step.request.url):
                places += fixed_places(f"steps/{step.name}/request/url", step.request.url)
        if "{" not in _head(method.request.url):
            places += fixed_places("request/url", method.request.url)
    return places


def secret_places(version: ConnectorVersion) -> list[Place]:
    """Every place of ``version`` that names an origin its secrets may go to, sorted by place."""
    places: list[Place] = []
    metadata = version.metadata
    for i, server in enumerate(getattr(metadata, "servers", [])):
        places += _server_places(f"servers/{i}", server, version.source)
    places += fixed_places("endpoint", getattr(metadata, "endpoint", None))
    for i, endpoint in enumerate(getattr(metadata, "endpoints", [])):
        places += fixed_places(f"endpoints/{i}", endpoint.address)
    for action in version.actions:
        binding, where = action.binding, f"actions/{action.name}"
        if isinstance(binding, HttpBinding):
            for i, server in enumerate(binding.servers):
                places += _server_places(f"{where}/servers/{i}", server, version.source)
        elif isinstance(binding, SoapBinding):
            places += fixed_places(f"{where}/address", binding.address)
    for method in version.auth_methods:
        places += [(f"auth_methods/{method.name}/{w}", url) for w, url in method_urls(method)]
    return sorted({(where, origin(url)) for where, url in places})


def secret_origins(version: ConnectorVersion) -> set[str]:
    """The origins ``version``'s secrets may go to (see the module docstring)."""
    return {found for _, found in secret_places(version)}
