"""Schema keywords, one at a time: normalising helpers and the leaf comparisons.

``leaf_changes(old, new)`` compares the keywords that hold no subschema (``type``, ``enum``,
``const``, bounds, ``pattern``, ``format``, ``default``, ``deprecated``) and yields
``(kind, keyword, message)``; ``schemas`` walks the rest. ``split_null`` takes nullability out of a
schema whichever way it is written (``type: [string, null]``, ``anyOf: [X, {type: null}]``, an
``enum`` with ``null``), so that it is compared once, as a flag.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from connectory.model.version import DEFINITION_URI_PREFIX, JsonSchema

__all__ = [
    "ANYTHING",
    "LEAVES",
    "NOTHING",
    "Schema",
    "Target",
    "alternatives",
    "best",
    "definition_target",
    "is_annotation",
    "is_null",
    "leaf_changes",
    "match",
    "schema",
    "show",
    "split_null",
    "structural",
    "unwrap",
]

Schema = Mapping[str, Any]
ANYTHING: Schema = {}
NOTHING: Schema = {"not": {}}

_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "examples",
        "example",
        "$comment",
        "readOnly",
        "writeOnly",
        "discriminator",
        "xml",
        "externalDocs",
        "$id",
        "x-$id",
        "$schema",
        "$anchor",
        "$dynamicAnchor",
        "$defs",
        "definitions",
    }
)
UPPER = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum", "maxContains")
LOWER = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum", "minContains")
LEAVES = frozenset(
    {
        "type",
        "enum",
        "const",
        "pattern",
        "format",
        "default",
        "deprecated",
        "multipleOf",
        "uniqueItems",
        *UPPER,
        *LOWER,
    }
)


def schema(value: JsonSchema | None) -> Schema:
    """``value`` as an object schema: ``None`` and ``true`` accept anything, ``false`` nothing."""
    if value is None or value is True:
        return ANYTHING
    if value is False:
        return NOTHING
    return value


def is_annotation(keyword: str) -> bool:
    return keyword in _ANNOTATIONS or keyword.startswith("x-")


def structural(value: Schema) -> list[str]:
    """The keywords of ``value`` that are not annotations."""
    return [k for k in value if not is_annotation(k)]


def unwrap(value: Schema) -> Schema:
    """A one-member ``allOf``/``anyOf``/``oneOf`` with nothing else but annotations: its member."""
    while True:
        keys = structural(value)
        if len(keys) != 1 or keys[0] not in ("allOf", "anyOf", "oneOf"):
            return value
        members = value[keys[0]]
        if not isinstance(members, list) or len(members) != 1:
            return value
        value = schema(members[0])


def alternatives(value: Schema) -> tuple[str, list[Any]] | None:
    """``("anyOf", members)`` or ``("oneOf", members)``, if ``value`` has either."""
    for keyword in ("anyOf", "oneOf"):
        members = value.get(keyword)
        if isinstance(members, list):
            return keyword, members
    return None


def is_null(value: Schema) -> bool:
    """Whether ``value`` accepts null and nothing else (annotations aside)."""
    return structural(value) == ["type"] and value["type"] in ("null", ["null"])


def split_null(value: Schema) -> tuple[bool, Schema]:
    """Whether ``value`` allows null besides something else, and ``value`` without that null."""
    types = value.get("type")
    if isinstance(types, list) and "null" in types and len(types) > 1:
        return True, _without_null_type(value, types)
    found = alternatives(value)
    if found is not None and len(structural(value)) == 1:
        keyword, members = found
        rest = [m for m in members if not is_null(schema(m))]
        if rest and len(rest) < len(members):
            return True, unwrap({**value, keyword: rest})
    enum = value.get("enum")
    if isinstance(enum, list) and len(enum) > 1 and any(v is None for v in enum):
        return True, {**value, "enum": [v for v in enum if v is not None]}
    return False, value


def _without_null_type(value: Schema, types: list[Any]) -> Schema:
    """``value`` with ``"null"`` out of its ``type`` list (and ``None`` out of its ``enum``)."""
    rest = [t for t in types if t != "null"]
    core = {**value, "type": rest[0] if len(rest) == 1 else rest}
    enum = core.get("enum")
    if isinstance(enum, list) and any(v is None for v in enum):
        core["enum"] = [v for v in enum if v is not None]
    return core


Target = tuple[str, str]
"""What a reference points at: a definition's name and a JSON pointer into it (often ``""``)."""


def definition_target(ref: object) -> Target | None:
    """The definition (and pointer in it) a ``urn:connectory:definition:<name>[#<pointer>]``
    reference names; None for any other reference."""
    if isinstance(ref, str) and ref.startswith(DEFINITION_URI_PREFIX):
        name, _, pointer = ref[len(DEFINITION_URI_PREFIX) :].partition("#")
        return unquote(name), unquote(pointer)
    return None


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def show(value: Any, limit: int = 60) -> str:
    """``value`` as short JSON, for messages."""
    text = _key(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _signature(value: Schema) -> tuple[str, ...]:
    types = _types(value)
    if types is not None:
        return tuple(sorted(types))
    if "properties" in value:
        return ("object",)
    return ()


def match(olds: list[Schema], news: list[Schema]) -> list[tuple[int | None, int | None]]:
    """Pairs of indexes of matching members (``None``: no partner): equal ones first, then ones
    naming the same definition, then ones of the same type, then what is left, in order, when as
    many are left on each side."""
    pairs: list[tuple[int | None, int | None]] = []
    free_old = list(range(len(olds)))
    free_new = list(range(len(news)))

    def pair_by(same: Callable[[Schema, Schema], bool]) -> None:
        for i in list(free_old):
            for j in free_new:
                if same(olds[i], news[j]):
                    pairs.append((i, j))
                    free_old.remove(i)
                    free_new.remove(j)
                    break

    def same_definition(a: Schema, b: Schema) -> bool:
        target = definition_target(a.get("$ref"))
        return target is not None and target == definition_target(b.get("$ref"))

    pair_by(lambda a, b: a == b)
    pair_by(same_definition)
    pair_by(lambda a, b: "$ref" not in a and "$ref" not in b and _signature(a) == _signature(b))
    if len(free_old) == len(free_new):
        pairs.extend(zip(free_old, free_new, strict=True))
        free_old, free_new = [], []
    pairs.extend((i, None) for i in free_old)
    pairs.extend((None, j) for j in free_new)
    return pairs


def best(plain: Schema, members: list[Schema]) -> int:
    """The member of ``members`` that ``plain`` most likely became (or came from)."""
    ref = definition_target(plain.get("$ref"))
    for i, member in enumerate(members):
        if member == plain or (ref is not None and definition_target(member.get("$ref")) == ref):
            return i
    signature = _signature(plain)
    for i, member in enumerate(members):
        if _signature(member) == signature:
            return i
    return 0


# -- leaf keywords --------------------------------------------------------------------------------

Leaf = tuple[str, str | None, str]
"""A change: its kind, the keyword it is about (None: the schema itself), a message."""


def _types(value: Schema) -> set[str] | None:
    found = value.get("type")
    if isinstance(found, str):
        return {found}
    if isinstance(found, list):
        return {t for t in found if isinstance(t, str)}
    return None


def _covered(kind: str, types: set[str]) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


def _text(types: set[str]) -> str:
    return "/".join(sorted(types)) or "nothing"


def _enum_key(value: Any) -> str:
    return "s" + value if isinstance(value, str) else _key(value)


def _enum(value: Schema) -> dict[str, Any] | None:
    if "const" in value:
        return {_enum_key(value["const"]): value["const"]}
    values = value.get("enum")
    return {_enum_key(v): v for v in values} if isinstance(values, list) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _type_changes(old: Schema, new: Schema) -> Iterator[Leaf]:
    before, after = _types(old), _types(new)
    if before == after:
        return
    if before is None:
        yield "type-narrowed", "type", f"type restricted to {_text(after or set())}"
        return
    if after is None:
        yield "type-widened", "type", f"type no longer restricted to {_text(before)}"
        return
    removed = {t for t in before if not _covered(t, after)}
    added = {t for t in after if not _covered(t, before)}
    message = f"type changed from {_text(before)} to {_text(after)}"
    if removed and added:
        yield "type-changed", "type", message
    elif removed:
        yield "type-narrowed", "type", message
    elif added:
        yield "type-widened", "type", message


def _enum_changes(old: Schema, new: Schema) -> Iterator[Leaf]:
    before, after = _enum(old), _enum(new)
    if before == after:
        return
    if before is None:
        yield "enum-added", "enum", f"restricted to {len(after or ())} values"
    elif after is None:
        yield "enum-removed", "enum", "no longer restricted to a list of values"
    else:
        for key in sorted(before.keys() - after.keys()):
            yield "enum-value-removed", "enum", f"value {show(before[key])} removed"
        for key in sorted(after.keys() - before.keys()):
            yield "enum-value-added", "enum", f"value {show(after[key])} added"


def _bound_changes(old: Schema, new: Schema) -> Iterator[Leaf]:
    for keyword in (*UPPER, *LOWER):
        before, after = _number(old.get(keyword)), _number(new.get(keyword))
        if before == after:
            continue
        if before is None:
            tighter, message = True, f"{keyword} {after} added"
        elif after is None:
            tighter, message = False, f"{keyword} {before} removed"
        else:
            tighter = after < before if keyword in UPPER else after > before
            message = f"{keyword} changed from {before} to {after}"
        yield ("constraint-tightened" if tighter else "constraint-loosened"), keyword, message
    unique_before, unique_after = old.get("uniqueItems") is True, new.get("uniqueItems") is True
    if unique_before != unique_after:
        kind = "constraint-tightened" if unique_after else "constraint-loosened"
        yield (
            kind,
            "uniqueItems",
            f"items {'must now' if unique_after else 'need no longer'} be unique",
        )
    step_before, step_after = _number(old.get("multipleOf")), _number(new.get("multipleOf"))
    if step_before != step_after:
        if step_before is None or (step_after is not None and step_after % step_before == 0):
            kind = "constraint-tightened"
        elif step_after is None or step_before % step_after == 0:
            kind = "constraint-loosened"
        else:
            kind = "constraint-changed"
        message = f"multipleOf changed from {step_before} to {step_after}"
        yield kind, "multipleOf", message


def _string_changes(old: Schema, new: Schema) -> Iterator[Leaf]:
    for keyword in ("pattern", "format"):
        before, after = old.get(keyword), new.get(keyword)
        if before == after:
            continue
        if before is None:
            yield f"{keyword}-added", keyword, f"{keyword} {show(after)} added"
        elif after is None:
            yield f"{keyword}-removed", keyword, f"{keyword} {show(before)} removed"
        else:
            message = f"{keyword} changed from {show(before)} to {show(after)}"
            yield f"{keyword}-changed", keyword, message


def leaf_changes(old: Schema, new: Schema) -> Iterator[Leaf]:
    """The changes of the keywords without subschemas, from ``old`` to ``new``."""
    if old.get("deprecated") is not True and new.get("deprecated") is True:
        yield "property-deprecated", None, "deprecated"
    if ("default" in old) != ("default" in new) or old.get("default") != new.get("default"):
        before, after = show(old.get("default")), show(new.get("default"))
        yield "default-changed", None, f"default changed from {before} to {after}"
    yield from _type_changes(old, new)
    yield from _enum_changes(old, new)
    yield from _bound_changes(old, new)
    yield from _string_changes(old, new)
