"""Step 1 for a live GraphQL endpoint: POST the introspection query, get the result's raw bytes.

``fetch_graphql(url, headers=...)`` sends graphql-core's standard introspection query (descriptions
included, ``ofType`` nine levels deep), with the given headers (auth: their values are
``SecretStr`` and appear in no message), and returns the response as a ``RawDocument`` whose
content is the introspection JSON, as the server sent it. Like ``connectory.documents.fetch`` it reads at
most ``settings.max_document_bytes`` and gives up after ``settings.fetch_deadline`` seconds in all,
however slowly the server drips; network failures and HTTP 5xx/429/408 are ``SourceUnreachable``
(transient, retried by the flows), other HTTP errors ``SourceError``. An answer with ``errors`` or
without a schema (introspection disabled) is a ``ProtocolError`` that points to the SDL and file
fallbacks.

Headers are secrets, bound to the endpoint's origin: with headers, the endpoint must be https (or
on loopback), and a redirect is followed only to the same origin with the method kept (307/308);
any other redirect is a ``SourceError`` and the headers go nowhere else (httpx would drop an
``Authorization`` header on another origin, but not an ``X-Api-Key``).

``is_graphql_endpoint(url)`` is the rule the pipeline uses: an http(s) URL is a GraphQL endpoint
to introspect unless its path names a schema file (``.graphql``, ``.graphqls``, ``.gql``,
``.sdl``, ``.json``), which is fetched as a file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx
from graphql import get_introspection_query
from pydantic import SecretStr

from connectory.documents.fetch import RawDocument, http_client, is_url, read_capped
from connectory.errors import InputError, ProtocolError, SourceError, SourceUnreachable
from connectory.origins import needs_tls, origin
from connectory.redaction import redact_url
from connectory.settings import DEFAULT_SETTINGS, Settings

from ._introspection import FALLBACK_HINT, server_errors

__all__ = ["INTROSPECTION_QUERY", "fetch_graphql", "is_graphql_endpoint"]

INTROSPECTION_QUERY = get_introspection_query(descriptions=True)
"""The standard query every GraphQL server answers (no fields newer servers alone know)."""

_SCHEMA_FILES = (".graphql", ".graphqls", ".gql", ".sdl", ".json")
_MEDIA_TYPES = "application/graphql-response+json, application/json;q=0.9"


def is_graphql_endpoint(source: object) -> bool:
    """Whether ``source`` is an http(s) URL of an endpoint (not of a schema file)."""
    if not isinstance(source, str) or not is_url(source):
        return False
    return not urlsplit(source).path.lower().endswith(_SCHEMA_FILES)


def _too_large(settings: Settings) -> str:
    return (
        f"the introspection result is larger than the {settings.max_document_bytes:,}-byte cap "
        "(raise it with CONNECTORY_MAX_DOCUMENT_BYTES if you trust the server)"
    )


def _read(response: httpx.Response, shown: str, settings: Settings, deadline: float) -> bytes:
    return read_capped(response, shown, settings, deadline, _too_large(settings))


def _errors_in(body: bytes) -> str | None:
    """The GraphQL errors of a response body, if it is a GraphQL response with errors."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, dict) and value.get("errors"):
        return server_errors(value["errors"])
    return None


def _check(status: int, reason: str, body: bytes, shown: str) -> None:
    if status < 300:
        errors = _errors_in(body)
        if errors is not None:
            raise ProtocolError(
                f"the introspection query was answered with errors: {errors}; {FALLBACK_HINT}",
                location=shown,
            )
        return
    summary = f"HTTP {status} {reason}".strip()
    if status >= 500 or status in (408, 429):
        raise SourceUnreachable(summary, location=shown)
    errors = _errors_in(body)
    if errors is not None:
        raise ProtocolError(f"{summary}, with errors: {errors}; {FALLBACK_HINT}", location=shown)
    if status in (401, 403):
        raise SourceError(
            f"{summary}: the endpoint wants credentials (--header 'Authorization: Bearer ...', "
            "or CONNECTORY_GRAPHQL_HEADERS_<NAME> for scheduled runs)",
            location=shown,
        )
    raise SourceError(summary, location=shown)


def _secure(url: str, shown: str) -> None:
    if needs_tls(url):
        raise InputError(
            "the introspection headers are secrets: they are sent over https only (or to "
            "loopback), not over plain http",
            location=shown,
        )


def _same_origin_redirect(url: str, response: httpx.Response, shown: str) -> str:
    """The URL a redirect leads to, if the headers may follow it there (see the docstring)."""
    target = str(response.next_request.url) if response.next_request else ""
    if response.status_code not in (307, 308) or not target or origin(target) != origin(url):
        raise SourceError(
            f"the endpoint redirects ({response.status_code}) to {redact_url(target) or '?'}: "
            "the introspection headers are only sent to the endpoint's own origin, with its "
            "method kept; introspect the URL it redirects to if that is the endpoint",
            location=shown,
        )
    _secure(target, shown)
    return target


def fetch_graphql(
    url: str,
    *,
    headers: Mapping[str, SecretStr] | None = None,
    client: httpx.Client | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> RawDocument:
    """POST the introspection query to ``url``; the result's bytes (see the module docstring)."""
    shown = redact_url(url)
    own_client = client is None
    if client is None:
        client = http_client(settings, follow_redirects=True)
    sent = {"Accept": _MEDIA_TYPES, "Content-Type": "application/json"}
    sent.update({name: value.get_secret_value() for name, value in (headers or {}).items()})
    if headers:
        _secure(url, shown)
    payload = json.dumps({"query": INTROSPECTION_QUERY, "operationName": "IntrospectionQuery"})
    deadline = time.monotonic() + settings.fetch_deadline
    try:
        for _ in range(settings.max_redirects + 1):
            with client.stream(
                "POST",
                url,
                content=payload.encode(),
                headers=sent,
                follow_redirects=not headers and client.follow_redirects,
            ) as response:
                if headers and response.is_redirect:
                    url = _same_origin_redirect(url, response, shown)
                    continue
                body = _read(response, shown, settings, deadline)
                _check(response.status_code, response.reason_phrase, body, shown)
                media_type = response.headers.get("content-type", "").split(";")[0].strip() or None
                break
        else:
            raise httpx.TooManyRedirects("too many redirects")
    except httpx.TooManyRedirects:
        raise SourceError(f"more than {settings.max_redirects} redirects", location=shown) from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
        raise SourceError(f"invalid URL: {error}", location=shown) from None
    except httpx.LocalProtocolError as error:  # e.g. a header httpx refuses to send
        raise SourceError(
            f"cannot send the request: {type(error).__name__}", location=shown
        ) from None
    except httpx.TimeoutException:
        raise SourceUnreachable("timed out", location=shown) from None
    except httpx.TransportError as error:
        reason = str(error) or type(error).__name__
        raise SourceUnreachable(f"cannot connect: {reason}", location=shown) from None
    finally:
        if own_client:
            client.close()
    return RawDocument.from_bytes(body, shown, media_type)
