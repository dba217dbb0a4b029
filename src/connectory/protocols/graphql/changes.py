"""The GraphQL part of ``diff``: the schema comparison, on the canonical SDL both versions carry.

What changed in the schema (types, fields, arguments, enum values, nullability, interface and
union membership) comes from ``connectory.protocols.graphql.sdl_changes``, which builds on
graphql-core's breaking and dangerous change detection and adds the safe changes. The common part
of the diff still reports actions and triggers added, removed or renamed (a field's actions are
recognised by operation type and field). An action's variables and data are not compared again
here: their schemas are derived from the same types the schema comparison already covers.
"""

from __future__ import annotations

from collections.abc import Hashable

from connectory.changes.versions import Context, Differ
from connectory.model.version import Action, Change, GraphQLBinding, GraphQLMetadata

__all__ = ["DIFFER"]


def _key(action: Action) -> Hashable:
    binding = action.binding
    if isinstance(binding, GraphQLBinding):
        return binding.operation_type, binding.field
    return "?", action.name


def _version(context: Context) -> None:
    from . import sdl_changes

    old, new = context.old.metadata, context.new.metadata
    if not isinstance(old, GraphQLMetadata) or not isinstance(new, GraphQLMetadata):
        return
    if old.sdl is None or new.sdl is None:
        missing = context.old.ref if old.sdl is None else context.new.ref
        message = f"{missing} carries no schema: its types were not compared"
        context.report.extend(
            [Change(kind="schema-unknown", level="dangerous", location="schema", message=message)]
        )
        return
    context.report.extend(sdl_changes(old.sdl, new.sdl))


def _action(context: Context, old: Action, new: Action, location: str) -> None:
    """Nothing beyond the schema comparison (see the module docstring)."""


DIFFER = Differ(key=_key, version=_version, action=_action)
"""The GraphQL part of ``connectory.changes.diff``."""
