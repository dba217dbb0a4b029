"""Protocols: each package turns one kind of interface description into a ``ConnectorVersion``.

    contract    ``ProtocolPackage``: what every protocol package provides (``NAME``, ``DIFFER``,
                ``generate``)
    naming      stable, unique action names shared by the packages
    openapi/    HTTP, from OpenAPI 3.0 / 3.1 and Swagger 2.0 (split across files or not)
    graphql/    GraphQL, from a live endpoint's introspection, an SDL or introspection JSON file
    soap/       SOAP, from WSDL 1.1 (and the XSDs it imports)

``protocol(name)`` and ``for_kind(kind)`` are lookups in one table: adding a protocol means adding
a package and a line here. A package is imported when first asked for (graphql-core, lxml and
xmlschema load only for the protocols in use).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, cast

from ..errors import ProtocolError
from ..settings import DEFAULT_SETTINGS, Settings
from .contract import ProtocolPackage

if TYPE_CHECKING:
    from ..documents.loader import DocumentLoader
    from ..documents.parse import ParsedDocument
    from ..model.version import ConnectorVersion
    from . import graphql, openapi, soap

    _IMPLEMENTATIONS: tuple[ProtocolPackage, ...] = (openapi, graphql, soap)  # mypy checks each

__all__ = ["PACKAGES", "SUPPORTED_KINDS", "ProtocolPackage", "for_kind", "generate", "protocol"]

PACKAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    # connector protocol: (package, the document kinds it onboards)
    "http": ("connectory.protocols.openapi", ("openapi-3.0", "openapi-3.1", "swagger-2.0")),
    "graphql": ("connectory.protocols.graphql", ("graphql-sdl", "graphql-introspection")),
    "soap": ("connectory.protocols.soap", ("wsdl-1.1",)),
}
SUPPORTED_KINDS = tuple(kind for _, kinds in PACKAGES.values() for kind in kinds)


def protocol(name: str) -> ProtocolPackage | None:
    """The package of connectors of protocol ``name``; ``None`` when there is none."""
    entry = PACKAGES.get(name)
    return cast("ProtocolPackage", import_module(entry[0])) if entry else None


def for_kind(kind: str) -> ProtocolPackage | None:
    """The package that onboards documents of ``kind``; ``None`` when none does."""
    return next((protocol(name) for name, (_, kinds) in PACKAGES.items() if kind in kinds), None)


def generate(
    parsed: ParsedDocument,
    *,
    connector: str,
    settings: Settings = DEFAULT_SETTINGS,
    loader: DocumentLoader | None = None,
) -> ConnectorVersion:
    """Generate the version described by ``parsed`` (actions, triggers, definitions, auth).

    ``loader`` reads what the document refers to; by default one bound to its folder or origin.
    """
    from ..documents.loader import bound_loader  # httpx: only onboarding needs it

    package = for_kind(parsed.kind)
    if package is None:
        raise ProtocolError(
            f"onboarding {parsed.kind} documents is not available in this version of Connectory "
            f"(supported: {', '.join(SUPPORTED_KINDS)})",
            location=parsed.raw.source,
        )
    with bound_loader(parsed.raw.source, loader, settings=settings) as files:
        return package.generate(parsed, connector=connector, loader=files, settings=settings)
