"""The raw introspection result, as ``TypedDict``: what ``check_introspection`` guarantees.

An introspection result arrives as JSON of unknown shape; ``_introspection.check_introspection``
is the one place that reads it unchecked (as ``object``) and returns it as ``RawIntrospection``.
From there on, code may rely on these types: every name is a GraphQL name, every kind is known,
every list is a list, every type reference is a chain of at most
``settings.graphql_max_type_wrapping`` wrappers ending in a type the result defines, and every
optional text or flag is of its type or missing. They follow the standard introspection query
(graphql-core's ``get_introspection_query``), and are looser than graphql-core's own
``IntrospectionQuery`` where servers are: older ones leave out ``isRepeatable``, ``isOneOf``,
``specifiedByURL`` and, on an interface, ``interfaces``.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

__all__ = [
    "NamedKind",
    "RawDirective",
    "RawEnumValue",
    "RawField",
    "RawInputValue",
    "RawIntrospection",
    "RawNamedRef",
    "RawSchema",
    "RawType",
    "RawTypeRef",
    "TypeKind",
]

NamedKind: TypeAlias = Literal["SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT"]
"""The kind of a named type."""
TypeKind: TypeAlias = NamedKind | Literal["LIST", "NON_NULL"]
"""The kind of a type reference: a named type, or a wrapper of another reference."""


class RawTypeRef(TypedDict):
    """A type reference: ``{"kind": "NON_NULL", "ofType": {"kind": "SCALAR", "name": "Int"}}``."""

    kind: TypeKind
    name: NotRequired[str | None]
    """The type's name (a named kind; null or missing for a wrapper)."""
    ofType: NotRequired[RawTypeRef | None]
    """The wrapped reference (a wrapper; null or missing for a named kind)."""


class RawNamedRef(TypedDict):
    """A reference to a named type: an interface, a possible type, a root type."""

    name: str
    kind: NotRequired[str]


class RawInputValue(TypedDict):
    """An argument of a field or directive, or a field of an input object."""

    name: str
    type: RawTypeRef
    description: NotRequired[str | None]
    defaultValue: NotRequired[str | None]
    """GraphQL text of a constant value (``"10"``, ``"{a: [RED]}"``), parsed within
    ``settings.graphql_max_default_value_tokens`` tokens."""
    isDeprecated: NotRequired[bool | None]
    deprecationReason: NotRequired[str | None]


class RawField(TypedDict):
    """A field of an object or interface type."""

    name: str
    type: RawTypeRef
    args: list[RawInputValue]
    description: NotRequired[str | None]
    isDeprecated: NotRequired[bool | None]
    deprecationReason: NotRequired[str | None]


class RawEnumValue(TypedDict):
    """A value of an enum type."""

    name: str
    description: NotRequired[str | None]
    isDeprecated: NotRequired[bool | None]
    deprecationReason: NotRequired[str | None]


class RawType(TypedDict):
    """A named type of ``__schema.types``; which lists it has depends on its ``kind``."""

    kind: NamedKind
    name: str
    description: NotRequired[str | None]
    specifiedByURL: NotRequired[str | None]
    """``SCALAR``."""
    fields: NotRequired[list[RawField] | None]
    """``OBJECT`` and ``INTERFACE``: always a list."""
    interfaces: NotRequired[list[RawNamedRef] | None]
    """``OBJECT``: always a list; ``INTERFACE``: a list, or missing from older servers."""
    possibleTypes: NotRequired[list[RawNamedRef] | None]
    """``UNION``: always a list (of object types)."""
    enumValues: NotRequired[list[RawEnumValue] | None]
    """``ENUM``: always a list."""
    inputFields: NotRequired[list[RawInputValue] | None]
    """``INPUT_OBJECT``: always a list."""
    isOneOf: NotRequired[bool | None]
    """``INPUT_OBJECT``."""


class RawDirective(TypedDict):
    """A directive of ``__schema.directives``."""

    name: str
    locations: list[str]
    """Names of graphql-core's ``DirectiveLocation`` members."""
    args: list[RawInputValue]
    description: NotRequired[str | None]
    isRepeatable: NotRequired[bool | None]


class RawSchema(TypedDict):
    """The ``__schema`` object."""

    types: list[RawType]
    queryType: NotRequired[RawNamedRef | None]
    """An object type of ``types``, as are the other roots."""
    mutationType: NotRequired[RawNamedRef | None]
    subscriptionType: NotRequired[RawNamedRef | None]
    directives: NotRequired[list[RawDirective] | None]
    description: NotRequired[str | None]


# Functional syntax: in a class body, ``__schema`` would be mangled to ``_RawIntrospection__schema``.
RawIntrospection = TypedDict("RawIntrospection", {"__schema": RawSchema})
"""An introspection result: ``{"__schema": ...}`` (the ``data`` of the response)."""
