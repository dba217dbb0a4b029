"""The JSON Schema 2020-12 keywords, by the kind of value the meta-schema allows for each."""

from __future__ import annotations

import re

__all__ = [
    "ANCHOR",
    "ANCHOR_NAME",
    "BOOL",
    "DEPENDENCIES",
    "DEPENDENT_REQUIRED",
    "DISCRIMINATOR",
    "ENUM",
    "EXAMPLES",
    "EXCLUSIVE",
    "ID",
    "ITEMS",
    "KINDS",
    "LIST",
    "MAP",
    "NON_NEGATIVE",
    "NUMBER",
    "PATTERN",
    "POSITIVE",
    "REF",
    "REQUIRED",
    "SIMPLE_TYPES",
    "STRING",
    "SUB",
    "TYPE",
    "VOCABULARY",
    "is_non_negative_integer",
    "is_number",
    "is_string_set",
]

SIMPLE_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})
ANCHOR_NAME = re.compile(r"[A-Za-z_][-A-Za-z0-9._]*")

# Kinds of keyword: a value checked against a simple rule...
SUB, MAP, LIST, NON_NEGATIVE, NUMBER, POSITIVE, BOOL, STRING, ANCHOR = range(9)
# ... or a keyword handled on its own.
(
    TYPE,
    REF,
    ITEMS,
    REQUIRED,
    ENUM,
    EXAMPLES,
    PATTERN,
    EXCLUSIVE,
    DEPENDENT_REQUIRED,
    DEPENDENCIES,
    ID,
    VOCABULARY,
    DISCRIMINATOR,
) = range(9, 22)

_TABLE = {
    SUB: "not additionalProperties propertyNames contains if then else unevaluatedItems "
    "unevaluatedProperties contentSchema additionalItems",
    MAP: "properties patternProperties $defs definitions dependentSchemas",
    LIST: "allOf anyOf oneOf prefixItems",
    NON_NEGATIVE: "maxLength minLength maxItems minItems maxProperties minProperties maxContains "
    "minContains",
    NUMBER: "maximum minimum",
    POSITIVE: "multipleOf",
    BOOL: "readOnly writeOnly deprecated uniqueItems",
    STRING: "title description format $comment contentEncoding contentMediaType $schema "
    "$dynamicRef $recursiveRef",
    ANCHOR: "$anchor $dynamicAnchor $recursiveAnchor",
    TYPE: "type",
    REF: "$ref",
    ITEMS: "items",
    REQUIRED: "required",
    ENUM: "enum",
    EXAMPLES: "examples",
    PATTERN: "pattern",
    EXCLUSIVE: "exclusiveMinimum exclusiveMaximum",
    DEPENDENT_REQUIRED: "dependentRequired",
    DEPENDENCIES: "dependencies",
    ID: "$id",
    VOCABULARY: "$vocabulary",
    DISCRIMINATOR: "discriminator",
}
KINDS: dict[str, int] = {word: kind for kind, words in _TABLE.items() for word in words.split()}
"""Every keyword the converter checks, with its kind; any other key is kept as an annotation."""


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_non_negative_integer(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, float) and value.is_integer() and value >= 0


def is_string_set(value: object) -> bool:
    return (
        isinstance(value, list)
        and all(isinstance(item, str) for item in value)
        and len(set(value)) == len(value)
    )
