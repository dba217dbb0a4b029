"""What changed between two GraphQL schemas, as ``Change`` records: breaking, dangerous or safe.

graphql-core's ``find_schema_changes`` (3.3; it subsumes ``find_breaking_changes`` and
``find_dangerous_changes``) classifies removals, kind and type changes, added enum values and
union members, new required arguments, changed defaults, additions and description changes. This
module adds what it does not report: a field, argument, input field or enum value that became (or
stopped being) deprecated, a safe change that warns of a breaking one to come.

Each change is located by its schema coordinate (read from graphql-core's description, see
``coordinates``) and named by a stable kind: graphql-core's change type in kebab case
(``field-removed``, ``value-added-to-enum``, ``description-changed``) or ``...-deprecated`` /
``...-undeprecated``. The list is ordered breaking, dangerous, safe, then by location.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)
from graphql.utilities.find_schema_changes import (
    BreakingChangeType,
    DangerousChangeType,
    find_schema_changes,
)

from connectory.model.version import Change

from ._coordinates import coordinate_in
from .parse import schema_from_sdl

__all__ = ["schema_changes", "sdl_changes"]

Level = Literal["breaking", "dangerous", "safe"]
_ORDER = {"breaking": 0, "dangerous": 1, "safe": 2}
_DESCRIPTION = re.compile(
    r"^Description of (?:field |argument |input-field |enum value )?"
    r"(?P<coordinate>@?[_A-Za-z]\w*(?:\.[_A-Za-z]\w*)?(?:\([_A-Za-z]\w*:\))?)"
)
_LAST_WORD = re.compile(r"([_A-Za-z]\w*)\.?$")
_BY_LAST_WORD = frozenset(
    {"TYPE_ADDED_TO_UNION", "TYPE_REMOVED_FROM_UNION", "IMPLEMENTED_INTERFACE_ADDED"}
)


def _level(change_type: Any) -> Level:
    if isinstance(change_type, BreakingChangeType):
        return "breaking"
    if isinstance(change_type, DangerousChangeType):
        return "dangerous"
    return "safe"


def _location(change_type: Any, description: str, type_names: set[str]) -> str:
    if change_type.name == "DESCRIPTION_CHANGED":
        match = _DESCRIPTION.match(description)
        if match:
            coordinate = match.group("coordinate")
            return coordinate.split("(", 1)[0] if coordinate.startswith("@") else coordinate
    if change_type.name in _BY_LAST_WORD:
        match = _LAST_WORD.search(description)
        if match and match.group(1) in type_names:
            return match.group(1)
    text = description.removeprefix("Standard scalar ")
    return coordinate_in(text, type_names)


def _deprecations(old: GraphQLSchema, new: GraphQLSchema) -> Iterator[Change]:
    """Deprecation reasons that appeared or went away on members present in both schemas."""

    def pairs() -> Iterator[tuple[str, str, Any, Any]]:
        for name, new_type in new.type_map.items():
            old_type = old.type_map.get(name)
            if name.startswith("__") or type(old_type) is not type(new_type):
                continue
            if isinstance(new_type, GraphQLEnumType) and isinstance(old_type, GraphQLEnumType):
                for value, member in new_type.values.items():
                    if value in old_type.values:
                        yield "enum-value", f"{name}.{value}", old_type.values[value], member
            elif isinstance(
                new_type, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)
            ) and isinstance(
                old_type, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)
            ):
                what = "input-field" if isinstance(new_type, GraphQLInputObjectType) else "field"
                for field_name, field in new_type.fields.items():
                    old_field = old_type.fields.get(field_name)
                    if old_field is None:
                        continue
                    yield what, f"{name}.{field_name}", old_field, field
                    for arg_name, arg in getattr(field, "args", {}).items():
                        old_arg = old_field.args.get(arg_name)
                        if old_arg is not None:
                            yield "arg", f"{name}.{field_name}({arg_name}:)", old_arg, arg

    for what, coordinate, before, after in pairs():
        if before.deprecation_reason is None and after.deprecation_reason is not None:
            yield Change(
                kind=f"{what}-deprecated",
                level="safe",
                location=coordinate,
                message=f"{coordinate} was deprecated: {after.deprecation_reason}",
            )
        elif before.deprecation_reason is not None and after.deprecation_reason is None:
            yield Change(
                kind=f"{what}-undeprecated",
                level="safe",
                location=coordinate,
                message=f"{coordinate} is no longer deprecated.",
            )


def schema_changes(old: GraphQLSchema, new: GraphQLSchema) -> list[Change]:
    """Every change from ``old`` to ``new`` (see the module docstring)."""
    type_names = set(old.type_map) | set(new.type_map)
    changes = [
        Change(
            kind=found.type.name.lower().replace("_", "-"),
            level=_level(found.type),
            location=_location(found.type, found.description, type_names),
            message=found.description,
        )
        for found in find_schema_changes(old, new)
    ]
    changes += _deprecations(old, new)
    return sorted(changes, key=lambda c: (_ORDER[c.level], c.location, c.kind))


def sdl_changes(old_sdl: str, new_sdl: str) -> list[Change]:
    """``schema_changes`` between two versions' canonical SDL (``GraphQLMetadata.sdl``)."""
    if old_sdl == new_sdl:
        return []
    return schema_changes(schema_from_sdl(old_sdl), schema_from_sdl(new_sdl))
