"""GraphQL: a live endpoint's introspection, an SDL file or an introspection JSON file -> a draft
GraphQL connector version.

The steps, one module each (``generate``, ``add_graphql_action``, ``fetch_graphql``,
``sdl_changes`` and the header helpers are public; the rest is private to this package):

    introspect     POST the introspection query to an endpoint (deadline, size cap, auth headers)
    headers        ``--header 'Name: value'`` and ``CONNECTORY_GRAPHQL_HEADERS_<NAME>``, as secrets
    introspection  the shape of an introspection result, checked before graphql-core reads it
    raw            the introspection result as ``TypedDict``, once checked
    sdl            SDL text -> a parsed document, repeated definitions dropped (with findings)
    coordinates    where a graphql-core error or change is, as a schema coordinate
    schema         SDL / introspection -> built schema, findings for its warts, canonical SDL + hash
    jsonschema     GraphQL types -> JSON Schema 2020-12 definitions and value schemas
    operations     root fields -> operation documents with a bounded default selection set
    responses      a selection set -> the JSON Schema of the response's ``data``
    actions        query/mutation fields -> actions, subscription fields -> triggers; users' actions
    generate       the whole schema -> ``ConnectorVersion``
    changes        two schemas -> ``Change`` records (breaking, dangerous, safe)
"""

from __future__ import annotations

from .actions import add_graphql_action
from .changes import DIFFER
from .endpoint import (
    INTROSPECTION_QUERY,
    fetch_graphql,
    is_graphql_endpoint,
)
from .generate import (
    KINDS,
    generate,
)
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
from .schemadiff import (
    schema_changes,
    sdl_changes,
)

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
