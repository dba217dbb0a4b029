"""Operation documents for root fields: variables for every argument, a default selection set.

For a root field ``repository(owner: String!, name: String!, followRenames: Boolean = true)`` of
``Query`` the document is

    query repository($owner: String!, $name: String!, $followRenames: Boolean) {
      repository(owner: $owner, name: $name, followRenames: $followRenames) { ... }
    }

Each variable has its argument's type, so an omitted variable leaves the argument's own default
in force. Documents are graphql-core AST (never pasted strings), printed with ``print_ast``.

The default selection set is planned breadth first, so that a budget of
``settings.graphql_max_selections`` fields goes to the shallow fields first, at most
``settings.graphql_max_depth`` levels under the root field:

- every leaf field (scalar, enum) that needs no argument and is not deprecated;
- every object field that needs no argument, is not deprecated, and whose type is neither on the
  path from the root nor a root type (no cycles), with a selection set of its own;
- on an interface or a union, ``__typename``; on a union, and on an interface with at most
  ``settings.graphql_max_fragment_types`` implementations, an inline fragment per possible type
  with the fields that type adds.

Fields of two fragments with one name but another shape (``email: String`` on one type,
``email: String!`` on another) cannot be merged (the validation rule "overlapping fields can be
merged"): the later one is aliased ``<field>_<Type>``. A selection set left empty is dropped; the
root field's falls back to ``__typename``. So every generated document is valid against its
schema: the tests check each one of every corpus schema with graphql-core's ``validate``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    is_leaf_type,
    is_required_argument,
)
from graphql.language import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    InlineFragmentNode,
    ListTypeNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    TypeNode,
    VariableDefinitionNode,
    VariableNode,
)

from connectory.settings import DEFAULT_SETTINGS, Settings

__all__ = [
    "OPERATION_TYPES",
    "FieldIndex",
    "named_type",
    "root_operation",
    "type_node",
]

OPERATION_TYPES = {
    "query": OperationType.QUERY,
    "mutation": OperationType.MUTATION,
    "subscription": OperationType.SUBSCRIPTION,
}

Shape = tuple[Any, ...]
"""What a selected field looks like in a response: its type and its sub-fields' shapes."""


@lru_cache(maxsize=8192)
def _name(value: str) -> NameNode:
    """The name node of ``value``: nodes are immutable, one serves every place a name is used."""
    return NameNode(value=value)


@lru_cache(maxsize=8192)
def _leaf(name: str) -> FieldNode:
    """The node of a leaf field selected under its own name (shared, as ``_name``)."""
    return FieldNode(alias=None, name=_name(name), arguments=(), directives=(), selection_set=None)


def _field(
    name: str,
    selections: SelectionSetNode | None = None,
    arguments: tuple[ArgumentNode, ...] = (),
    alias: str | None = None,
) -> FieldNode:
    if selections is None and not arguments and alias is None:
        return _leaf(name)
    return FieldNode(
        alias=_name(alias) if alias else None,
        name=_name(name),
        arguments=arguments,
        directives=(),
        selection_set=selections,
    )


def type_node(type_: Any) -> TypeNode:
    """The AST of a type reference: ``[String!]!`` for ``GraphQLNonNull(GraphQLList(...))``."""
    if isinstance(type_, GraphQLNonNull):  # never of a non-null type: graphql-core refuses it
        return NonNullTypeNode(type=_nullable_type_node(type_.of_type))
    return _nullable_type_node(type_)


def _nullable_type_node(type_: Any) -> NamedTypeNode | ListTypeNode:
    if isinstance(type_, GraphQLList):
        return ListTypeNode(type=type_node(type_.of_type))
    return NamedTypeNode(name=_name(type_.name))


def named_type(type_: Any) -> GraphQLNamedType:
    """``Repository`` for ``[Repository!]!``."""
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        type_ = type_.of_type
    return type_  # type: ignore[no-any-return]


def _type_key(type_: Any) -> Shape:
    """``("!", "[", "String")`` for ``[String]!``: a cheap, comparable form of a type reference."""
    key: list[str] = []
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        key.append("!" if isinstance(type_, GraphQLNonNull) else "[")
        type_ = type_.of_type
    key.append(type_.name)
    return tuple(key)


def _selectable(field_: GraphQLField) -> bool:
    return field_.deprecation_reason is None and not any(
        is_required_argument(argument) for argument in field_.args.values()
    )


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A field of a type, with what planning asks of it."""

    name: str
    field: GraphQLField
    named: GraphQLNamedType
    leaf: bool
    key: Shape
    """The field's type reference (``_type_key``)."""


class FieldIndex:
    """The selectable fields of each type (no required argument, not deprecated), computed once
    for all the documents of a schema."""

    def __init__(self) -> None:
        self._fields: dict[str, list[_Candidate]] = {}

    def candidates(self, type_: GraphQLObjectType | GraphQLInterfaceType) -> list[_Candidate]:
        found = self._fields.get(type_.name)
        if found is None:
            found = []
            for name, field_ in type_.fields.items():
                if _selectable(field_):
                    named = named_type(field_.type)
                    leaf = is_leaf_type(named)
                    found.append(_Candidate(name, field_, named, leaf, _type_key(field_.type)))
            self._fields[type_.name] = found
        return found


@dataclass
class _Plan:
    """The fields chosen on one type at one depth (a selection set, or a fragment of one)."""

    type_: GraphQLNamedType
    depth: int
    path: frozenset[str]
    skip: frozenset[str] = frozenset()
    leaves: list[_Candidate] = field(default_factory=list)
    nested: list[tuple[_Candidate, _Plan]] = field(default_factory=list)
    fragments: list[_Plan] = field(default_factory=list)


class _Planner:
    """Plans one document's selections breadth first, within one budget of fields."""

    def __init__(self, schema: GraphQLSchema, index: FieldIndex, settings: Settings) -> None:
        self.schema = schema
        self.index = index
        self.budget = settings.graphql_max_selections
        self.max_depth = settings.graphql_max_depth
        self.max_fragment_types = settings.graphql_max_fragment_types

    def plan(self, root: GraphQLNamedType, path: frozenset[str]) -> _Plan:
        top = _Plan(root, 1, path)
        queue = deque([top])
        while queue and self.budget > 0:
            self._expand(queue.popleft(), queue)
        return top

    def _expand(self, plan: _Plan, queue: deque[_Plan]) -> None:
        type_ = plan.type_
        if isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType)):
            objects = []
            for candidate in self.index.candidates(type_):
                if candidate.name in plan.skip:
                    continue
                if candidate.leaf:
                    if self.budget <= 0:
                        return
                    self.budget -= 1
                    plan.leaves.append(candidate)
                elif plan.depth < self.max_depth and candidate.named.name not in plan.path:
                    objects.append(candidate)
            for candidate in objects:
                if self.budget <= 0:
                    return
                self.budget -= 1
                named = candidate.named
                child = _Plan(named, plan.depth + 1, plan.path | {named.name})
                plan.nested.append((candidate, child))
                queue.append(child)
        if isinstance(type_, (GraphQLInterfaceType, GraphQLUnionType)):
            possible = self.schema.get_possible_types(type_)
            if isinstance(type_, GraphQLInterfaceType) and len(possible) > self.max_fragment_types:
                return
            common = frozenset(leaf.name for leaf in plan.leaves) | frozenset(
                nested.name for nested, _ in plan.nested
            )
            for member in possible:
                if member.name not in plan.path:
                    fragment = _Plan(member, plan.depth, plan.path | {member.name}, common)
                    plan.fragments.append(fragment)
                    queue.append(fragment)


def _fields(plan: _Plan) -> list[tuple[str, FieldNode, Shape]]:
    """The field nodes of ``plan`` (not its fragments): response key, node, shape."""
    built = [(leaf.name, _leaf(leaf.name), leaf.key) for leaf in plan.leaves]
    for nested, child in plan.nested:
        selections, shape = _selection_set(child)
        if selections is not None:
            built.append((nested.name, _field(nested.name, selections), (nested.key, shape)))
    return built


def _selection_set(plan: _Plan) -> tuple[SelectionSetNode | None, Shape]:
    """The selection set a plan makes (None if empty) and its shape."""
    built = _fields(plan)
    selections: list[SelectionNode] = [node for _, node, _ in built]
    shapes: dict[str, Shape] = {key: shape for key, _, shape in built}
    if isinstance(plan.type_, (GraphQLInterfaceType, GraphQLUnionType)):
        for fragment in plan.fragments:
            members: list[SelectionNode] = []
            member = fragment.type_.name
            for key, node, shape in _fields(fragment):
                if key in shapes and shapes[key] != shape:
                    key = f"{key}_{member}"
                    if key in shapes:
                        continue
                    node = _field(node.name.value, node.selection_set, alias=key)
                shapes[key] = shape
                members.append(node)
            if members:
                selections.append(
                    InlineFragmentNode(
                        type_condition=NamedTypeNode(name=_name(member)),
                        directives=(),
                        selection_set=SelectionSetNode(selections=tuple(members)),
                    )
                )
        if selections:
            selections.insert(0, _field("__typename"))
    if not selections:
        return None, ()
    return SelectionSetNode(selections=tuple(selections)), tuple(sorted(shapes.items()))


def root_operation(
    schema: GraphQLSchema,
    operation: str,
    field_name: str,
    operation_name: str,
    index: FieldIndex | None = None,
    *,
    settings: Settings = DEFAULT_SETTINGS,
) -> DocumentNode:
    """The document of one root field (see the module docstring); share one ``index`` between
    the documents of a schema. ``settings`` bounds the default selection set."""
    root = schema.get_root_type(OPERATION_TYPES[operation])
    if root is None:
        raise KeyError(operation)
    root_field = root.fields[field_name]
    variables = tuple(
        VariableDefinitionNode(
            variable=VariableNode(name=_name(name)),
            type=type_node(argument.type),
            default_value=None,
            directives=(),
        )
        for name, argument in root_field.args.items()
    )
    arguments = tuple(
        ArgumentNode(name=_name(name), value=VariableNode(name=_name(name)))
        for name in root_field.args
    )
    named = named_type(root_field.type)
    selections = None
    if not is_leaf_type(named):
        roots = (schema.query_type, schema.mutation_type, schema.subscription_type)
        path = frozenset({named.name, *(t.name for t in roots if t is not None)})
        planner = _Planner(schema, index or FieldIndex(), settings)
        selections, _ = _selection_set(planner.plan(named, path))
        selections = selections or SelectionSetNode(selections=(_field("__typename"),))
    definition = OperationDefinitionNode(
        operation=OPERATION_TYPES[operation],
        name=_name(operation_name),
        variable_definitions=variables,
        directives=(),
        selection_set=SelectionSetNode(selections=(_field(field_name, selections, arguments),)),
    )
    return DocumentNode(definitions=(definition,))
