"""Step 1 of onboarding: get the raw bytes of a document, from a file or over HTTP(S).

``fetch`` reads at most ``settings.max_document_bytes`` and, over HTTP, gives up after
``settings.fetch_deadline`` seconds in total. A folder stands for the first of ``FOLDER_ENTRIES``
found in it (``openapi.yaml``, ..., ``swagger.json``): a document split across files is onboarded
from its folder. Failures that may pass (network, HTTP 5xx/429) raise
``SourceUnreachable``, a ``TransientError``; the others raise ``SourceError``.
"""

from __future__ import annotations

import hashlib
import os
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from connectory.errors import SourceError, SourceUnreachable
from connectory.origins import is_url
from connectory.redaction import redact_url
from connectory.settings import DEFAULT_SETTINGS, Settings

__all__ = ["FOLDER_ENTRIES", "RawDocument", "fetch", "http_client", "is_url", "read_capped"]

MAX_READ_WAIT = 15.0
"""Seconds a read waits for the next bytes by default (``http_client``): the settings'
``fetch_deadline`` bounds a whole read, checked between chunks (``read_capped``)."""
FOLDER_ENTRIES = (
    "openapi.yaml",
    "openapi.yml",
    "openapi.json",
    "swagger.yaml",
    "swagger.yml",
    "swagger.json",
)
"""The files that stand for a folder given as a source, in order of preference."""


@dataclass(frozen=True, slots=True)
class RawDocument:
    """The bytes of a document and where they came from."""

    source: str
    """An absolute path, or the URL with any secret redacted."""
    content: bytes
    sha256: str
    fetched_at: datetime
    media_type: str | None = None

    @classmethod
    def from_bytes(cls, content: bytes, source: str, media_type: str | None = None) -> RawDocument:
        return cls(
            source=source,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            fetched_at=datetime.now(UTC),
            media_type=media_type,
        )

    @property
    def name(self) -> str:
        """The last path segment of the source: ``api.json``."""
        return self.source.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]


def fetch(
    source: str | Path,
    *,
    client: httpx.Client | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> RawDocument:
    """Read ``source`` (a path or an http(s) URL). ``client`` is used for URLs when given."""
    if is_url(source):
        return _fetch_url(str(source), client, settings)
    if isinstance(source, str) and "://" in source:
        scheme = source.split("://", 1)[0]
        raise SourceError(f"unsupported URL scheme {scheme!r}: use a path, http:// or https://")
    return _read_file(Path(source), settings)


def _too_large(settings: Settings) -> str:
    return (
        f"document is larger than the {settings.max_document_bytes:,}-byte cap "
        "(raise it with CONNECTORY_MAX_DOCUMENT_BYTES if you trust the document)"
    )


def _read_file(path: Path, settings: Settings) -> RawDocument:
    shown = str(path)
    try:
        path = path.resolve(strict=True)
        if path.is_dir():
            path = _folder_entry(path, shown)
        if not path.is_file():
            raise SourceError("not a file", location=shown)
        with path.open("rb") as handle:
            # Read what is there, up to the cap and a byte: read(cap) would allocate the cap.
            size = min(os.fstat(handle.fileno()).st_size, settings.max_document_bytes)
            content = handle.read(size + 1)
    except FileNotFoundError:
        raise SourceError("no such file", location=shown) from None
    except PermissionError:
        raise SourceError("permission denied", location=shown) from None
    except IsADirectoryError:
        raise SourceError("not a file", location=shown) from None
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}", location=shown) from None
    if len(content) > settings.max_document_bytes:
        raise SourceError(_too_large(settings), location=shown)
    return RawDocument.from_bytes(content, str(path))


def _folder_entry(folder: Path, shown: str) -> Path:
    for name in FOLDER_ENTRIES:
        if (folder / name).is_file():
            return folder / name
    raise SourceError(
        f"not a file, and a folder without any of {', '.join(FOLDER_ENTRIES)}", location=shown
    )


def http_client(
    settings: Settings = DEFAULT_SETTINGS,
    *,
    follow_redirects: bool = False,
    read_timeout: float | None = None,
    verify: ssl.SSLContext | bool = True,
) -> httpx.Client:
    """The HTTP client Connectory's own reads and calls use when none is injected.

    Connecting gives up after ``settings.connect_timeout``; a read, a write or a wait for a pooled
    connection after ``read_timeout`` (by default ``settings.fetch_deadline``, at most
    ``MAX_READ_WAIT``: the deadline bounds the whole read, see ``read_capped``). Redirects are
    followed only with ``follow_redirects``, at most ``settings.max_redirects``. ``verify`` is
    httpx's: ``True`` (the system's CAs) or an ``ssl.SSLContext`` (mutual TLS).
    """
    if read_timeout is None:
        read_timeout = min(settings.fetch_deadline, MAX_READ_WAIT)
    return httpx.Client(
        timeout=httpx.Timeout(read_timeout, connect=settings.connect_timeout),
        follow_redirects=follow_redirects,
        max_redirects=settings.max_redirects,
        verify=verify,
    )


def _fetch_url(url: str, client: httpx.Client | None, settings: Settings) -> RawDocument:
    shown = redact_url(url)
    own_client = client is None
    if client is None:
        client = http_client(settings, follow_redirects=True)
    deadline = time.monotonic() + settings.fetch_deadline
    try:
        with (
            translated_http_errors(shown),
            client.stream("GET", url, headers={"Accept": "*/*"}) as response,
        ):
            _check_status(response, shown)
            content = read_capped(response, shown, settings, deadline, _too_large(settings))
            media_type = response.headers.get("content-type", "").split(";")[0].strip() or None
    except httpx.TooManyRedirects:
        raise SourceError(f"more than {settings.max_redirects} redirects", location=shown) from None
    finally:
        if own_client:
            client.close()
    return RawDocument.from_bytes(content, shown, media_type)


@contextmanager
def translated_http_errors(shown: str) -> Iterator[None]:
    """httpx's failures as Connectory's: timeouts and transport errors are ``SourceUnreachable``
    (worth retrying), an invalid URL a ``SourceError``; ``shown`` (redacted) is the location."""
    try:
        yield
    except httpx.TimeoutException:
        raise SourceUnreachable("timed out", location=shown) from None
    except httpx.TransportError as error:
        reason = str(error) or type(error).__name__
        raise SourceUnreachable(f"cannot connect: {reason}", location=shown) from None
    except httpx.InvalidURL as error:
        raise SourceError(f"invalid URL: {error}", location=shown) from None


def read_capped(
    response: httpx.Response, shown: str, settings: Settings, deadline: float, too_large: str
) -> bytes:
    """The body of a streamed ``response``: at most ``settings.max_document_bytes`` (else
    ``SourceError(too_large)``), read before ``deadline`` (``time.monotonic``; else
    ``SourceUnreachable``), however slowly the server sends it."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_document_bytes:
        raise SourceError(too_large, location=shown)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > settings.max_document_bytes:
            raise SourceError(too_large, location=shown)
        if time.monotonic() > deadline:
            raise SourceUnreachable(
                f"gave up after {settings.fetch_deadline:g} s (the server is too slow)",
                location=shown,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _check_status(response: httpx.Response, shown: str) -> None:
    status = response.status_code
    if status < 300:
        return
    reason = f"HTTP {status} {response.reason_phrase}".strip()
    if status >= 500 or status in (408, 429):
        raise SourceUnreachable(reason, location=shown)
    raise SourceError(reason, location=shown)
