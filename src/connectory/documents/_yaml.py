"""YAML -> JSON values, built in one pass over libyaml's event stream.

PyYAML's ``CSafeLoader`` parses with libyaml (C), then composes a graph of nodes, resolves every
scalar's tag with regular expressions and constructs the values, all in Python: on Stripe's 4 MB
description, libyaml's events take 0.2 s and the rest 2.3 s. ``build`` reads the events and builds
the values directly, with ``CSafeLoader``'s data model restricted to JSON's:

- plain scalars resolve as PyYAML's resolver does (YAML 1.1: ``yes``/``on`` are booleans, ``0o``
  and ``0x`` integers, sexagesimal numbers...), from its own table, each distinct text once;
  timestamps stay strings; ``.nan``/``.inf`` and ``!!binary`` are refused (not JSON);
- mapping keys become strings (``200`` -> ``"200"``, ``true`` -> ``"true"``, ``~`` -> ``"null"``);
  a key that is not a scalar, and a key given twice, are refused; ``<<`` merges mappings as YAML 1.1
  says (explicit keys win, then earlier merged mappings);
- aliases share the anchored value; an alias inside the node it names (a recursive alias) is
  refused, and so is a document that, aliases expanded, has more than ``max_nodes`` nodes (an
  alias bomb);
- explicit tags: the standard scalar, sequence and mapping tags only; any other (``!!python/...``,
  ``!!set``, ``!local``) is refused;
- one document per stream, as ``get_single_data`` wants.

Errors are ``YamlError`` with the line and column (0-based) of the offending node; the parser's
own syntax errors stay ``yaml.MarkedYAMLError``. Nesting is bounded by libyaml (1,000 levels); the
build itself uses no recursion.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.cyaml import CParser  # type: ignore[attr-defined]  # stubs: not in cyaml.__all__
from yaml.resolver import Resolver

__all__ = ["YamlError", "build"]

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_TAG + t for t in ("str", "null", "bool", "int", "float"))
_TIMESTAMP, _MERGE, _SEQ, _MAP = (_TAG + t for t in ("timestamp", "merge", "seq", "map"))
_RESOLVERS: dict[str | None, list[tuple[str, re.Pattern[str]]]] = Resolver.yaml_implicit_resolvers
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


class YamlError(Exception):
    """A YAML document that cannot become a JSON value; ``line``/``column`` are 0-based."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = getattr(mark, "line", 0)
        self.column = getattr(mark, "column", 0)


def _resolve(value: str) -> str:
    """The tag of a plain scalar, as PyYAML's resolver gives it."""
    resolvers = _RESOLVERS.get(value[0] if value else "", [])
    for tag, pattern in resolvers + _RESOLVERS.get(None, []):
        if pattern.match(value):
            return tag
    return _STR


def _int(value: str) -> int:
    """PyYAML's ``construct_yaml_int``."""
    value = value.replace("_", "")
    sign = -1 if value[0] == "-" else 1
    if value[0] in "+-":
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value[0] == "0":
        return sign * int(value, 8)
    if ":" in value:
        total, base = 0, 1
        for digit in reversed([int(part) for part in value.split(":")]):
            total += digit * base
            base *= 60
        return sign * total
    return sign * int(value)


def _float(value: str, mark: Any) -> float:
    """PyYAML's ``construct_yaml_float``, refusing what JSON cannot hold."""
    value = value.replace("_", "").lower()
    sign = -1 if value[0] == "-" else 1
    if value[0] in "+-":
        value = value[1:]
    if value in (".inf", ".nan"):
        raise YamlError(f"{'nan' if value == '.nan' else 'inf'} is not a JSON number", mark)
    if ":" in value:
        total, base = 0.0, 1
        for digit in reversed([float(part) for part in value.split(":")]):
            total += digit * base
            base *= 60
        return sign * total
    return sign * float(value)


def _construct(tag: str, value: str, mark: Any) -> Any:
    if tag in (_STR, _TIMESTAMP):
        return value
    try:
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _BOOLS[value.lower()]
        if tag == _INT:
            return _int(value)
        if tag == _FLOAT:
            return _float(value, mark)
    except (ValueError, KeyError, IndexError):
        raise YamlError(f"{value!r} is not a valid {tag.removeprefix(_TAG)}", mark) from None
    if tag == _TAG + "binary":
        raise YamlError("binary values are not JSON", mark)
    raise YamlError(f"could not determine a constructor for the tag {tag!r}", mark)


def _json_key(key: Any, mark: Any) -> str:
    if type(key) is str:
        return key
    if key is True or key is False or key is None:
        return "true" if key is True else "false" if key is False else "null"
    if isinstance(key, int | float):
        return str(key)
    raise YamlError("a mapping key must be a scalar", mark)


class _Frame:
    """A sequence or mapping being built."""

    __slots__ = ("anchor", "container", "key", "key_mark", "mark", "merged", "size")

    def __init__(self, container: Any, anchor: str | None, mark: Any) -> None:
        self.container = container
        self.anchor = anchor
        self.mark = mark
        self.size = 1
        self.key: Any = _NO_KEY
        self.key_mark: Any = None
        self.merged: list[dict[str, Any]] | None = None


_NO_KEY = object()
_BUILDING = object()


def build(text: str, *, max_nodes: int) -> Any:
    """The JSON value of the YAML document ``text`` (``None`` when it is empty)."""
    parser = CParser(text)
    try:
        return _Builder(parser, max_nodes).document()
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()


class _Builder:
    def __init__(self, parser: Any, max_nodes: int) -> None:
        self.parser = parser
        self.max_nodes = max_nodes
        self.anchors: dict[str, Any] = {}
        self.sizes: dict[int, int] = {}
        self.plain: dict[str, Any] = {}

    def document(self) -> Any:
        get = self.parser.get_event
        get()  # the stream starts
        event = get()
        if isinstance(event, yaml.StreamEndEvent):
            return None
        root = self._value(get)
        get()  # the document ends
        event = get()
        if not isinstance(event, yaml.StreamEndEvent):
            raise YamlError("expected a single document in the stream", event.start_mark)
        return root

    def _scalar(self, event: Any) -> Any:
        tag, value = event.tag, event.value
        if tag is None or tag == "!":
            if not event.implicit[0]:
                return value  # quoted, or the non-specific tag: a string
            known = self.plain.get(value, _NO_KEY)
            if known is not _NO_KEY:
                return known
            resolved = _resolve(value)
            result = value if resolved == _MERGE else _construct(resolved, value, event.start_mark)
            self.plain[value] = result
            return result
        return _construct(tag, value, event.start_mark)

    def _alias(self, event: Any) -> tuple[Any, int]:
        target = self.anchors.get(event.anchor, _NO_KEY)
        if target is _NO_KEY:
            raise YamlError(f"found undefined alias {event.anchor!r}", event.start_mark)
        if target is _BUILDING:
            raise YamlError("an alias refers to a node that contains it", event.start_mark)
        return target, self.sizes.get(id(target), 1)

    def _value(self, get: Any) -> Any:
        """Build one node (and everything in it) from the events; its value."""
        stack: list[_Frame] = []
        plain_values = self.plain
        scalar_event = yaml.ScalarEvent
        while True:
            event = get()
            kind = type(event)
            if kind is scalar_event:  # the most frequent event: handled here and in _add_scalar
                plain = event.tag is None and event.implicit[0]
                value = plain_values.get(event.value, _NO_KEY) if plain else _NO_KEY
                if value is _NO_KEY:
                    value = self._scalar(event)
                if event.anchor is not None:
                    self.anchors[event.anchor] = value
                if not stack:
                    return value
                self._add_scalar(stack[-1], value, event, plain)
                continue
            if kind is yaml.AliasEvent:
                value, size = self._alias(event)
                if not stack:
                    return value
                self._add(stack[-1], value, size, event, plain=False)
                continue
            if kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                stack.append(self._open(event, kind is yaml.MappingStartEvent, stack))
                continue
            # the end of a sequence or a mapping
            frame = stack.pop()
            value = self._finish(frame)
            if not stack:
                return value
            self._add(stack[-1], value, frame.size, event, plain=False)

    def _add_scalar(self, frame: _Frame, value: Any, event: Any, plain: bool) -> None:
        """``_add`` for a scalar, with the common cases (an item, a string key, a key's value)
        done without its checks."""
        container = frame.container
        if type(container) is list:
            container.append(value)
            frame.size += 1
        elif (
            frame.key is _NO_KEY
            and type(value) is str
            and not (plain and value == "<<")  # a merge: see _add
        ):
            if value in container:
                raise YamlError(f"duplicate key {value!r}", event.start_mark)
            frame.key = value
        elif frame.key is not _NO_KEY and frame.key is not _MERGE:
            container[frame.key] = value
            frame.key = _NO_KEY
            frame.size += 2
        else:
            self._add(frame, value, 1, event, plain=plain)

    def _open(self, event: Any, mapping: bool, stack: list[_Frame]) -> _Frame:
        """The frame of a sequence or mapping that ``event`` starts."""
        self._check_tag(event, _MAP if mapping else _SEQ)
        if stack and stack[-1].key is _NO_KEY and type(stack[-1].container) is dict:
            raise YamlError("a mapping key must be a scalar", event.start_mark)
        if event.anchor is not None:
            self.anchors[event.anchor] = _BUILDING
        return _Frame({} if mapping else [], event.anchor, event.start_mark)

    def _check_tag(self, event: Any, expected: str) -> None:
        tag = event.tag
        if tag is not None and tag != "!" and tag != expected:
            raise YamlError(
                f"could not determine a constructor for the tag {tag!r}", event.start_mark
            )

    def _finish(self, frame: _Frame) -> Any:
        container = frame.container
        if frame.merged:
            merged: dict[str, Any] = {}
            for mapping in frame.merged:
                for key, value in mapping.items():
                    if key not in merged:
                        merged[key] = value
            for key in merged:
                if key not in container:
                    frame.size += self.sizes.get(id(merged[key]), 1)
            container = {**merged, **container}
        if frame.size > self.max_nodes:
            raise YamlError(f"aliases expand to more than {self.max_nodes:,} nodes", frame.mark)
        self.sizes[id(container)] = frame.size
        if frame.anchor is not None:
            self.anchors[frame.anchor] = container
        return container

    def _add(self, frame: _Frame, value: Any, size: int, event: Any, *, plain: bool) -> None:
        container = frame.container
        if type(container) is list:
            container.append(value)
            frame.size += size
            return
        if frame.key is _NO_KEY:
            if plain and event.value == "<<":
                frame.key = _MERGE
            else:
                key = _json_key(value, event.start_mark)
                if key in container:
                    raise YamlError(f"duplicate key {key!r}", event.start_mark)
                frame.key = key
            frame.key_mark = event.start_mark
            return
        key, frame.key = frame.key, _NO_KEY
        if key is _MERGE:
            frame.merged = (frame.merged or []) + self._merges(value, frame.key_mark)
            return
        container[key] = value
        frame.size += size + 1

    @staticmethod
    def _merges(value: Any, mark: Any) -> list[dict[str, Any]]:
        if type(value) is dict:
            return [value]
        if type(value) is list and all(type(item) is dict for item in value):
            return list(value)
        raise YamlError("expected a mapping or a list of mappings for merging", mark)
