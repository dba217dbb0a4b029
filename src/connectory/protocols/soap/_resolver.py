"""The one resolver of WSDL and XSD imports: a location maps to bytes only if it is allowed.

A ``Loader`` turns the location written in an import (``wsdl:import``, ``xsd:import``,
``xsd:include``, ``xsd:redefine``) into bytes. ``SiblingLoader``, the default, is bound to the
WSDL's own location and allows exactly:

- a well-known W3C or OASIS schema, by URL or namespace (``catalogue.py``), served from a local copy;
- for a WSDL read from a folder: a file within that folder, after ``..`` and symlinks are resolved;
- for a WSDL read from a URL: a URL of the same origin (scheme, host and port). Redirects are
  followed by hand, one hop at a time, and a hop to another origin is refused before it is
  requested.

Everything else (``file:`` URLs, absolute paths elsewhere, other hosts, other schemes) is refused
with ``BadReference`` naming the importing document and the location, as is a missing file or a
URL that answers 4xx. ``settings.xml_forbid_external=False`` lifts the folder and origin rule for a
trusted document; ``file:`` URLs and other schemes stay refused. Each read is capped at
``settings.max_document_bytes`` and each URL at ``settings.fetch_deadline`` seconds.

Constructing a loader does no I/O; a test can pass any object with the same ``load`` method.
"""

from __future__ import annotations

import os
import posixpath
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import (
    unquote,
    urljoin,
    urlsplit,
)

import httpx

from connectory.documents.fetch import http_client
from connectory.errors import (
    BadReference,
    SourceUnreachable,
)
from connectory.origins import is_url, same_origin
from connectory.redaction import redact_url
from connectory.settings import (
    DEFAULT_SETTINGS,
    Settings,
)

from . import _standard as catalogue
from ._standard import WellKnown

__all__ = [
    "Loaded",
    "Loader",
    "SiblingLoader",
    "definition_name",
    "is_url",
    "location_of",
    "same_origin",
]


@dataclass(frozen=True, slots=True)
class Loaded:
    """The bytes of one imported document and where they really came from."""

    location: str
    """An absolute path, an http(s) URL, or a well-known schema's canonical URL."""
    content: bytes
    well_known: WellKnown | None = None


class Loader(Protocol):
    """Reads the documents a WSDL imports. ``source`` is the WSDL's own location."""

    @property
    def source(self) -> str: ...

    def load(self, location: str, *, importer: str) -> Loaded:
        """The document at ``location`` as written in ``importer`` (an absolute location)."""
        ...


def definition_name(location: str, source: str) -> str:
    """The name of the document at ``location`` relative to the WSDL at ``source``.

    A sibling file or same-origin URL is named by its path relative to the WSDL's folder
    (``types.xsd``, ``xsd/common.xsd``, ``svc?xsd=1``); anything else by its absolute location.
    """
    if is_url(source):
        if not (is_url(location) and same_origin(location, source)):
            return location
        target, base = urlsplit(location), urlsplit(source)
        folder = posixpath.dirname(base.path) or "/"
        name = posixpath.relpath(target.path or "/", folder)
        return name + (f"?{target.query}" if target.query else "")
    if is_url(location):
        return location
    folder = os.path.dirname(source)
    try:
        relative = os.path.relpath(location, folder)
    except ValueError:
        return location
    if relative.startswith(".."):
        return location
    return Path(relative).as_posix()


def location_of(name: str, source: str) -> str:
    """The inverse of ``definition_name``: the absolute location of a named document."""
    if is_url(name) or os.path.isabs(name):
        return name
    if is_url(source):
        return urljoin(source, name)
    return os.path.join(os.path.dirname(source), *name.split("/"))


class SiblingLoader:
    """The default loader: the WSDL's folder or origin, and the well-known catalogue."""

    def __init__(
        self,
        source: str,
        *,
        settings: Settings = DEFAULT_SETTINGS,
        client: httpx.Client | None = None,
    ) -> None:
        self._source = source
        self._settings = settings
        self._client = client

    @property
    def source(self) -> str:
        return self._source

    def load(self, location: str, *, importer: str) -> Loaded:
        written = location.strip()
        if not written:
            raise BadReference("an import with an empty location", location=importer)
        well_known = catalogue.find(written) if is_url(written) else None
        if well_known is not None:
            return Loaded(well_known.url, well_known.read(), well_known)
        scheme = urlsplit(written).scheme.lower() if ":" in written else ""
        if scheme and len(scheme) > 1 and scheme not in ("http", "https"):
            raise self._refused(written, importer, f"{scheme}: locations are never loaded")
        if catalogue.find(importer) is not None:
            raise self._refused(written, importer, "a well-known schema imports by namespace only")
        if is_url(written) or is_url(importer):
            return self._load_url(urljoin(importer, written), written, importer)
        path = written.split("#", 1)[0].split("?", 1)[0]
        target = os.path.join(os.path.dirname(importer), unquote(path))
        return self._load_file(target, written, importer)

    # -- files -----------------------------------------------------------------------------------

    def _load_file(self, target: str, written: str, importer: str) -> Loaded:
        if is_url(self._source):
            raise self._refused(written, importer, "a WSDL read from a URL imports by URL only")
        real = os.path.realpath(target)
        folder = os.path.realpath(os.path.dirname(self._source))
        inside = os.path.commonpath([real, folder]) == folder
        if self._settings.xml_forbid_external and not inside:
            raise self._refused(written, importer, f"{real} is outside the WSDL's folder {folder}")
        try:
            with open(real, "rb") as handle:
                cap = self._settings.max_document_bytes
                size = min(os.fstat(handle.fileno()).st_size, cap)
                content = handle.read(size + 1)  # read(cap) would allocate the cap
        except FileNotFoundError:
            raise BadReference(
                f"imports {written!r}, which does not exist ({real})", location=importer
            ) from None
        except IsADirectoryError:
            raise BadReference(
                f"imports {written!r}, which is a folder", location=importer
            ) from None
        except OSError as error:
            reason = error.strerror or str(error)
            raise BadReference(f"cannot read {written!r}: {reason}", location=importer) from None
        if len(content) > self._settings.max_document_bytes:
            raise BadReference(
                f"imports {written!r}, larger than the {self._settings.max_document_bytes:,}-byte "
                "cap",
                location=importer,
            )
        return Loaded(real, content)

    # -- URLs ------------------------------------------------------------------------------------

    def _allowed_url(self, url: str) -> bool:
        if not is_url(url):
            return False
        if not self._settings.xml_forbid_external:
            return True
        return is_url(self._source) and same_origin(url, self._source)

    def _load_url(self, url: str, written: str, importer: str) -> Loaded:
        if not self._allowed_url(url):
            where = "origin" if is_url(self._source) else "folder"
            raise self._refused(
                written, importer, f"{redact_url(url)} is outside the WSDL's {where}"
            )
        settings = self._settings
        deadline = time.monotonic() + settings.fetch_deadline
        client = self._client or http_client(settings)
        try:
            for _ in range(settings.max_redirects + 1):
                next_url, content = self._get(client, url, written, importer, deadline)
                if content is not None:
                    return Loaded(url, content)
                if not self._allowed_url(next_url):
                    raise self._refused(
                        written,
                        importer,
                        f"{redact_url(url)} redirects to {redact_url(next_url)}, outside the "
                        "WSDL's origin",
                    )
                url = next_url
        finally:
            if self._client is None:
                client.close()
        raise BadReference(
            f"imports {written!r}, which redirects more than {settings.max_redirects} times",
            location=importer,
        )

    def _get(
        self, client: httpx.Client, url: str, written: str, importer: str, deadline: float
    ) -> tuple[str, bytes | None]:
        """One request: ``(redirect target, None)`` or ``(url, body)``."""
        shown = redact_url(url)
        cap = self._settings.max_document_bytes
        try:
            with client.stream(
                "GET", url, headers={"Accept": "*/*"}, follow_redirects=False
            ) as response:
                status = response.status_code
                if response.has_redirect_location:
                    return urljoin(url, response.headers["location"]), None
                if status >= 500 or status in (408, 429):
                    raise SourceUnreachable(
                        f"import {written!r}: {shown} answered HTTP {status}", location=importer
                    )
                if status >= 300:
                    raise BadReference(
                        f"imports {written!r}, which cannot be had: {shown} answered HTTP {status}",
                        location=importer,
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise BadReference(
                            f"imports {written!r}, larger than the {cap:,}-byte cap",
                            location=importer,
                        )
                    if time.monotonic() > deadline:
                        raise SourceUnreachable(
                            f"import {written!r}: gave up on {shown} after "
                            f"{self._settings.fetch_deadline:g} s",
                            location=importer,
                        )
                    chunks.append(chunk)
                return url, b"".join(chunks)
        except httpx.TimeoutException:
            raise SourceUnreachable(
                f"import {written!r}: {shown} timed out", location=importer
            ) from None
        except httpx.TransportError as error:
            reason = str(error) or type(error).__name__
            raise SourceUnreachable(
                f"import {written!r}: cannot connect to {shown}: {reason}", location=importer
            ) from None

    @staticmethod
    def _refused(written: str, importer: str, reason: str) -> BadReference:
        return BadReference(f"refused to import {written!r}: {reason}", location=importer)
