"""A GraphQL schema (SDL or introspection result) -> a draft ``ConnectorVersion`` of protocol ``graphql``.

The steps, in order:

    schema       SDL or introspection JSON -> built schema, findings for its warts, canonical SDL
    jsonschema   every input object, enum, scalar, object, interface, union -> a definition
    actions      query and mutation fields -> actions, subscription fields -> triggers

The version's metadata names the endpoint when the document is the answer of a live endpoint
(see ``introspect.is_graphql_endpoint``), with the time it was introspected, and holds the
canonical SDL and its sha256: what re-introspection compares (``schema_sha256``), diffs
(``changes``) and what users' own actions are validated against (``add_graphql_action``).
A GraphQL schema has no title or version of its own: ``document_version`` stays empty, and the
catalogue numbers the drafts.
"""

from __future__ import annotations

from datetime import datetime

from connectory._gcpause import paused_gc
from connectory.documents.loader import DocumentLoader
from connectory.documents.parse import ParsedDocument
from connectory.errors import DocumentError, ProtocolError
from connectory.model.version import ConnectorVersion, GraphQLMetadata
from connectory.settings import DEFAULT_SETTINGS, Settings

from .actions import root_actions
from .definitions import TypeSchemas
from .endpoint import is_graphql_endpoint
from .parse import load_introspection, load_sdl

__all__ = ["KINDS", "build_version", "generate"]

KINDS = ("graphql-sdl", "graphql-introspection")


def build_version(
    content: object,
    *,
    kind: str,
    connector: str,
    source: str,
    sha256: str,
    fetched_at: datetime,
    settings: Settings = DEFAULT_SETTINGS,
) -> ConnectorVersion:
    """The draft version that the schema in ``content`` describes (see the module docstring),
    within the ``graphql_*`` limits of ``settings``."""
    # About a million objects (AST nodes, types, dicts), none freed before the end: with the
    # collector running, its full collections took 40% of the time on GitHub's schema.
    with paused_gc():
        return _generate(content, kind, connector, source, sha256, fetched_at, settings)


def _generate(
    content: object,
    kind: str,
    connector: str,
    source: str,
    sha256: str,
    fetched_at: datetime,
    settings: Settings,
) -> ConnectorVersion:
    if kind == "graphql-sdl":
        if not isinstance(content, str):
            raise DocumentError("GraphQL SDL is text", location=source)
        loaded = load_sdl(content, source, settings=settings)
    elif kind == "graphql-introspection":
        loaded = load_introspection(content, source, settings=settings)
    else:
        raise ProtocolError(f"not a GraphQL schema document: {kind}", location=source)
    schema = loaded.schema
    types = TypeSchemas(schema)
    actions, triggers = root_actions(schema, types, settings=settings)
    live = kind == "graphql-introspection" and is_graphql_endpoint(source)
    return ConnectorVersion(
        connector=connector,
        protocol="graphql",
        description=schema.description,
        source=source,
        sha256=sha256,
        fetched_at=fetched_at,
        metadata=GraphQLMetadata(
            endpoint=source if live else None,
            schema_sha256=loaded.sha256,
            introspected_at=fetched_at if live else None,
            sdl=loaded.sdl,
        ),
        actions=actions,
        triggers=triggers,
        definitions=types.definitions(),
        findings=loaded.findings,
    )


def generate(
    document: ParsedDocument,
    *,
    connector: str,
    loader: DocumentLoader | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> ConnectorVersion:
    """The draft version a GraphQL schema (SDL or introspection result) describes (the protocol
    contract: ``connectory.protocols.contract``). A schema refers to no other document: ``loader``
    is never read. ``settings`` bounds parsing and the generated operations (its ``graphql_*``
    limits)."""
    raw = document.raw
    return build_version(
        document.content,
        connector=connector,
        source=raw.source,
        sha256=raw.sha256,
        fetched_at=raw.fetched_at,
        kind=document.kind,
        settings=settings,
    )
