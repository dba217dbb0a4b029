"""The one resolver of WSDL and XSD imports: what SOAP adds to the ``DocumentLoader``.

An ``ImportResolver`` turns the location written in an import (``wsdl:import``, ``xsd:import``,
``xsd:include``, ``xsd:redefine``) into bytes. It is bound to the WSDL's own location and to a
``connectory.documents.loader.DocumentLoader`` (normally ``loader_for`` the WSDL's source: its
folder or its origin), and adds to it only what is SOAP's own:

- a well-known W3C or OASIS schema, by URL (``_standard.py``), is served from a local copy and
  never fetched; a well-known schema imports others by namespace only;
- ``file:``, ``ftp:`` and every scheme but http(s) are refused before the loader is asked;
- ``settings.xml_forbid_external=False`` (a trusted document) lifts the folder and origin rule:
  a location the loader refuses is then read as a root of its own (``loader_for`` that location).

Everything else is the loader's: resolving against the importing document, the folder or origin
rule (``..`` and symlinks resolved; other hosts refused; redirects followed by hand, each hop
checked before it is requested), ``settings.max_document_bytes`` and ``settings.fetch_deadline``.
Its errors come back naming the import and the importing document (``location``):
``BadReference`` for a refused, missing or unavailable import (no such file, HTTP 4xx, too many
redirects), ``SourceUnreachable`` for the network or HTTP 5xx, ``DocumentError`` for a document
above the size cap.

Constructing a resolver does no I/O.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from connectory.documents.loader import DocumentLoader, loader_for
from connectory.errors import BadReference, ConnectoryError, SourceError, SourceUnreachable
from connectory.origins import is_url, same_origin
from connectory.settings import DEFAULT_SETTINGS, Settings

from . import _standard as catalogue
from ._standard import WellKnown

__all__ = [
    "ImportResolver",
    "Loaded",
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


class ImportResolver:
    """The imports of the WSDL at ``source``: the well-known catalogue, else ``loader``."""

    def __init__(
        self,
        source: str,
        loader: DocumentLoader,
        *,
        settings: Settings = DEFAULT_SETTINGS,
    ) -> None:
        self.source = source
        """The WSDL's own location (a path or an http(s) URL)."""
        self.loader = loader
        self.settings = settings

    def load(self, location: str, *, importer: str) -> Loaded:
        """The document at ``location`` as written in ``importer`` (an absolute location)."""
        written = location.strip()
        if not written:
            raise BadReference("an import with an empty location", location=importer)
        well_known = catalogue.find(written) if is_url(written) else None
        if well_known is not None:
            return Loaded(well_known.url, well_known.read(), well_known)
        scheme = urlsplit(written).scheme.lower() if ":" in written else ""
        if scheme and len(scheme) > 1 and scheme not in ("http", "https"):
            raise _refused(written, importer, f"{scheme}: locations are never loaded")
        if catalogue.find(importer) is not None:
            raise _refused(written, importer, "a well-known schema imports by namespace only")
        try:
            resolved = self.loader.resolve(written, base=importer, where=importer)
        except BadReference as error:
            if self.settings.xml_forbid_external:
                raise _refused(written, importer, _reason(error, written)) from None
            return self._load_trusted(written, importer)
        except ConnectoryError as error:
            raise _failed(written, importer, error) from None
        return self._read(self.loader, resolved, written, importer)

    def _load_trusted(self, written: str, importer: str) -> Loaded:
        """A location outside the loader's folder or origin, read as a root of its own."""
        if is_url(written) or is_url(importer):
            target = urljoin(importer, written.split("#", 1)[0])
        else:
            path = unquote(written.split("#", 1)[0].split("?", 1)[0])
            target = os.path.realpath(os.path.join(os.path.dirname(importer), path))
        with loader_for(target, settings=self.settings) as outside:
            return self._read(outside, outside.root, written, importer)

    @staticmethod
    def _read(loader: DocumentLoader, location: str, written: str, importer: str) -> Loaded:
        try:
            raw = loader.read(location, where=importer)
        except BadReference as error:
            raise _refused(written, importer, _reason(error, written)) from None
        except ConnectoryError as error:
            raise _failed(written, importer, error) from None
        return Loaded(location, raw.content)


def _reason(error: ConnectoryError, written: str) -> str:
    """A loader's refusal (``refused 'x': why``), as the reason of a refused import."""
    return error.message.removeprefix(f"refused {written!r}: ").removeprefix("refused: ")


def _refused(written: str, importer: str, reason: str) -> BadReference:
    return BadReference(f"refused to import {written!r}: {reason}", location=importer)


def _failed(written: str, importer: str, error: ConnectoryError) -> ConnectoryError:
    """A loader's error for an import, naming the import; a document not there is a bad one."""
    if isinstance(error, SourceError) and not isinstance(error, SourceUnreachable):
        return BadReference(
            f"imports {written!r}, which cannot be read: {error.message}", location=importer
        )
    return type(error)(f"import {written!r}: {error.message}", location=importer)
