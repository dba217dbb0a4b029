"""Where in a schema a graphql-core error is: its schema coordinate (``Type.field(arg:)``).

Findings and changes are located by GraphQL schema coordinates (``Query``, ``Query.repository``,
``Query.repository(owner:)``, ``Episode.NEWHOPE``, ``@deprecated(reason:)``). graphql-core's errors
and change records carry a message, and AST nodes only when the schema was built from SDL. So:

- ``SdlIndex`` maps a position in the SDL to the innermost definition around it (a type, field,
  argument, enum value, input field or directive), which locates errors that have AST nodes;
- ``coordinate_in`` reads the coordinate out of a message, for the others: the first member
  coordinate (``A.b``, ``A.b(c:)``, ``@d``) that is not the interface side of a comparison
  ("Interface field I.f ..."), else the type a type-level message names.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Iterable

from graphql import GraphQLError
from graphql.language import (
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    Node,
    TypeDefinitionNode,
    TypeExtensionNode,
)

__all__ = ["SdlIndex", "coordinate_in", "locate"]

_MEMBER = re.compile(
    r"(?P<side>Interface field '?|by the Interface field '?)?"
    r"(?<![\w.@])(?P<coordinate>@[_A-Za-z]\w*(?:\([_A-Za-z]\w*:\))?"
    r"|[_A-Za-z]\w*\.[_A-Za-z]\w*(?:\([_A-Za-z]\w*:\))?)"
)
_TYPE_LEVEL = re.compile(
    r"(?:^|\b(?:[Tt]ype|Object type|Input Object type|Input Object|Union type|Enum type|by)) "
    r"(?P<name>[_A-Za-z]\w*)\b"
)


def coordinate_in(message: str, type_names: Collection[str] = ()) -> str:
    """The schema coordinate a graphql-core message is about ("" when it names none)."""
    members = [(m.group("side"), m.group("coordinate")) for m in _MEMBER.finditer(message)]
    for side, coordinate in members:
        if side is None:
            return coordinate
    if members:
        return members[0][1]
    for match in _TYPE_LEVEL.finditer(message):
        name = match.group("name")
        if not type_names or name in type_names:
            return name
    first = message.split(" ", 1)[0].rstrip(".")
    return first if first in type_names else ""


class SdlIndex:
    """The definitions of an SDL document by their place in the text, for ``coordinate_at``."""

    def __init__(self, document: DocumentNode) -> None:
        entries: list[tuple[int, int, str]] = []
        for definition in document.definitions:
            entries.extend(self._entries(definition))
        entries.sort()
        self._starts = [start for start, _, _ in entries]
        self._entries_sorted = entries

    @staticmethod
    def _span(node: Node, coordinate: str) -> list[tuple[int, int, str]]:
        return [] if node.loc is None else [(node.loc.start, node.loc.end, coordinate)]

    def _entries(self, definition: Node) -> Iterable[tuple[int, int, str]]:
        if isinstance(definition, DirectiveDefinitionNode):
            owner = f"@{definition.name.value}"
            yield from self._span(definition, owner)
            for argument in definition.arguments or ():
                yield from self._span(argument, f"{owner}({argument.name.value}:)")
            return
        if not isinstance(definition, (TypeDefinitionNode, TypeExtensionNode)):
            return
        owner = definition.name.value
        yield from self._span(definition, owner)
        if isinstance(definition, (EnumTypeDefinitionNode, EnumTypeExtensionNode)):
            for value in definition.values or ():
                yield from self._span(value, f"{owner}.{value.name.value}")
            return
        for field in getattr(definition, "fields", None) or ():
            coordinate = f"{owner}.{field.name.value}"
            yield from self._span(field, coordinate)
            for argument in getattr(field, "arguments", None) or ():
                yield from self._span(argument, f"{coordinate}({argument.name.value}:)")

    def coordinate_at(self, position: int) -> str | None:
        """The innermost definition around ``position`` (a character offset), if any."""
        index = bisect_right(self._starts, position) - 1
        while index >= 0:
            start, end, coordinate = self._entries_sorted[index]
            if start <= position < end:
                return coordinate
            index -= 1
        return None


def locate(error: GraphQLError, index: SdlIndex | None, type_names: Collection[str]) -> str:
    """The coordinate of ``error``: from its AST nodes when ``index`` knows them, else its message."""
    if index is not None:
        for node in error.nodes or ():
            if node.loc is not None:
                found = index.coordinate_at(node.loc.start)
                if found is not None:
                    return found
    return coordinate_in(error.message, type_names)
