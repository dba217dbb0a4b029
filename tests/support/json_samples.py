"""Make small JSON instances of a JSON Schema, to drive round trips on real operations.

``sample(schema, registry)`` builds an instance with the required properties only (plus the
first branch that a choice's ``anyOf`` demands), one item per required array, the first enum
value, a string that matches the pattern when one of a few candidates does. It gives up (raises
``Unsampleable``) on what it cannot satisfy; callers then skip that operation.
"""

from __future__ import annotations

import re
from typing import Any

from referencing import Registry

_STRINGS = (
    "x",
    "1",
    "A",
    "AB",
    "1.0",
    "2000-01-01",
    "2000-01-01T00:00:00",
    "abc",
    "0",
    "AAAA",
    "00000000-0000-0000-0000-000000000000",
)


class Unsampleable(Exception):
    pass


def sample(schema: Any, registry: Registry[Any], depth: int = 0) -> Any:
    if depth > 40:
        raise Unsampleable("too deep")
    if schema is True or schema == {}:
        return "x"
    if schema is False:
        raise Unsampleable("false")
    if "$ref" in schema:
        uri, _, fragment = schema["$ref"].partition("#")
        resolved = registry.resolver().lookup(f"{uri}#{fragment}")
        return sample(resolved.contents, registry, depth + 1)
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema and "type" not in schema:
        for option in schema["anyOf"]:
            if option != {"type": "null"}:
                return sample(option, registry, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = kind[0]
    if kind == "object":
        required = list(schema.get("required", []))
        for constraint in schema.get("allOf", []):
            for option in constraint.get("anyOf", [])[:1]:
                required += [key for key in option.get("required", []) if key not in required]
        properties = schema.get("properties", {})
        return {key: sample(properties.get(key, True), registry, depth + 1) for key in required}
    if kind == "array":
        count = max(schema.get("minItems", 1), 1)
        return [sample(schema.get("items", True), registry, depth + 1) for _ in range(count)]
    if kind == "integer":
        return max(schema.get("minimum", 1), min(1, schema.get("maximum", 1)))
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "string":
        pattern = schema.get("pattern")
        low, high = schema.get("minLength", 0), schema.get("maxLength", 100)
        for candidate in (*_STRINGS, "x" * max(low, 1)):
            if low <= len(candidate) <= high and (pattern is None or re.search(pattern, candidate)):
                return candidate
        raise Unsampleable(f"no candidate string for {schema}")
    raise Unsampleable(f"cannot sample {schema}")
