"""GraphQL: a live endpoint's introspection, an SDL file or an introspection JSON file -> a draft
GraphQL connector version.

The package implements the protocol contract (``connectory.protocols.contract``): ``NAME``,
``DIFFER`` and ``generate``; ``add_graphql_action``, ``fetch_graphql`` and the header helpers are
public too. The stage modules:

    endpoint       POST the introspection query to an endpoint (deadline, size cap, auth headers)
    headers        ``--header 'Name: value'`` and ``CONNECTORY_GRAPHQL_HEADERS_<NAME>``, as secrets
    parse          SDL / introspection -> built schema, findings for its warts, canonical SDL + hash
    definitions    GraphQL types -> JSON Schema 2020-12 definitions and value schemas
    actions        query/mutation fields -> actions, subscription fields -> triggers; users' actions
    generate       the whole schema -> ``ConnectorVersion`` (``build_version``, the step)
    schemadiff     two schemas -> ``Change`` records (breaking, dangerous, safe), graphql-core's kinds
    changes        this protocol's part of a version diff (the schema, from the canonical SDL)

and the private helpers:

    _introspection the shape of an introspection result, checked before graphql-core reads it
    _raw           the introspection result as ``TypedDict``, once checked
    _sdl           SDL text -> a parsed document, repeated definitions dropped (with findings)
    _coordinates   where a graphql-core error or change is, as a schema coordinate
    _canonical     the canonical SDL (what ``schema_sha256`` hashes): sorted, as introspection sees it
    _printer       a generated operation document's text, as graphql-core's ``print_ast`` prints it
    _operations    root fields -> operation documents with a bounded default selection set
    _responses     a selection set -> the JSON Schema of the response's ``data``

Every limit is a ``graphql_*`` field of ``Settings``.
"""

from __future__ import annotations

from .actions import add_graphql_action
from .changes import DIFFER
from .endpoint import INTROSPECTION_QUERY, fetch_graphql, is_graphql_endpoint
from .generate import KINDS, generate
from .headers import (
    accepted_from_env,
    accepted_in_object,
    headers_env_var,
    headers_from_env,
    headers_from_object,
    parse_header,
    parse_headers,
    require_accepted,
)
from .schemadiff import schema_changes, sdl_changes

__all__ = [
    "DIFFER",
    "INTROSPECTION_QUERY",
    "KINDS",
    "NAME",
    "accepted_from_env",
    "accepted_in_object",
    "add_graphql_action",
    "fetch_graphql",
    "generate",
    "headers_env_var",
    "headers_from_env",
    "headers_from_object",
    "is_graphql_endpoint",
    "parse_header",
    "parse_headers",
    "require_accepted",
    "schema_changes",
    "sdl_changes",
]

NAME = "graphql"
"""The protocol of the connectors this package makes (the contract: ``protocols.contract``)."""
