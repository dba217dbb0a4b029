"""Read the other documents a document refers to, only from its own folder or its own origin.

A document split across files refers to its siblings by relative reference (``$ref:
schemas/pet.yaml``, an XSD ``schemaLocation``). A ``DocumentLoader`` is bound to the root document
and answers three questions, with no protocol knowledge:

    loader = loader_for(source, settings=settings, client=client)   # no I/O yet
    uri = loader.resolve("schemas/pet.yaml", base=loader.root, where="/paths/~1pets/$ref")
    raw = loader.read(uri, where=...)     # the bytes (a RawDocument), read once
    value = loader.load(uri, where=...)   # parsed as JSON or YAML (connectory.documents.decode), once

The rules, by the root document's source:

- a path (``FolderLoader``): a reference resolves against the file that holds it; ``..`` and
  symlinks are followed and the real path must lie inside the root document's folder. URLs of any
  scheme (``file:``, ``http:``...) are refused.
- an http(s) URL (``OriginLoader``): a reference resolves against the URL of the document that
  holds it and must keep the root's scheme, host and port. Redirects are followed by hand, one hop
  at a time: a hop to another origin is refused before it is requested.
- nothing (``DocumentLoader`` itself, for a document given in memory): no other document exists.

A caller that adds rules of its own (SOAP's ``ImportResolver``: a catalogue of well-known schemas,
imports by namespace) reads through ``resolve`` and ``read`` and leaves every byte to the loader.

Errors name the reference's location (``where``): ``BadReference`` for a refused reference or too
many documents (a refusal reads ``refused 'reference': why``, or ``refused: why`` for a redirect,
so a caller may say ``why`` in its own words); ``SourceError`` for a document that is not there (no such file, HTTP 4xx);
``SourceUnreachable`` for the network or HTTP 5xx (worth retrying); ``DocumentError`` for a document
above ``settings.max_document_bytes`` or one that is not well-formed JSON/YAML. Each URL gets
``settings.fetch_deadline`` seconds in all.
"""

from __future__ import annotations

import os
import posixpath
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import httpx

from connectory.errors import (
    BadReference,
    ConnectoryError,
    DocumentError,
    SourceError,
    SourceUnreachable,
)
from connectory.origins import same_origin
from connectory.redaction import redact_url
from connectory.settings import DEFAULT_SETTINGS, Settings

from .decode import parse_value
from .fetch import RawDocument, http_client, is_url

__all__ = [
    "DocumentLoader",
    "FolderLoader",
    "OriginLoader",
    "bound_loader",
    "loader_for",
    "same_origin",
]


def _scheme(reference: str) -> str:
    """The URI scheme of ``reference`` (lower case), or ``""`` for a relative reference."""
    head = reference.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if ":" not in head:
        return ""
    scheme = head.split(":", 1)[0]
    return scheme.lower() if scheme[:1].isalpha() else ""


class DocumentLoader:
    """The loader of a document given in memory: it refers to no other document that can be read.

    Subclasses read from a folder or an origin; all cache what they read and parse, and count the
    documents against ``settings.max_referenced_documents``.
    """

    def __init__(self, root: str = "", *, settings: Settings = DEFAULT_SETTINGS) -> None:
        self.root = root
        """The root document's own location (an absolute path or URL; ``""`` in memory)."""
        self.settings = settings
        self._raw: dict[str, RawDocument] = {}
        self._failed: dict[str, ConnectoryError] = {}
        self._values: dict[str, Any] = {}

    def __enter__(self) -> DocumentLoader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release what the loader holds open (an HTTP client); the caches stay."""

    def resolve(self, reference: str, *, base: str, where: str) -> str:
        """The location of the document ``reference`` names, written in the document at ``base``.

        The fragment is dropped. Raises ``BadReference`` when the loader may not read it.
        """
        raise SourceError(
            f"cannot read {reference!r}: the document was given in memory, so it has no folder "
            "or origin to read other documents from",
            location=where,
        )

    def name(self, location: str) -> str:
        """A short, unique name for a resolved location: relative to the root's folder if within."""
        return location

    def read(self, location: str, *, where: str) -> RawDocument:
        """The bytes of the document at ``location`` (a result of ``resolve``), read once."""
        raw = self._raw.get(location)
        if raw is not None:
            return raw
        failed = self._failed.get(location)
        if failed is not None:
            raise type(failed)(failed.message, location=where)
        limit = self.settings.max_referenced_documents
        if len(self._raw) + 2 > limit:  # the root and the others read so far, and this one
            raise BadReference(
                f"the document spans more than {limit:,} files (raise "
                "CONNECTORY_MAX_REFERENCED_DOCUMENTS if you trust it)",
                location=where,
            )
        try:
            raw = self._raw[location] = self._read(location, where)
        except SourceError as error:
            self._failed[location] = error
            raise
        return raw

    def load(self, location: str, *, where: str) -> Any:
        """The document at ``location`` parsed as JSON or YAML, parsed once."""
        if location not in self._values:
            self._values[location] = parse_value(self.read(location, where=where))
        return self._values[location]

    def _read(self, location: str, where: str) -> RawDocument:
        raise SourceError(f"cannot read {location!r}", location=where)

    def _too_large(self, shown: str, where: str) -> DocumentError:
        return DocumentError(
            f"{shown} is larger than the {self.settings.max_document_bytes:,}-byte cap "
            "(raise CONNECTORY_MAX_DOCUMENT_BYTES if you trust the document)",
            location=where,
        )


class FolderLoader(DocumentLoader):
    """Reads files within the folder of the root document (a path)."""

    def __init__(self, root: str | Path, *, settings: Settings = DEFAULT_SETTINGS) -> None:
        root_path = os.path.realpath(root)
        super().__init__(root_path, settings=settings)
        self.folder = os.path.dirname(root_path)

    def resolve(self, reference: str, *, base: str, where: str) -> str:
        written = reference.split("#", 1)[0]
        scheme = _scheme(written)
        if scheme:
            raise BadReference(
                f"refused {reference!r}: a document read from a file refers to files in its "
                f"folder only, not to {scheme}: URLs",
                location=where,
            )
        if written.startswith("//"):
            raise BadReference(
                f"refused {reference!r}: a document read from a file refers to files in its "
                "folder only, not to other hosts",
                location=where,
            )
        path = unquote(written.split("?", 1)[0])
        if not path:
            return base
        target = os.path.realpath(os.path.join(os.path.dirname(base), path))
        if os.path.commonpath([target, self.folder]) != self.folder:
            raise BadReference(
                f"refused {reference!r}: {target} is outside the document's folder {self.folder}",
                location=where,
            )
        return target

    def name(self, location: str) -> str:
        relative = Path(os.path.relpath(location, self.folder)).as_posix()
        return relative.replace("%", "%25").replace("#", "%23")

    def _read(self, location: str, where: str) -> RawDocument:
        shown = self.name(location)
        try:
            with open(location, "rb") as handle:
                size = min(os.fstat(handle.fileno()).st_size, self.settings.max_document_bytes)
                content = handle.read(size + 1)  # read(cap) would allocate the cap
        except FileNotFoundError:
            raise SourceError(f"{shown}: no such file", location=where) from None
        except IsADirectoryError:
            raise SourceError(f"{shown} is a folder, not a document", location=where) from None
        except OSError as error:
            reason = error.strerror or str(error)
            raise SourceError(f"cannot read {shown}: {reason}", location=where) from None
        if len(content) > self.settings.max_document_bytes:
            raise self._too_large(shown, where)
        return RawDocument.from_bytes(content, location)


class OriginLoader(DocumentLoader):
    """Reads URLs of the root document's origin (scheme, host, port), redirects checked per hop."""

    def __init__(
        self,
        root: str,
        *,
        settings: Settings = DEFAULT_SETTINGS,
        client: httpx.Client | None = None,
    ) -> None:
        super().__init__(root.split("#", 1)[0], settings=settings)
        self._client = client
        self._own_client: httpx.Client | None = None

    def close(self) -> None:
        if self._own_client is not None:
            self._own_client.close()
            self._own_client = None

    def resolve(self, reference: str, *, base: str, where: str) -> str:
        written = reference.split("#", 1)[0]
        scheme = _scheme(written)
        if scheme and scheme not in ("http", "https"):
            raise BadReference(
                f"refused {reference!r}: {scheme}: URLs are never read", location=where
            )
        target = urljoin(base, written) if written else base
        if not same_origin(target, self.root):
            raise BadReference(
                f"refused {reference!r}: {redact_url(target)} is not on the document's origin "
                f"{self._origin_text()}",
                location=where,
            )
        return target

    def _origin_text(self) -> str:
        parts = urlsplit(self.root)
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"

    def name(self, location: str) -> str:
        target, root = urlsplit(location), urlsplit(self.root)
        folder = posixpath.dirname(root.path) + "/"
        if not target.path.startswith(folder):
            return redact_url(location)
        name = target.path[len(folder) :] + (f"?{target.query}" if target.query else "")
        return quote(name, safe="/?=&%+:@!$'()*,;")

    def _client_for_reads(self) -> httpx.Client:
        if self._client is not None:
            return self._client
        if self._own_client is None:
            self._own_client = http_client(self.settings)
        return self._own_client

    def _read(self, location: str, where: str) -> RawDocument:
        deadline = time.monotonic() + self.settings.fetch_deadline
        url = location
        for _ in range(self.settings.max_redirects + 1):
            next_url, raw = self._get(url, where, deadline)
            if raw is not None:
                return raw
            if not same_origin(next_url, self.root):
                raise BadReference(
                    f"refused: {redact_url(url)} redirects to {redact_url(next_url)}, which is "
                    f"not on the document's origin {self._origin_text()}",
                    location=where,
                )
            url = next_url
        raise SourceError(
            f"{redact_url(location)} redirects more than {self.settings.max_redirects} times",
            location=where,
        )

    def _get(self, url: str, where: str, deadline: float) -> tuple[str, RawDocument | None]:
        """One request: ``(the redirect target, None)`` or ``(url, the document)``."""
        shown = redact_url(url)
        cap = self.settings.max_document_bytes
        try:
            with self._client_for_reads().stream(
                "GET", url, headers={"Accept": "*/*"}, follow_redirects=False
            ) as response:
                if response.has_redirect_location:
                    return urljoin(url, response.headers["location"]), None
                status = response.status_code
                if status >= 500 or status in (408, 429):
                    raise SourceUnreachable(f"{shown} answered HTTP {status}", location=where)
                if status >= 300:
                    raise SourceError(f"{shown} answered HTTP {status}", location=where)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise self._too_large(shown, where)
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise self._too_large(shown, where)
                    if time.monotonic() > deadline:
                        raise SourceUnreachable(
                            f"gave up on {shown} after {self.settings.fetch_deadline:g} s",
                            location=where,
                        )
                    chunks.append(chunk)
                media_type = response.headers.get("content-type", "").split(";")[0].strip()
        except httpx.TimeoutException:
            raise SourceUnreachable(f"{shown} timed out", location=where) from None
        except httpx.TransportError as error:
            reason = str(error) or type(error).__name__
            raise SourceUnreachable(
                f"cannot connect to {shown}: {reason}", location=where
            ) from None
        except httpx.InvalidURL as error:
            raise BadReference(f"invalid URL {shown}: {error}", location=where) from None
        return url, RawDocument.from_bytes(b"".join(chunks), shown, media_type or None)


def loader_for(
    source: str | Path | None,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    client: httpx.Client | None = None,
) -> DocumentLoader:
    """The loader bound to a root document read from ``source`` (a path, a URL, or ``None``)."""
    if source is None or source == "":
        return DocumentLoader(settings=settings)
    if is_url(source):
        return OriginLoader(str(source), settings=settings, client=client)
    return FolderLoader(source, settings=settings)


def bound_loader(
    source: str | Path | None,
    loader: DocumentLoader | None,
    *,
    settings: Settings = DEFAULT_SETTINGS,
) -> AbstractContextManager[DocumentLoader]:
    """``loader`` as given (the caller closes it), or one ``loader_for(source)`` closed on exit."""
    return loader_for(source, settings=settings) if loader is None else nullcontext(loader)
