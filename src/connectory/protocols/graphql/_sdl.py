"""SDL text -> a parsed document that graphql-core can build, with findings for its repetitions.

Published SDL files repeat themselves: a field defined twice in one type (or once in the type and
again in an ``extend type``), an argument or an enum value given twice, a type defined twice.
graphql-core's SDL validation refuses such a document, and building it anyway keeps the *last*
definition. ``parse_sdl`` keeps the *first* of each, as a reader of the file would, and reports
every repetition as a ``duplicate-definition`` finding at its schema coordinate.

Parsing is bounded: at most ``settings.graphql_max_sdl_tokens`` tokens (graphql-core's
``max_tokens``), and a syntax error, however deep, becomes a ``DocumentError`` naming the line and
column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from graphql import GraphQLSyntaxError, parse
from graphql.language import (
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    Node,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    TypeDefinitionNode,
)

from connectory.errors import DocumentError
from connectory.model.version import Finding
from connectory.settings import DEFAULT_SETTINGS, Settings

__all__ = ["line_of", "parse_graphql", "parse_sdl"]

_WITH_FIELDS = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
)
_WITH_VALUES = (EnumTypeDefinitionNode, EnumTypeExtensionNode)


def line_of(node: Node) -> int | None:
    """The line ``node`` starts on, when the parser recorded it."""
    return node.loc.start_token.line if node.loc is not None else None


def parse_graphql(
    text: str,
    source: str,
    *,
    max_tokens: int | None,
    what: str,
    no_location: bool = False,
    setting: str | None = None,
) -> DocumentNode:
    """Parse GraphQL text (SDL or operations); every failure is a ``DocumentError``.

    ``max_tokens`` is None only for text Connectory printed itself (a version's stored SDL);
    ``setting`` names the ``Settings`` field it comes from, for the error's hint;
    ``no_location`` leaves out where each node is (faster, for text nobody reads positions in)."""
    try:
        return parse(text, max_tokens=max_tokens, no_location=no_location)
    except GraphQLSyntaxError as error:
        where = source
        if error.locations:
            where = f"{source}:{error.locations[0].line}:{error.locations[0].column}"
        message = error.message.removeprefix("Syntax Error: ")
        if "tokens" in message and "Parsing aborted" in message:
            message = f"more than {max_tokens:,} tokens: too large to parse"
            if setting is not None:
                message += f" (raise CONNECTORY_{setting.upper()} if you trust it)"
        raise DocumentError(f"not valid {what}: {message}", location=where) from None
    except RecursionError:
        raise DocumentError(f"not valid {what}: nested too deeply", location=source) from None


class _Deduplicator:
    """Keeps the first definition of every type, field, argument and enum value."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.findings: list[Finding] = []
        self.members: dict[str, dict[str, int | None]] = {}
        """Type (or ``@directive``) name -> member name -> the line of its first definition."""

    def report(self, coordinate: str, what: str, node: Node, first: int | None) -> None:
        line, kept = line_of(node), f" (line {first})" if first else ""
        at = f" at line {line}" if line else ""
        self.findings.append(
            Finding(
                severity="warning",
                kind="duplicate-definition",
                location=coordinate,
                message=f"{what} {coordinate} is defined again{at} in {self.source}; "
                f"the first definition{kept} is kept",
            )
        )

    def unique(self, owner: str, nodes: Sequence[Any], what: str, separator: str) -> list[Any]:
        seen = self.members.setdefault(owner, {})
        kept = []
        for node in nodes:
            name = node.name.value
            if name in seen:
                self.report(f"{owner}{separator}{name}", what, node, seen[name])
                continue
            seen[name] = line_of(node)
            kept.append(node)
        return kept

    def arguments(
        self, coordinate: str, node: FieldDefinitionNode | DirectiveDefinitionNode
    ) -> Any:
        arguments = node.arguments or ()
        names = [argument.name.value for argument in arguments]
        if len(set(names)) == len(names):
            return node
        seen: dict[str, int | None] = {}
        kept = []
        for argument in arguments:
            name = argument.name.value
            if name in seen:
                self.report(f"{coordinate}({name}:)", "argument", argument, seen[name])
                continue
            seen[name] = line_of(argument)
            kept.append(argument)
        return replace(node, arguments=tuple(kept))

    def definition(self, definition: Any) -> Any:
        if isinstance(definition, DirectiveDefinitionNode):
            return self.arguments(f"@{definition.name.value}", definition)
        if not isinstance(definition, (*_WITH_FIELDS, *_WITH_VALUES)):
            return definition
        owner = definition.name.value
        if isinstance(definition, _WITH_VALUES):
            values = definition.values or ()
            kept_values = self.unique(owner, values, "enum value", ".")
            if len(kept_values) == len(values):
                return definition
            return replace(definition, values=tuple(kept_values))
        fields = definition.fields or ()
        kept = [
            self.arguments(f"{owner}.{field.name.value}", field)
            if isinstance(field, FieldDefinitionNode)
            else field
            for field in self.unique(owner, fields, "field", ".")
        ]
        if len(kept) == len(fields) and all(a is b for a, b in zip(kept, fields, strict=True)):
            return definition
        # mypy meets the union's field types (field or input value definitions) to None
        return replace(definition, fields=tuple(kept))  # type: ignore[arg-type]

    def document(self, document: DocumentNode) -> DocumentNode:
        types: dict[str, int | None] = {}
        definitions = []
        for definition in document.definitions:
            if isinstance(definition, TypeDefinitionNode):
                name = definition.name.value
                if name in types:
                    self.report(name, "type", definition, types[name])
                    continue
                types[name] = line_of(definition)
            definitions.append(self.definition(definition))
        if len(definitions) == len(document.definitions) and not self.findings:
            return document
        return replace(document, definitions=tuple(definitions))


def parse_sdl(
    text: str, source: str, *, settings: Settings = DEFAULT_SETTINGS
) -> tuple[DocumentNode, list[Finding]]:
    """The SDL document in ``text``, each definition kept once, and findings for repetitions."""
    document = parse_graphql(
        text,
        source,
        max_tokens=settings.graphql_max_sdl_tokens,
        what="GraphQL SDL",
        setting="graphql_max_sdl_tokens",
    )
    deduplicator = _Deduplicator(source)
    return deduplicator.document(document), deduplicator.findings
