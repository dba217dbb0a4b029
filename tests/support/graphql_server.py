"""A real GraphQL server on loopback for tests: graphql-core behind ``http.server``, in a thread.

``serve_graphql(schema)`` answers POSTed GraphQL requests (the introspection query included) by
parsing, validating and executing them with graphql-core. The schema can be swapped while it
runs (``server.schema = ...``: drift), introspection can be switched off (graphql-core's
``NoSchemaIntrospectionCustomRule``, as production servers do), a header can be required (401
otherwise), and the answer can be replaced (``server.reply``) or dripped byte by byte.

``fake_resolver`` makes up data of the right type for any field, so that generated operations
can be executed and their responses checked against the generated schemas.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    execute_sync,
    get_named_type,
    parse,
    specified_rules,
    validate,
)

from .servers import running

SAMPLE_SCALARS: dict[str, Any] = {
    "Int": 7,
    "Float": 1.5,
    "String": "text",
    "Boolean": True,
    "ID": "id-1",
}
SAMPLE_BY_SUFFIX = (  # custom scalars: a value in the format their name suggests
    ("datetime", "2024-05-01T12:00:00Z"),
    ("timestamp", "2024-05-01T12:00:00Z"),
    ("date", "2024-05-01"),
    ("time", "12:00:00Z"),
    ("uri", "/relative/path"),
    ("url", "https://example.com/a"),
    ("uuid", "5f0c9b1e-8a51-4c1b-9a4e-2f1d3c4b5a69"),
    ("email", "someone@example.com"),
)


@dataclass
class GraphQLServer:
    url: str
    schema: GraphQLSchema
    introspection: bool = True
    required_headers: dict[str, str] = field(default_factory=dict)
    reply: Callable[[dict[str, Any]], tuple[int, bytes]] | None = None
    """Replaces the answer: request body -> (status, body)."""
    drip_seconds: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    """Each request's headers (lower-cased names) and JSON body."""


def fake_resolver(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    """Data of the field's type: samples for scalars, the first enum value, one-item lists."""
    if isinstance(source, dict) and info.field_name in source:
        return source[info.field_name]
    return _fake(info.return_type)


def _fake(type_: Any) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _fake(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [_fake(type_.of_type)]
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType):
        if named.name in SAMPLE_SCALARS:
            return SAMPLE_SCALARS[named.name]
        lower = named.name.lower()
        return next((sample for end, sample in SAMPLE_BY_SUFFIX if lower.endswith(end)), "custom")
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values.values())).value
    return {}


def fake_type_resolver(value: Any, info: GraphQLResolveInfo, abstract: Any) -> str:
    """The first possible type of an abstract type."""
    return info.schema.get_possible_types(abstract)[0].name


def execute(
    schema: GraphQLSchema, body: dict[str, Any], introspection: bool = True
) -> ExecutionResult:
    document = parse(body.get("query") or "")
    rules = list(specified_rules)
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    errors = validate(schema, document, rules)
    if errors:
        return ExecutionResult(None, errors)
    return execute_sync(
        schema,
        document,
        variable_values=body.get("variables"),
        operation_name=body.get("operationName"),
        field_resolver=fake_resolver,
        type_resolver=fake_type_resolver,
    )


@contextmanager
def serve_graphql(schema: GraphQLSchema, **options: Any) -> Iterator[GraphQLServer]:
    """Serve ``schema`` at ``/graphql`` on 127.0.0.1 until the block ends."""
    state = GraphQLServer(url="", schema=schema, **options)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append(
                {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
            )
            if any(self.headers.get(k) != v for k, v in state.required_headers.items()):
                self._send(401, b'{"message": "Bad credentials"}')
            elif state.reply is not None:
                self._send(*state.reply(body))
            else:
                result = execute(state.schema, body, state.introspection)
                self._send(200, json.dumps(result.formatted).encode())

        def _send(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                if state.drip_seconds:
                    for i in range(len(payload)):
                        self.wfile.write(payload[i : i + 1])
                        self.wfile.flush()
                        time.sleep(state.drip_seconds)
                else:
                    self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    with running(Handler) as base_url:
        state.url = f"{base_url}/graphql"
        yield state
