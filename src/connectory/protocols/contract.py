"""The contract every protocol package implements: ``PROTOCOL``, an object of this shape.

A protocol package (``openapi``, ``graphql``, ``soap``) exposes the same stage modules (``parse``
where it reads more than the shared ``connectory.documents`` step, ``definitions``, ``actions``,
``triggers`` where it has any, ``auth``, ``findings``, ``generate``, ``changes``) and, in its
``__init__``, ``NAME``, ``DIFFER`` and ``generate``: the package is the implementation (mypy
checks each against ``ProtocolPackage`` in ``connectory.protocols``). ``connectory.protocols`` finds a
package by a connector's protocol or by a document's kind; nothing else branches on protocols.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from connectory.changes.versions import Differ
    from connectory.documents.loader import DocumentLoader
    from connectory.documents.parse import ParsedDocument
    from connectory.model.version import ConnectorVersion
    from connectory.settings import Settings

__all__ = ["ProtocolPackage"]


class ProtocolPackage(Protocol):
    """What a protocol package's ``__init__`` provides: the module itself implements this."""

    NAME: str
    """The protocol of the connectors it makes (``http``, ``graphql``, ``soap``)."""
    DIFFER: Differ
    """Its part of a version diff (``connectory.changes``)."""

    def generate(
        self,
        document: ParsedDocument,
        *,
        connector: str,
        loader: DocumentLoader | None = None,
        settings: Settings = ...,
    ) -> ConnectorVersion:
        """The draft version ``document`` describes: actions, triggers, definitions, auth methods
        and findings, its provenance (source, sha256, fetched-at) from ``document.raw``. Other
        documents it refers to are read through ``loader`` only (bound to the document's folder or
        origin by the caller; a package makes such a loader when given none); every limit is in
        ``settings``."""
        ...
