"""The text of a generated operation document, exactly as graphql-core's ``print_ast`` prints it.

``print_ast`` reduces any AST through a visitor into linked print buffers: on GitHub's 570
generated documents that took longer than generating them. The generated documents use a small
part of the language (``operations``: one operation with variables, fields with an alias and
variable arguments, inline fragments, no directives, values or descriptions), which this module
prints directly, with ``print_ast``'s layout: two-space blocks, an argument list broken over lines
when the field's line would pass 80 characters. Anything else goes to ``print_ast``. The tests
compare both printers on every document generated from the corpus.
"""

from __future__ import annotations

from graphql import print_ast
from graphql.language import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    InlineFragmentNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeNode,
    VariableNode,
)

__all__ = ["print_operation"]

_MAX_LINE_LENGTH = 80  # graphql-core's printer.MAX_LINE_LENGTH


class _Unsupported(Exception):
    """A node this printer leaves to ``print_ast``."""


def _type(node: TypeNode) -> str:
    if isinstance(node, NonNullTypeNode):
        return _type(node.type) + "!"
    if isinstance(node, ListTypeNode):
        return "[" + _type(node.type) + "]"
    if isinstance(node, NamedTypeNode):
        return node.name.value
    raise _Unsupported


def _argument(node: ArgumentNode) -> str:
    if not isinstance(node.value, VariableNode):
        raise _Unsupported
    return f"{node.name.value}: ${node.value.name.value}"


def _selection_set(node: SelectionSetNode, indent: str, out: list[str]) -> None:
    """Append ``{ ... }`` (the opening brace goes on the current line) to ``out``."""
    if not node.selections:
        out.append("{}")
        return
    inner = indent + "  "
    out.append("{")
    for selection in node.selections:
        out.append("\n" + inner)
        if isinstance(selection, FieldNode):
            _field(selection, inner, out)
        elif isinstance(selection, InlineFragmentNode):
            if selection.directives or selection.type_condition is None:
                raise _Unsupported
            out.append(f"... on {selection.type_condition.name.value} ")
            _selection_set(selection.selection_set, inner, out)
        else:
            raise _Unsupported
    out.append("\n" + indent + "}")


def _field(node: FieldNode, indent: str, out: list[str]) -> None:
    if node.directives:
        raise _Unsupported
    prefix = f"{node.alias.value}: {node.name.value}" if node.alias else node.name.value
    out.append(prefix)
    if node.arguments:
        args = [_argument(argument) for argument in node.arguments]
        if len(prefix) + sum(map(len, args)) + 2 * (len(args) - 1) + 2 > _MAX_LINE_LENGTH:
            inner = "\n" + indent + "  "
            out.append("(" + inner + inner.join(args) + "\n" + indent + ")")
        else:
            out.append("(" + ", ".join(args) + ")")
    if node.selection_set is not None:
        out.append(" ")
        _selection_set(node.selection_set, indent, out)


def _operation(node: OperationDefinitionNode) -> str:
    if node.directives or node.description is not None or node.name is None:
        raise _Unsupported
    variables = []
    for definition in node.variable_definitions or ():
        if definition.default_value is not None or definition.directives:
            raise _Unsupported
        variables.append(f"${definition.variable.name.value}: {_type(definition.type)}")
    head = f"{node.operation.value} {node.name.value}"
    out = [head + ("(" + ", ".join(variables) + ")" if variables else "") + " "]
    _selection_set(node.selection_set, "", out)
    return "".join(out)


def print_operation(document: DocumentNode) -> str:
    """``print_ast(document)``, fast for a generated document of one operation."""
    definitions = document.definitions
    if len(definitions) == 1 and isinstance(definitions[0], OperationDefinitionNode):
        try:
            return _operation(definitions[0])
        except _Unsupported:
            pass
    return print_ast(document)
