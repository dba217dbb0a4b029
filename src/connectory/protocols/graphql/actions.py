"""Root fields -> actions and triggers; users' own operation documents -> actions.

- one action per ``Query`` and ``Mutation`` field, named after the field (a mutation whose name a
  query field has already taken is ``mutation_<field>``), tagged ``query`` or ``mutation``;
- one trigger (kind ``subscription``) per ``Subscription`` field.

Each carries its operation document (see ``operations``) in its ``GraphQLBinding``, the JSON
Schema of its variables as input (see ``jsonschema``) and of the response's ``data`` as output
(action) or payload (trigger) (see ``responses``).

``add_graphql_action`` adds a user's own operation to a version: the document is parsed (bounded
by ``settings.graphql_max_operation_tokens``) and validated against the version's schema (its stored canonical
SDL) with graphql-core; a document that does not validate is refused with every error and its
line and column.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLSchema, type_from_ast, validate, value_from_ast_untyped
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from connectory.errors import DocumentError, InputError
from connectory.model.version import Action, ActionOutput, ConnectorVersion, GraphQLBinding, Trigger
from connectory.protocols.naming import unique_name
from connectory.settings import DEFAULT_SETTINGS, Settings

from ._operations import FieldIndex, root_operation
from ._printer import print_operation
from ._responses import data_schema
from ._sdl import parse_graphql
from .definitions import TypeSchemas
from .parse import schema_from_sdl

__all__ = ["add_graphql_action", "root_actions"]

_MAX_LISTED = 20


def _output(schema: Any) -> ActionOutput:
    return ActionOutput(
        status="data",
        description="The data of a response without errors.",
        media_types=["application/json"],
        schema_=schema,
    )


def root_actions(
    schema: GraphQLSchema, types: TypeSchemas, *, settings: Settings = DEFAULT_SETTINGS
) -> tuple[list[Action], list[Trigger]]:
    """An action per query and mutation field, a trigger per subscription field (``settings``
    bounds their default selection sets)."""
    actions: list[Action] = []
    taken: set[str] = set()
    index = FieldIndex()
    for operation, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        for field_name, field in (root.fields if root is not None else {}).items():
            base = field_name if field_name not in taken else f"{operation}_{field_name}"
            name = unique_name(base, taken)
            document = root_operation(schema, operation, field_name, name, index, settings=settings)
            actions.append(
                Action(
                    name=name,
                    description=field.description,
                    binding=GraphQLBinding(
                        operation_type=operation,
                        field=field_name,
                        document=print_operation(document),
                        operation_name=name,
                    ),
                    input=types.arguments(field.args),
                    outputs=[_output(data_schema(schema, types, document.definitions[0]))],  # type: ignore[arg-type]
                    tags=[operation],
                    deprecated=field.deprecation_reason is not None,
                )
            )
    triggers: list[Trigger] = []
    root = schema.subscription_type
    for field_name, field in (root.fields if root is not None else {}).items():
        document = root_operation(
            schema, "subscription", field_name, field_name, index, settings=settings
        )
        triggers.append(
            Trigger(
                name=field_name,
                kind="subscription",
                description=field.description,
                binding=GraphQLBinding(
                    operation_type="subscription",
                    field=field_name,
                    document=print_operation(document),
                    operation_name=field_name,
                ),
                payload=data_schema(schema, types, document.definitions[0]),  # type: ignore[arg-type]
                deprecated=field.deprecation_reason is not None,
            )
        )
    return actions, triggers


# -- users' own operations ---------------------------------------------------------------------


def _listed(errors: list[GraphQLError], where: str) -> str:
    lines = []
    for error in errors[:_MAX_LISTED]:
        at = "".join(f" ({where}:{loc.line}:{loc.column})" for loc in (error.locations or [])[:1])
        message = error.message
        if message == "Validation aborted.":  # graphql-core ran out of recursion
            message = "the document is too large or nested too deeply to validate"
        lines.append(f"{message}{at}")
    if len(errors) > _MAX_LISTED:
        lines.append(f"... and {len(errors) - _MAX_LISTED} more")
    return "; ".join(lines)


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> list[str]:
    names: list[str] = []
    pending = [selection_set]
    while pending:
        for selection in pending.pop(0).selections:
            if isinstance(selection, FieldNode):
                if selection.name.value not in names and selection.name.value != "__typename":
                    names.append(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
                pending.append(fragments[selection.name.value].selection_set)
    return names


def _operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    names = [op.name.value if op.name else "(anonymous)" for op in operations]
    if operation_name is not None:
        for operation, name in zip(operations, names, strict=True):
            if name == operation_name:
                return operation
        raise InputError(
            f"no operation {operation_name!r} in the document (it has: {', '.join(names)})"
        )
    if len(operations) != 1:
        raise InputError(
            f"the document has {len(operations)} operations ({', '.join(names)}): "
            "name the one to use (operation_name)"
        )
    return operations[0]


def _variables(
    schema: GraphQLSchema, types: TypeSchemas, operation: OperationDefinitionNode
) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        value = types.input(type_)  # type: ignore[arg-type]
        value = dict(value) if isinstance(value, dict) else {}
        if definition.default_value is not None:
            value["default"] = value_from_ast_untyped(definition.default_value)
        elif isinstance(definition.type, NonNullTypeNode):
            required.append(name)
        properties[name] = value
    schema_: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema_["required"] = required
    schema_["additionalProperties"] = False
    return schema_


def add_graphql_action(
    version: ConnectorVersion,
    name: str,
    document: str,
    *,
    operation_name: str | None = None,
    description: str | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> ConnectorVersion:
    """A copy of ``version`` with one more action: the query or mutation in ``document``.

    ``document`` may hold fragments and several operations (then ``operation_name`` picks one).
    Raises ``InputError`` when the version is not a GraphQL one with a schema, the name is taken,
    or the document does not parse (more than ``settings.graphql_max_operation_tokens`` tokens
    is a parse error) or validate (every error, with its line and column).
    """
    if version.metadata.protocol != "graphql" or not version.metadata.sdl:
        raise InputError(f"{version.ref} has no GraphQL schema to validate an operation against")
    if not name.strip():
        raise InputError("an action needs a name")
    if any(action.name == name for action in version.actions):
        raise InputError(f"{version.ref} has an action named {name!r} already")
    where = f"action {name}"
    parsed = parse_graphql(
        document,
        where,
        max_tokens=settings.graphql_max_operation_tokens,
        what="a GraphQL document",
        setting="graphql_max_operation_tokens",
    )
    schema = schema_from_sdl(version.metadata.sdl)
    try:
        errors = validate(schema, parsed)
    except RecursionError:
        raise DocumentError("the document is nested too deeply", location=where) from None
    if errors:
        raise InputError(
            f"the document does not validate against {version.ref}'s schema: {_listed(errors, where)}"
        )
    operation = _operation(parsed, operation_name)
    kind = operation.operation.value
    if kind == "subscription":
        raise InputError("a subscription is a trigger, not an action: give a query or a mutation")
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
    }
    types = TypeSchemas(schema)
    try:
        output = data_schema(schema, types, operation, fragments)
    except RecursionError:
        raise DocumentError("the document is nested too deeply", location=where) from None
    action = Action(
        name=name,
        description=description,
        binding=GraphQLBinding(
            operation_type=kind,
            field=", ".join(_root_fields(operation.selection_set, fragments)),
            document=document,
            operation_name=operation.name.value if operation.name else None,
        ),
        input=_variables(schema, types, operation),
        outputs=[_output(output)],
        tags=[kind, "custom"],
    )
    return version.model_copy(update={"actions": [*version.actions, action]})
