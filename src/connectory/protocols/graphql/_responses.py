"""The JSON Schema of an operation's ``data``: the shape its selection set gives the response.

A GraphQL response has exactly the fields an operation selects, under their response keys
(alias, else name), so the schema is built from the selection set, not from the types alone:

- every response key becomes a property; one selected unconditionally (not only under
  ``@skip``/``@include``, nor only in a fragment on a narrower type) is ``required`` (a selected
  nullable field is present, as ``null``); no other property is allowed;
- a leaf is its type's schema (built-in scalars inline, enums and custom scalars by reference to
  their definitions); a list is an array; a nullable field also allows ``null``;
- fields selected more than once under one key are merged, as GraphQL executes them, and
  fragments (inline or named) add their fields, located on their type condition;
- ``__typename`` is the possible type names.

This works for any valid document: generated ones and users' own (see ``actions``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    is_leaf_type,
)
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from connectory.model.version import JsonSchema

from ._operations import OPERATION_TYPES, named_type
from .definitions import TypeSchemas

__all__ = ["data_schema"]

_CONDITIONS = frozenset({"skip", "include"})


@dataclass
class _Key:
    """Everything selected under one response key."""

    field: GraphQLField | None
    parent: GraphQLNamedType
    nodes: list[FieldNode] = dataclasses.field(default_factory=list)
    always: bool = False


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        types: TypeSchemas,
        fragments: dict[str, FragmentDefinitionNode],
    ) -> None:
        self.schema = schema
        self.types = types
        self.fragments = fragments

    def _definition(self, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
        if parent is self.schema.query_type and name in ("__schema", "__type"):
            return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
        fields = getattr(parent, "fields", None)
        return fields.get(name) if fields is not None else None

    def _applies(self, parent: GraphQLNamedType, condition: str | None) -> bool:
        """Whether a fragment on ``condition`` always applies to a value of ``parent``."""
        if condition is None or condition == parent.name:
            return True
        if isinstance(parent, GraphQLObjectType):
            return any(interface.name == condition for interface in parent.interfaces)
        return False

    def _collect(
        self,
        parent: GraphQLNamedType,
        selection_set: SelectionSetNode,
        keys: dict[str, _Key],
        always: bool,
        seen: frozenset[str] = frozenset(),
    ) -> None:
        for selection in selection_set.selections:
            directives = selection.directives
            here = always and not (
                directives and any(d.name.value in _CONDITIONS for d in directives)
            )
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                entry = keys.get(key)
                if entry is None:
                    definition = self._definition(parent, selection.name.value)
                    entry = keys[key] = _Key(definition, parent)
                entry.nodes.append(selection)
                entry.always = entry.always or here
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = (
                    selection.type_condition.name.value if selection.type_condition else None
                )
                fragment_set = selection.selection_set
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    continue
                seen = seen | {selection.name.value}
                condition = fragment.type_condition.name.value
                fragment_set = fragment.selection_set
            else:
                continue
            scope = self.schema.get_type(condition) if condition else parent
            if scope is None:
                continue
            self._collect(
                scope, fragment_set, keys, here and self._applies(parent, condition), seen
            )

    def object_schema(
        self, parent: GraphQLNamedType, selection_sets: list[SelectionSetNode]
    ) -> JsonSchema:
        keys: dict[str, _Key] = {}
        for selection_set in selection_sets:
            self._collect(parent, selection_set, keys, True)
        properties: dict[str, Any] = {}
        for key, entry in keys.items():
            properties[key] = self._value(parent, entry)
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        required = [key for key, entry in keys.items() if entry.always]
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        return schema

    def _value(self, parent: GraphQLNamedType, entry: _Key) -> JsonSchema:
        if entry.nodes[0].name.value == "__typename":
            scope = parent if entry.always else entry.parent
            return self.types.typename(scope)
        if entry.field is None:
            return {}
        named = named_type(entry.field.type)
        leaf: JsonSchema
        if is_leaf_type(named):
            leaf = self.types.named_ref(named, output=True)
        else:
            nested = [node.selection_set for node in entry.nodes if node.selection_set]
            leaf = self.object_schema(named, nested)
        return self.types.wrapped(entry.field.type, leaf)


def data_schema(
    schema: GraphQLSchema,
    types: TypeSchemas,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode] | None = None,
) -> JsonSchema:
    """The schema of the ``data`` that ``operation`` (with ``fragments``) gets from ``schema``."""
    root = schema.get_root_type(OPERATION_TYPES[operation.operation.value])
    if root is None:
        return {}
    walker = _Walker(schema, types, fragments or {})
    return walker.object_schema(root, [operation.selection_set])
