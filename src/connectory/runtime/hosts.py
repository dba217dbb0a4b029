"""Where a version's secrets may go, with what only the network can say: the origins OpenID
Connect discovery documents name (read without secrets, over https or on loopback), for consent.

The places a version names itself are ``connectory.model.hosts`` (re-exported here); origins are
``connectory.origins``.
"""

from __future__ import annotations

import httpx

from connectory.documents.fetch import translated_http_errors
from connectory.errors import ConnectoryError, SourceError
from connectory.model.auth import OpenIDConnectAuth
from connectory.model.hosts import (
    MAX_SERVER_ORIGINS,
    Place,
    fixed_places,
    method_urls,
    secret_origins,
    secret_places,
)
from connectory.model.version import ConnectorVersion
from connectory.origins import is_loopback, needs_tls, origin
from connectory.redaction import redact_url

from .oauth import read_answer

__all__ = [
    "MAX_SERVER_ORIGINS",
    "Place",
    "discovered_places",
    "is_loopback",
    "method_urls",
    "needs_tls",
    "origin",
    "secret_origins",
    "secret_places",
]


_DISCOVERED = ("token_endpoint", "authorization_endpoint", "device_authorization_endpoint")


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
                places += fixed_places(f"{where}/{key}", found)
    return sorted({(where, origin(url)) for where, url in places}), problems
