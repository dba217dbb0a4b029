"""A GraphQL schema from SDL or from an introspection result, its warts as findings, its hash.

Real schemas break rules that newer graphql-core versions enforce (GitHub's deprecates fields of
an implementation that its interface does not deprecate), so a schema is built without graphql-core's
checks and then checked here: ``validate_sdl`` (SDL only) and ``validate_schema`` errors become
``warning`` findings located by schema coordinate. Only what leaves no schema to build is an error:
a syntax error, an introspection result of the wrong shape (see ``introspection``), an SDL that
names types it never defines.

``schema_sha256`` is the sha256 of the canonical SDL (``canonical``): the schema as the standard
introspection query sees it, printed with types, fields, arguments and values sorted. The same
schema given as SDL, as an introspection result, or as an introspection result with its lists in
another order has the same hash; any change that introspection shows (a description too) changes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from graphql import (
    GraphQLError,
    GraphQLSchema,
    build_ast_schema,
    build_client_schema,
    validate_schema,
)
from graphql.language import DocumentNode, Node, Source, SourceLocation, TypeDefinitionNode
from graphql.type.validate import SchemaValidationContext
from graphql.utilities import IntrospectionQuery
from graphql.validation.validate import validate_sdl

from connectory._gcpause import paused_gc
from connectory.errors import DocumentError, ProtocolError
from connectory.model.version import Finding
from connectory.settings import DEFAULT_SETTINGS, Settings, Tally

from ._canonical import canonical_sdl
from ._coordinates import SdlIndex, locate
from ._introspection import check_introspection
from ._sdl import parse_graphql, parse_sdl

__all__ = ["LoadedSchema", "canonical_sdl", "load_introspection", "load_sdl", "schema_from_sdl"]

_MAX_LISTED = 5


@dataclass(frozen=True, slots=True)
class LoadedSchema:
    """A built schema with what was found wrong with it, its canonical SDL and that SDL's hash."""

    schema: GraphQLSchema
    """Checked by ``validate_schema`` (its errors are the findings): graphql-core's ``validate``
    refuses it when it has warts; validate operations against ``schema_from_sdl(sdl)``."""
    findings: list[Finding]
    sdl: str
    sha256: str


def _listed(errors: list[GraphQLError], source: str) -> str:
    shown = []
    for error in errors[:_MAX_LISTED]:
        where = "".join(
            f" ({source}:{loc.line}:{loc.column})" for loc in (error.locations or [])[:1]
        )
        shown.append(error.message + where)
    more = f"; and {len(errors) - _MAX_LISTED} more" if len(errors) > _MAX_LISTED else ""
    return "; ".join(shown) + more


def _at_line(error: GraphQLError) -> str:
    locations = error.locations or []
    return f" (line {locations[0].line})" if locations else ""


def _findings(
    errors: list[GraphQLError], kind: str, index: SdlIndex | None, schema: GraphQLSchema
) -> list[Finding]:
    names = schema.type_map.keys()
    return [
        Finding(
            severity="warning",
            kind=kind,
            location=locate(error, index, names),
            message=f"{error.message}{_at_line(error)}",
        )
        for error in errors
    ]


def _location(source: Source, position: int) -> SourceLocation:
    """``source.get_location(position)``, counted in C where the source has ``\n`` line breaks
    only (graphql-core matches each line break with a regular expression, from the start)."""
    body = source.body
    if "\r" in body:
        return source.get_location(position)
    column = position - body.rfind("\n", 0, position)
    return SourceLocation(body.count("\n", 0, position) + 1, column)


class _SchemaRules(SchemaValidationContext):
    """``validate_schema``'s checks, with each error's lines counted by ``_location``.

    graphql-core's ``GraphQLError`` finds the lines of an error's nodes with a regular expression
    over the SDL up to them: on GitHub's SDL its nine warts cost a seventh of ``inspect``. The
    errors are the same (message, nodes, source, positions, locations)."""

    def report_error(
        self, message: str, nodes: Node | Collection[Node | None] | None = None
    ) -> None:
        blamed = [nodes] if isinstance(nodes, Node) else [node for node in nodes or () if node]
        error = GraphQLError(message)
        located = [node.loc for node in blamed if node.loc]
        error.nodes = blamed or None
        if located:
            error.source = located[0].source
            error.positions = [loc.start for loc in located]
            error.locations = [_location(loc.source, loc.start) for loc in located]
        self.errors.append(error)


def _schema_errors(schema: GraphQLSchema) -> list[GraphQLError]:
    """Every rule the schema breaks (built without ``assume_valid``, it is checked once), as
    ``validate_schema`` finds them, which returns them from then on."""
    if schema._validation_errors is None:  # validate_schema's own memo
        rules = _SchemaRules(schema)
        rules.validate_root_types()
        rules.validate_directives()
        rules.validate_types()
        schema._validation_errors = rules.errors
    return list(validate_schema(schema))


def _loaded(schema: GraphQLSchema, findings: list[Finding]) -> LoadedSchema:
    sdl = canonical_sdl(schema)
    return LoadedSchema(schema, findings, sdl, hashlib.sha256(sdl.encode()).hexdigest())


def _build(document: DocumentNode, source: str) -> tuple[GraphQLSchema, list[GraphQLError]]:
    errors = validate_sdl(document)
    try:
        schema = build_ast_schema(document, assume_valid_sdl=True)
    except (GraphQLError, TypeError, ValueError, KeyError, AttributeError) as error:
        reason = _listed(errors, source) if errors else str(error)
        raise ProtocolError(
            f"cannot build a schema from this SDL: {reason}", location=source
        ) from None
    return schema, errors


def load_sdl(text: str, source: str, *, settings: Settings = DEFAULT_SETTINGS) -> LoadedSchema:
    """Parse (within ``settings.graphql_max_sdl_tokens``), repair and build SDL (within
    ``max_types`` and ``max_operations``); every rule it breaks is a finding."""
    document, findings = parse_sdl(text, source, settings=settings)
    types = sum(isinstance(node, TypeDefinitionNode) for node in document.definitions)
    Tally(settings, "max_types", "types").check(types, location=source)
    try:
        schema, sdl_errors = _build(document, source)
        roots = (schema.query_type, schema.mutation_type, schema.subscription_type)
        operations = sum(len(root.fields) for root in roots if root is not None)
        Tally(settings, "max_operations", "operations (root fields)").check(
            operations, location=source
        )
        schema_errors = _schema_errors(schema)
        index = SdlIndex(document) if sdl_errors or schema_errors else None
        findings += _findings(sdl_errors, "invalid-graphql-sdl", index, schema)
        findings += _findings(schema_errors, "invalid-graphql-schema", index, schema)
        return _loaded(schema, findings)
    except RecursionError:
        raise DocumentError("nested too deeply to build a schema", location=source) from None


def load_introspection(
    result: object, source: str, *, settings: Settings = DEFAULT_SETTINGS
) -> LoadedSchema:
    """Check the shape of an introspection result (or response) within the limits of
    ``settings``, build it; warts are findings."""
    holder = check_introspection(result, source, settings=settings)
    try:
        # graphql-core's IntrospectionQuery is stricter than what servers send (see ``_raw``):
        # what it would trip over, check_introspection has refused.
        schema = build_client_schema(cast("IntrospectionQuery", holder))
        findings = _findings(_schema_errors(schema), "invalid-graphql-schema", None, schema)
        return _loaded(schema, findings)
    except RecursionError:
        raise DocumentError("nested too deeply to build a schema", location=source) from None
    except (GraphQLError, TypeError, ValueError, KeyError, AttributeError) as error:
        message = (getattr(error, "message", None) or str(error)).splitlines()[0]
        raise ProtocolError(f"invalid introspection result: {message}", location=source) from None


@lru_cache(maxsize=4)
def schema_from_sdl(sdl: str) -> GraphQLSchema:
    """The schema of a version's canonical SDL (``GraphQLMetadata.sdl``, which ``load_sdl`` and
    ``load_introspection`` printed), built as valid: to validate operations and diff against."""
    where = "the version's schema"
    try:
        with paused_gc():  # a large AST, built at once: see connectory._gcpause
            document = parse_graphql(
                sdl, where, max_tokens=None, what="GraphQL SDL", no_location=True
            )
            return build_ast_schema(document, assume_valid=True, assume_valid_sdl=True)
    except (GraphQLError, TypeError, ValueError, KeyError, AttributeError) as error:
        raise ProtocolError(
            f"cannot build a schema from this SDL: {error}", location=where
        ) from None
    except RecursionError:
        raise DocumentError("nested too deeply to build a schema", location=where) from None
