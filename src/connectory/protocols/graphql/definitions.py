"""GraphQL types -> JSON Schema 2020-12: one definition per named type, and the schemas of values.

Every named type of the schema but the built-in scalars and the introspection types (``__Type``
...) becomes a definition of the same name, referred to as ``definition_uri(name)``:

- a custom scalar: a string with a ``format`` when the end of its name says which
  (``...DateTime`` -> ``date-time``, ``...Date`` -> ``date``, ``...Time`` -> ``time``, ``...URI``
  and ``...URL`` -> ``uri-reference`` (GitHub's ``resourcePath: URI!`` is relative), ``...UUID`` ->
  ``uuid``, ``Email`` -> ``email``, ``...Timestamp`` described as ISO 8601 -> ``date-time``);
  any JSON value otherwise, since a scalar serialises as its server
  decides (Saleor's ``Decimal`` is a number, Shopify's a string);
- an enum: ``{"type": "string", "enum": [...]}``;
- an input object: an object whose non-null fields without a default are ``required``, with no
  other properties (``oneOf`` input objects take exactly one);
- an object type or interface: every field as an optional property (which fields a response has
  depends on the selection), ``__typename`` among the possible type names;
- a union: ``anyOf`` its members.

Values: non-null is the type itself, a nullable type also allows ``null``, a list is an array.
``Int`` is a 32-bit integer; ``ID`` is a string in responses and a string or an integer in
inputs, as the GraphQL specification coerces it.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    is_introspection_type,
    is_specified_scalar_type,
    value_from_ast_untyped,
)
from graphql.utilities.get_default_value_ast import get_default_value_ast

from connectory.model.version import Definition, JsonSchema, definition_uri

__all__ = ["TypeSchemas", "has_definition"]

_INT = {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}
_INPUT_BUILTINS: dict[str, dict[str, Any]] = {
    "Int": _INT,
    "Float": {"type": "number"},
    "String": {"type": "string"},
    "Boolean": {"type": "boolean"},
    "ID": {"type": ["string", "integer"]},
}
_OUTPUT_BUILTINS: dict[str, dict[str, Any]] = {**_INPUT_BUILTINS, "ID": {"type": "string"}}
_NULL = {"type": "null"}

_FORMATS = (  # (a pattern the scalar's name matches, the format); the first match wins
    (re.compile(r"date_?time$", re.IGNORECASE), "date-time"),
    (re.compile(r"timestamp$", re.IGNORECASE), "date-time"),  # if ISO 8601 (see _scalar)
    (re.compile(r"date$", re.IGNORECASE), "date"),
    (re.compile(r"(?:^|[a-z0-9_])Time$|^time$"), "time"),
    (re.compile(r"(?:uri|url)$", re.IGNORECASE), "uri-reference"),
    (re.compile(r"uuid$", re.IGNORECASE), "uuid"),
    (re.compile(r"email(?:address)?$", re.IGNORECASE), "email"),
)
_ISO_TIMESTAMPS = ("iso 8601", "iso-8601", "iso8601", "rfc 3339", "rfc3339")


def has_definition(named: GraphQLNamedType) -> bool:
    """Whether ``named`` becomes a definition (not a built-in scalar, not an introspection type)."""
    return not (is_specified_scalar_type(named) or is_introspection_type(named))


def _scalar(scalar: GraphQLScalarType) -> dict[str, Any]:
    for pattern, format_ in _FORMATS:
        if pattern.search(scalar.name):
            description = (scalar.description or "").lower()
            if "timestamp" in pattern.pattern and not any(
                i in description for i in _ISO_TIMESTAMPS
            ):
                continue  # a "timestamp" may as well be seconds since 1970
            return {"type": "string", "format": format_}
    return {}


def nullable(schema: JsonSchema) -> JsonSchema:
    """``schema`` or ``null``."""
    if schema is True or schema == {}:
        return schema
    if isinstance(schema, dict) and set(schema) <= {"type", "format"} and "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return {**schema, "type": [*kinds, "null"]}
    return {"anyOf": [schema, _NULL]}


def default_of(value: GraphQLArgument | GraphQLInputField) -> tuple[bool, Any]:
    """``(True, the default as JSON)`` when ``value`` has a default that JSON can hold."""
    try:
        literal = get_default_value_ast(value)
        if literal is None:
            return False, None
        return True, value_from_ast_untyped(literal)
    except (TypeError, ValueError, ArithmeticError):
        return False, None


class TypeSchemas:
    """The JSON Schemas of one GraphQL schema's types (see the module docstring)."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self._uris: dict[str, str] = {}
        self._refs: dict[tuple[str, bool], dict[str, Any]] = {}
        """(type name, output) -> ``named_ref``'s answer, for the named types that have one."""

    def uri(self, name: str) -> str:
        """``definition_uri(name)``, remembered (it percent-encodes, and is asked often)."""
        uri = self._uris.get(name)
        if uri is None:
            uri = self._uris[name] = definition_uri(name)
        return uri

    # -- values ------------------------------------------------------------------------------

    def named_ref(self, named: GraphQLNamedType, *, output: bool) -> dict[str, Any]:
        """The schema of a value of ``named`` (a new dict each time: callers add to it)."""
        known = self._refs.get((named.name, output))
        if known is not None:
            return dict(known)
        builtins = _OUTPUT_BUILTINS if output else _INPUT_BUILTINS
        if named.name in builtins and is_specified_scalar_type(named):
            known = builtins[named.name]
        elif has_definition(named):
            known = {"$ref": self.uri(named.name)}
        elif isinstance(named, GraphQLEnumType):  # an introspection enum, e.g. __TypeKind
            return {"type": "string", "enum": list(named.values)}
        else:
            return {}
        self._refs[named.name, output] = known  # flat: a copy shares nothing mutable
        return dict(known)

    def wrapped(self, type_: Any, leaf: JsonSchema) -> JsonSchema:
        """The schema of a value of ``type_`` whose named type's values are ``leaf``."""
        if isinstance(type_, GraphQLNonNull):
            return self._non_null(type_.of_type, leaf)
        return nullable(self._non_null(type_, leaf))

    def _non_null(self, type_: Any, leaf: JsonSchema) -> JsonSchema:
        if isinstance(type_, GraphQLList):
            return {"type": "array", "items": self.wrapped(type_.of_type, leaf)}
        return leaf

    def input(self, type_: GraphQLInputType) -> JsonSchema:
        """The schema of an input value (a variable, an argument, an input field)."""
        named = _named(type_)
        return self.wrapped(type_, self.named_ref(named, output=False))

    def output(self, type_: GraphQLOutputType) -> JsonSchema:
        """The schema of a response value when every field of its object types is selected."""
        named = _named(type_)
        return self.wrapped(type_, self.named_ref(named, output=True))

    def input_value(self, value: GraphQLArgument | GraphQLInputField) -> dict[str, Any]:
        schema = self.input(value.type)
        schema = dict(schema) if isinstance(schema, dict) else {}
        _annotate(schema, value.description, value.deprecation_reason)
        found, default = default_of(value)
        if found:
            schema["default"] = default
        return schema

    def arguments(self, arguments: dict[str, GraphQLArgument]) -> dict[str, Any]:
        """The variables of an operation that passes each argument as a variable of its name."""
        required = [
            name
            for name, argument in arguments.items()
            if isinstance(argument.type, GraphQLNonNull) and not default_of(argument)[0]
        ]
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: self.input_value(arg) for name, arg in arguments.items()},
            "additionalProperties": False,
        }
        if required:
            schema["required"] = required
        return schema

    # -- definitions -------------------------------------------------------------------------

    def definitions(self) -> list[Definition]:
        """One definition per named type (see the module docstring), in schema order."""
        return [
            Definition(
                name=named.name, content=self.definition(named), description=named.description
            )
            for named in self.schema.type_map.values()
            if has_definition(named)
        ]

    def definition(self, named: GraphQLNamedType) -> JsonSchema:
        content: dict[str, Any]
        if isinstance(named, GraphQLScalarType):
            content = _scalar(named)
        elif isinstance(named, GraphQLEnumType):
            content = {"type": "string", "enum": list(named.values)}
        elif isinstance(named, GraphQLInputObjectType):
            content = self._input_object(named)
        elif isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
            content = self._output_object(named)
        elif isinstance(named, GraphQLUnionType):
            content = {"anyOf": [{"$ref": self.uri(m.name)} for m in named.types]}
        else:  # pragma: no cover - graphql-core has no other named types
            content = {}
        if named.description:
            content = {"description": named.description, **content}
        return content

    def _input_object(self, named: GraphQLInputObjectType) -> dict[str, Any]:
        one_of = bool(getattr(named, "is_one_of", False))
        properties = {}
        required = []
        for name, field in named.fields.items():
            if one_of:
                value = self.input(_non_null(field.type))
                value = dict(value) if isinstance(value, dict) else {}
                _annotate(value, field.description, field.deprecation_reason)
                properties[name] = value
                continue
            properties[name] = self.input_value(field)
            if isinstance(field.type, GraphQLNonNull) and not default_of(field)[0]:
                required.append(name)
        content: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            content["required"] = required
        if one_of:
            content.update(minProperties=1, maxProperties=1)
        content["additionalProperties"] = False
        return content

    def _output_object(self, named: GraphQLObjectType | GraphQLInterfaceType) -> dict[str, Any]:
        properties: dict[str, Any] = {"__typename": self.typename(named)}
        for name, field in named.fields.items():
            value = self.output(field.type)
            value = dict(value) if isinstance(value, dict) else {}
            _annotate(value, field.description, field.deprecation_reason)
            properties[name] = value
        return {"type": "object", "properties": properties}

    def typename(self, named: GraphQLNamedType) -> dict[str, Any]:
        """The schema of ``__typename`` on a value of ``named``: the possible type names."""
        if isinstance(named, GraphQLObjectType):
            return {"const": named.name}
        if isinstance(named, (GraphQLInterfaceType, GraphQLUnionType)):
            return {"enum": [t.name for t in self.schema.get_possible_types(named)]}
        return {"type": "string"}


def _named(type_: Any) -> GraphQLNamedType:
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        type_ = type_.of_type
    return type_  # type: ignore[no-any-return]


def _non_null(type_: Any) -> Any:
    return type_ if isinstance(type_, GraphQLNonNull) else GraphQLNonNull(type_)


def _annotate(schema: dict[str, Any], description: str | None, deprecation: str | None) -> None:
    if description:
        schema["description"] = description
    if deprecation is not None:
        schema["deprecated"] = True
