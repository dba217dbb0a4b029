"""Protocols: each turns a parsed interface description into a ``ConnectorVersion``.

    openapi/    HTTP, from OpenAPI 3.0 / 3.1 and Swagger 2.0 (split across files or not)
    graphql/    GraphQL, from a live endpoint's introspection, an SDL or introspection JSON file
    soap/       SOAP, from WSDL 1.1 (and the XSDs it imports)

``generate(parsed, connector=...)`` picks the protocol's generator from the parsed document. A
generator that reads more than the document (a WSDL's imports) takes an injected ``loader`` and
the ``settings``; by default its loader is bound to the document's own folder or origin.
"""

from __future__ import annotations

from typing import Any

from ..detect import ParsedDocument
from ..errors import ProtocolError
from ..model import ConnectorVersion
from ..settings import DEFAULT_SETTINGS, Settings

__all__ = ["SUPPORTED_KINDS", "generate"]

SUPPORTED_KINDS = (
    "openapi-3.0",
    "openapi-3.1",
    "swagger-2.0",
    "graphql-sdl",
    "graphql-introspection",
    "wsdl-1.1",
)


def generate(
    parsed: ParsedDocument,
    *,
    connector: str,
    settings: Settings = DEFAULT_SETTINGS,
    loader: Any = None,
) -> ConnectorVersion:
    """Generate the version described by ``parsed`` (actions, triggers, definitions, auth).

    ``loader`` reads what the document imports (for a WSDL: a ``connectory.protocols.soap.Loader``).
    """
    if parsed.kind.startswith(("openapi-", "swagger-")):
        from ..loader import loader_for
        from .openapi import generate as generate_openapi

        with loader or loader_for(parsed.raw.source, settings=settings) as files:
            return generate_openapi(
                parsed.content,
                connector=connector,
                source=parsed.raw.source,
                sha256=parsed.raw.sha256,
                fetched_at=parsed.raw.fetched_at,
                loader=files,
                settings=settings,
            )
    if parsed.kind in ("graphql-sdl", "graphql-introspection"):
        from .graphql import generate as generate_graphql

        return generate_graphql(
            parsed.content,
            kind=parsed.kind,
            connector=connector,
            source=parsed.raw.source,
            sha256=parsed.raw.sha256,
            fetched_at=parsed.raw.fetched_at,
        )
    if parsed.kind == "wsdl-1.1":
        from .soap import generate as generate_soap

        return generate_soap(
            parsed.raw.content,
            connector=connector,
            source=parsed.raw.source,
            sha256=parsed.raw.sha256,
            fetched_at=parsed.raw.fetched_at,
            loader=loader,
            settings=settings,
        )
    raise ProtocolError(
        f"onboarding {parsed.kind} documents is not available in this version of Connectory "
        f"(supported: {', '.join(SUPPORTED_KINDS)})",
        location=parsed.raw.source,
    )
