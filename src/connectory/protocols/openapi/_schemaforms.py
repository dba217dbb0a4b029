"""Small rewrites of converted schemas, and the tests the converter needs, without state.

- ``nullable_form``: OpenAPI 3.0's ``nullable: true`` in 2020-12 terms (``"null"`` added to ``type``
  and ``enum``, or ``anyOf: [schema, {"type": "null"}]`` around a reference or a combinator);
- ``relax_directional``: a required property that is ``readOnly`` or ``writeOnly`` is required in
  one direction only: no longer required, as a definition serves requests and responses alike;
- ``same``: whether a converted schema is exactly the document's (then the converter shares the
  document's object instead of keeping a copy);
- ``nested_deeper``: whether a value nests deeper than a limit (without recursion);
- ``placeholder``: the schema that stands for one that could not be read (accepts anything).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "is_same_object",
    "nested_deeper",
    "nullable_form",
    "placeholder",
    "relax_directional",
    "same",
]

_COMBINATORS = ("$ref", "allOf", "anyOf", "oneOf", "not")
_HOISTED = ("title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly")


def placeholder(reason: str) -> dict[str, Any]:
    return {"description": f"Accepts anything: {reason}."}


def nested_deeper(value: Any, limit: int) -> bool:
    """Whether the dicts and lists in ``value`` nest more than ``limit`` levels."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, level = stack.pop()
        for item in node.values() if isinstance(node, dict) else node:
            if isinstance(item, dict | list):
                if level >= limit:
                    return True
                stack.append((item, level + 1))
    return False


_MISSING = object()


def is_same_object(a: object, b: object) -> bool:
    return a is b


def same(new: dict[str, Any], old: Any) -> bool:
    """Whether ``new`` holds exactly ``old``'s keys and the very same values."""
    if type(old) is not dict or len(new) != len(old):
        return False
    get = new.get
    return all(get(key, _MISSING) is value for key, value in old.items())


def relax_directional(out: dict[str, Any]) -> None:
    """Drop from ``required`` the properties that are ``readOnly`` or ``writeOnly``."""
    properties = out["properties"]
    required = out["required"]
    kept = []
    for name in required:
        schema = properties.get(name)
        if type(schema) is dict and (
            schema.get("readOnly") is True or schema.get("writeOnly") is True
        ):
            continue
        kept.append(name)
    if len(kept) != len(required):
        if kept:
            out["required"] = kept
        else:
            del out["required"]


def nullable_form(out: dict[str, Any]) -> dict[str, Any]:
    if any(key in out for key in _COMBINATORS):
        outer = {key: out.pop(key) for key in _HOISTED if key in out}
        outer["anyOf"] = [out, {"type": "null"}]
        return outer
    if "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        if "null" not in types:
            out["type"] = [*types, "null"]
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out
