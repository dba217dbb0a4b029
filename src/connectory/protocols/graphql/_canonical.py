"""The canonical SDL of a schema: what ``schema_sha256`` hashes.

The canonical SDL is the schema as the standard introspection query sees it (no schema
description, ``@oneOf``, ``@specifiedBy``, repeatable directives or deprecated arguments and input
fields: a server's answer would not have them), with every list sorted in natural order
(``lexicographic_sort_schema``'s order), printed by ``print_schema``.

It is defined, and tested, as::

    print_schema(GraphQLSchema(**map_schema_config(schema.to_kwargs(), sort_and_drop_unseen)))

but rebuilding a schema of 1,600 types to print it costs 0.1 s, and ``print_schema`` spends
most of its time putting each description through the AST printer. ``canonical_sdl`` prints the
same text straight from the schema: the same sorted order, graphql-core's own string printers for
descriptions, deprecation reasons and default values, a fast path for the common one-line
description. Stored hashes stay
valid because the text is byte for byte what the definition gives (tests/graphql checks it on
every schema of the corpus and on schemas made to hit each rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from graphql import (
    DEFAULT_DEPRECATION_REASON,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    is_specified_directive,
    print_ast,
)
from graphql.language.block_string import is_printable_as_block_string, print_block_string
from graphql.language.print_string import print_string
from graphql.pyutils import natural_comparison_key
from graphql.utilities.get_default_value_ast import get_default_value_ast
from graphql.utilities.print_schema import has_default_root_operation_types

__all__ = ["canonical_sdl"]

_key = lru_cache(maxsize=None)(natural_comparison_key)
_MAX_INLINE = 70  # print_block_string's longest description on the line of its quotes


def _sorted_items(mapping: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return sorted(mapping.items(), key=lambda item: _key(item[0]))


def _sorted_named(types: Any) -> list[Any]:
    return sorted(types, key=lambda named: _key(named.name))


def _string(description: str) -> str:
    """A description as ``print_schema`` prints it: a block string where one can hold it."""
    simple = "\n" not in description and description.isprintable() and description.strip()
    if simple and '"' not in description and not description.endswith("\\"):
        # print_block_string of one printable line with nothing to escape: on a line of its
        # own when longer than 70 characters (and not starting with a blank, which it keeps)
        if len(description) <= _MAX_INLINE:
            return f'"""{description}"""'
        before = "" if description[0] in " \t" else "\n"
        return f'"""{before}{description}\n"""'
    if simple or is_printable_as_block_string(description):
        return print_block_string(description)
    return print_string(description)


def _description(description: str | None, indentation: str = "", first: bool = True) -> str:
    if description is None:
        return ""
    prefix = "\n" + indentation if indentation and not first else indentation
    text = _string(description)
    if indentation and "\n" in text:
        text = text.replace("\n", "\n" + indentation)
    return prefix + text + "\n"


def _deprecated(reason: str | None) -> str:
    if reason is None:
        return ""
    if reason != DEFAULT_DEPRECATION_REASON:
        return f" @deprecated(reason: {print_string(reason)})"
    return " @deprecated"


def _input_value(name: str, value: GraphQLArgument | GraphQLInputField) -> str:
    """An argument or input field; its deprecation is unseen by introspection."""
    default = get_default_value_ast(value)
    return f"{name}: {value.type}" + (f" = {print_ast(default)}" if default else "")


def _args(args: Mapping[str, GraphQLArgument], indentation: str = "") -> str:
    if not args:
        return ""
    items = _sorted_items(args)
    if all(arg.description is None for _, arg in items):
        return "(" + ", ".join(_input_value(name, arg) for name, arg in items) + ")"
    inner = "  " + indentation
    lines = (
        _description(arg.description, inner, not i) + inner + _input_value(name, arg)
        for i, (name, arg) in enumerate(items)
    )
    return "(\n" + "\n".join(lines) + f"\n{indentation})"


def _block(items: list[str]) -> str:
    return " {\n" + "\n".join(items) + "\n}" if items else ""


def _fields(type_: GraphQLObjectType | GraphQLInterfaceType, keyword: str) -> str:
    interfaces = _sorted_named(type_.interfaces)
    implements = " implements " + " & ".join(i.name for i in interfaces) if interfaces else ""
    fields = [
        _description(field.description, "  ", not i)
        + f"  {name}"
        + _args(field.args, "  ")
        + f": {field.type}"
        + _deprecated(field.deprecation_reason)
        for i, (name, field) in enumerate(_sorted_items(type_.fields))
    ]
    return _description(type_.description) + f"{keyword} {type_.name}{implements}" + _block(fields)


def _type(type_: GraphQLNamedType) -> str:
    if isinstance(type_, GraphQLObjectType):
        return _fields(type_, "type")
    if isinstance(type_, GraphQLInterfaceType):
        return _fields(type_, "interface")
    if isinstance(type_, GraphQLInputObjectType):
        fields = [
            _description(field.description, "  ", not i) + "  " + _input_value(name, field)
            for i, (name, field) in enumerate(_sorted_items(type_.fields))
        ]
        return _description(type_.description) + f"input {type_.name}" + _block(fields)
    if isinstance(type_, GraphQLEnumType):
        values = [
            _description(value.description, "  ", not i)
            + f"  {name}"
            + _deprecated(value.deprecation_reason)
            for i, (name, value) in enumerate(_sorted_items(type_.values))
        ]
        return _description(type_.description) + f"enum {type_.name}" + _block(values)
    if isinstance(type_, GraphQLUnionType):
        members = _sorted_named(type_.types)
        possible = " = " + " | ".join(t.name for t in members) if members else ""
        return _description(type_.description) + f"union {type_.name}" + possible
    if isinstance(type_, GraphQLScalarType):
        return _description(type_.description) + f"scalar {type_.name}"
    raise TypeError(f"unexpected type {type_!r}")  # pragma: no cover - every kind is above


def _schema_definition(schema: GraphQLSchema) -> list[str]:
    roots = (
        ("query", schema.query_type),
        ("mutation", schema.mutation_type),
        ("subscription", schema.subscription_type),
    )
    if not any(root for _, root in roots) or has_default_root_operation_types(schema):
        return []
    return ["schema {\n" + "".join(f"  {op}: {root}\n" for op, root in roots if root) + "}"]


def _directive(directive: Any) -> str:
    locations = sorted(location.name for location in directive.locations)
    return (
        _description(directive.description)
        + f"directive @{directive.name}"
        + _args(directive.args)
        + _deprecated(getattr(directive, "deprecation_reason", None))
        + " on "
        + " | ".join(locations)
    )


def canonical_sdl(schema: GraphQLSchema) -> str:
    """The schema's canonical SDL (see the module's docstring)."""
    directives = _sorted_named(d for d in schema.directives if not is_specified_directive(d))
    reserved = GraphQLNamedType.reserved_types
    types = [t for t in _sorted_named(schema.type_map.values()) if t.name not in reserved]
    return "\n\n".join(
        (*_schema_definition(schema), *map(_directive, directives), *map(_type, types))
    )
