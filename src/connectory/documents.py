"""Step 2a of onboarding: turn raw bytes into a JSON value, safely.

JSON and YAML (libyaml's ``CSafeLoader``: no Python tags) are read into plain ``dict``/``list``/
``str``/``int``/``float``/``bool``/``None`` values. Every error names the document and the line and
column (or JSON pointer) of the problem. Refused: bytes that are not UTF-8, duplicate keys,
``NaN``/``Infinity``, nesting deeper than Python's recursion limit, YAML aliases that loop or
expand past ``MAX_EXPANDED_NODES`` (alias bombs). YAML mapping keys become strings (``200:`` gives
``"200"``) and timestamps stay strings, as JSON would have them.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import yaml

from .errors import DocumentError
from .fetch import RawDocument

__all__ = ["TextFormat", "decode_text", "parse_json", "parse_yaml", "sniff_format"]

TextFormat = Literal["json", "yaml", "xml", "text"]


def decode_text(raw: RawDocument) -> str:
    """The document as text (UTF-8, with or without BOM)."""
    try:
        return raw.content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(
            f"not UTF-8 text (byte {error.start}: {raw.content[error.start : error.start + 1]!r})",
            location=raw.source,
        ) from None


def sniff_format(text: str) -> TextFormat:
    """Guess the syntax from the first significant character."""
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return "json"
    if head == "<":
        return "xml"
    return "yaml"


def _line_col(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"{line}:{column}"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return result


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str, source: str) -> Any:
    """Parse JSON text, refusing duplicate keys, NaN/Infinity and too deep nesting."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        location = f"{source}:{error.lineno}:{error.colno}"
        raise DocumentError(f"not valid JSON: {error.msg}", location=location) from None
    except _Duplicate as error:
        position = _find_key(text, error.key)
        where = f"{source}:{_line_col(text, position)}" if position >= 0 else source
        raise DocumentError(f"duplicate key {error.key!r}", location=where) from None
    except ValueError as error:  # NaN, Infinity
        raise DocumentError(str(error), location=source) from None
    except RecursionError:
        raise DocumentError("nested too deeply", location=source) from None


def _find_key(text: str, key: str) -> int:
    """Where ``key`` occurs a second time as an object key (best effort, for the message)."""
    needle = json.dumps(key) + ":"
    first = text.find(needle)
    if first < 0:
        needle = json.dumps(key)
        first = text.find(needle)
    return text.find(needle, first + 1) if first >= 0 else -1


class _Loader(yaml.CSafeLoader):
    """libyaml's safe loader with JSON's data model: string keys, no duplicates, bounded aliases."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return self.construct_document(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[str, Any]:  # type: ignore[override]
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        self.flatten_mapping(node)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            key = _json_key(key)
            if key in mapping:
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


MAX_EXPANDED_NODES = 5_000_000


def _check_expansion(root: yaml.Node) -> None:
    """Refuse alias cycles and aliases that expand to more than ``MAX_EXPANDED_NODES`` nodes.

    libyaml shares an aliased node, so loading a "billion laughs" is cheap; every consumer that
    walks the result is not. Expanded sizes are computed once per distinct node.
    """
    expanded: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            on_path.discard(key)
            size = 1 + sum(expanded[id(child)] for child in children)
            if size > MAX_EXPANDED_NODES:
                raise yaml.MarkedYAMLError(
                    problem=f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes",
                    problem_mark=node.start_mark,
                )
            expanded[key] = size
            continue
        if key in expanded:
            continue
        if key in on_path:
            raise yaml.MarkedYAMLError(
                problem="an alias refers to a node that contains it", problem_mark=node.start_mark
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in expanded)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool) or key is None:
        return json.dumps(key)
    if isinstance(key, int | float):
        return str(key)
    raise yaml.YAMLError(f"a mapping key must be a scalar, not {type(key).__name__}")


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text with libyaml, refusing aliases, duplicate keys and non-JSON values."""
    try:
        value = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = error.problem or error.context or "invalid YAML"
        raise DocumentError(f"not valid YAML: {problem}", location=where) from None
    except yaml.YAMLError as error:
        raise DocumentError(f"not valid YAML: {error}", location=source) from None
    except RecursionError:
        raise DocumentError("nested too deeply", location=source) from None
    _check_json_values(value, source)
    return value


def _check_json_values(value: Any, source: str) -> None:
    """Refuse values JSON cannot hold (``.nan``, ``.inf``, binary)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float) and (item != item or item in (float("inf"), float("-inf"))):
            raise DocumentError(f"{item} is not a JSON number", location=source)
        elif isinstance(item, bytes):
            raise DocumentError("binary values are not JSON", location=source)
