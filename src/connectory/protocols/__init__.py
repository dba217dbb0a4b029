"""Protocols: each turns a parsed interface description into a ``ConnectorVersion``.

    openapi/    HTTP, from OpenAPI 3.0 / 3.1
    graphql/    GraphQL, from introspection or SDL       (not yet available)
    soap/       SOAP, from WSDL 1.1                       (not yet available)

``generate(parsed, connector=...)`` picks the protocol's generator from the parsed document.
"""

from __future__ import annotations

from ..detect import ParsedDocument
from ..errors import ProtocolError
from ..model import ConnectorVersion

__all__ = ["SUPPORTED_KINDS", "generate"]

SUPPORTED_KINDS = ("openapi-3.0", "openapi-3.1")


def generate(parsed: ParsedDocument, *, connector: str) -> ConnectorVersion:
    """Generate the version described by ``parsed`` (actions, triggers, definitions, auth)."""
    if parsed.kind.startswith("openapi-"):
        from .openapi import generate as generate_openapi

        return generate_openapi(
            parsed.content,
            connector=connector,
            source=parsed.raw.source,
            sha256=parsed.raw.sha256,
            fetched_at=parsed.raw.fetched_at,
        )
    raise ProtocolError(
        f"onboarding {parsed.kind} documents is not available in this version of Connectory "
        f"(supported: {', '.join(SUPPORTED_KINDS)})",
        location=parsed.raw.source,
    )
