"""A fast check of JSON Schemas against the JSON Schema 2020-12 metaschema.

``jsonschema`` validating a large schema against the metaschema is slow (20 s for GitHub's 3,500
generated schemas): every node goes through seven vocabularies and ``$dynamicRef`` resolution. But
the 2020-12 metaschema is, node by node, a conjunction of one constraint per keyword, plus
"a schema is an object or a boolean". So this module takes the official metaschemas (from
``jsonschema-specifications``), splits them into one small validator per keyword, with every
subschema position cut to "an object or a boolean", and walks the schema itself: each node's keywords are checked
by their validators (memoised on the keyword's value), and the walk descends into the keyword
positions the metaschema marks as subschemas. The errors are those of the full metaschema, at
the same places.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema_specifications import REGISTRY

__all__ = ["MetaschemaChecker", "MetaschemaError", "SchemaCheck", "iter_metaschema_errors"]

_ROOT = "https://json-schema.org/draft/2020-12/schema"
_SUBSCHEMA = {"$dynamicRef": "#meta"}
_SCHEMA_ARRAY = {"$ref": "#/$defs/schemaArray"}
_SCHEMA_TYPE = {"type": ["object", "boolean"]}


@dataclass(frozen=True, slots=True)
class MetaschemaError:
    path: tuple[str | int, ...]
    """Where in the schema, as JSON pointer parts."""
    message: str


@dataclass(frozen=True, slots=True)
class _Keywords:
    single: frozenset[str]
    """Keywords whose value is a subschema (``items``, ``not``, ...)."""
    mapping: frozenset[str]
    """Keywords whose value maps names to subschemas (``properties``, ``$defs``, ...)."""
    listing: frozenset[str]
    """Keywords whose value is a list of subschemas (``allOf``, ``prefixItems``, ...)."""
    validators: dict[str, Draft202012Validator]
    """One validator per other keyword, for its value."""


def _shallow(node: Any) -> Any:
    """``node`` with every subschema position cut to "an object or a boolean"."""
    text = json.dumps(node).replace(json.dumps(_SUBSCHEMA), json.dumps(_SCHEMA_TYPE))
    return json.loads(text)


@cache
def _keywords() -> _Keywords:
    root = REGISTRY.contents(_ROOT)
    sources = [(_ROOT, root)]
    for entry in root["allOf"]:
        uri = _ROOT.rsplit("/", 1)[0] + "/" + entry["$ref"]
        sources.append((uri, REGISTRY.contents(uri)))
    single, mapping, listing = set(), set(), set()
    validators: dict[str, Draft202012Validator] = {}
    for uri, metaschema in sources:
        defs = _shallow(metaschema.get("$defs", {}))
        for keyword, constraint in metaschema.get("properties", {}).items():
            if constraint == _SUBSCHEMA:
                single.add(keyword)
            elif isinstance(constraint, dict) and constraint.get("$ref") == _SCHEMA_ARRAY["$ref"]:
                listing.add(keyword)
            elif (
                isinstance(constraint, dict)
                and constraint.get("additionalProperties") == _SUBSCHEMA
                and constraint.get("type") == "object"
            ):
                mapping.add(keyword)
            elif isinstance(shallow := _shallow(constraint), dict):
                schema = {"$id": uri, **shallow, "$defs": defs}
                validators[keyword] = Draft202012Validator(schema, registry=REGISTRY)
    for keyword in mapping:  # an object of subschemas: check "is an object" too
        validators[keyword] = Draft202012Validator({"type": "object"})
    for keyword in listing:
        validators[keyword] = Draft202012Validator({"type": "array", "minItems": 1})
    return _Keywords(frozenset(single), frozenset(mapping), frozenset(listing), validators)


def _memo_key(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return (type(value), value)
    return json.dumps(value, sort_keys=True)


_SIMPLE_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})


def _is_string(value: Any) -> bool:
    return type(value) is str


def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _is_type(value: Any) -> bool:
    if type(value) is str:
        return value in _SIMPLE_TYPES
    return (
        type(value) is list
        and 0 < len(value) == len(set(value))
        and all(type(item) is str and item in _SIMPLE_TYPES for item in value)
    )


def _is_names(value: Any) -> bool:
    return (
        type(value) is list
        and all(type(item) is str for item in value)
        and len(set(value)) == len(value)
    )


_FAST: dict[str, Callable[[Any], bool]] = {
    **dict.fromkeys(
        (
            *("title", "description", "format", "$comment", "contentEncoding"),
            *("contentMediaType", "pattern", "$ref", "$schema", "$dynamicRef"),
        ),
        _is_string,
    ),
    **dict.fromkeys(
        ("readOnly", "writeOnly", "deprecated", "uniqueItems"), lambda v: v is True or v is False
    ),
    **dict.fromkeys(("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"), _is_number),
    **dict.fromkeys(
        (
            *("maxLength", "minLength", "maxItems", "minItems", "maxProperties"),
            *("minProperties", "maxContains", "minContains"),
        ),
        _is_count,
    ),
    **dict.fromkeys(("enum", "examples"), lambda v: type(v) is list),
    **dict.fromkeys(
        ("allOf", "anyOf", "oneOf", "prefixItems"), lambda v: type(v) is list and v != []
    ),
    **dict.fromkeys(
        ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas"),
        lambda v: type(v) is dict,
    ),
    "multipleOf": lambda v: _is_number(v) and v > 0,
    "required": _is_names,
    "type": _is_type,
}
"""Keyword values the meta-schema surely accepts, told cheaply (formats are not asserted by it).
A value these reject goes to the keyword's validator, which gives the errors, if any."""


def _never(value: Any) -> bool:
    return False


_SUBSCHEMAS, _MAP, _LIST, _REF, _VALUE = range(5)


@dataclass
class SchemaCheck:
    """The result of checking one schema: metaschema errors, and every ``$ref`` with its place."""

    errors: list[MetaschemaError]
    refs: list[tuple[tuple[str | int, ...], str]]


class MetaschemaChecker:
    """Checks schemas against the 2020-12 metaschema, remembering keyword values already checked.

    Use one checker for the many schemas of a version: values that recur (``"type": "string"``,
    the same ``required`` list) are then checked once.
    """

    def __init__(self) -> None:
        keywords = self._keywords = _keywords()
        self._memo: dict[tuple[str, Any], list[tuple[tuple[str | int, ...], str]]] = {}
        roles = {
            **dict.fromkeys(keywords.validators, _VALUE),
            **dict.fromkeys(keywords.single, _SUBSCHEMAS),
            **dict.fromkeys(keywords.mapping, _MAP),
            **dict.fromkeys(keywords.listing, _LIST),
            "$ref": _REF,
        }
        self._table: dict[str, tuple[Callable[[Any], bool] | None, int]] = {
            keyword: (
                _FAST.get(keyword, _never) if keyword in keywords.validators else None,
                role,
            )
            for keyword, role in roles.items()
        }

    def _value_errors(self, keyword: str, value: Any) -> list[tuple[tuple[str | int, ...], str]]:
        validator = self._keywords.validators[keyword]
        key = (keyword, _memo_key(value))
        errors = self._memo.get(key)
        if errors is None:
            errors = [(tuple(e.absolute_path), e.message) for e in validator.iter_errors(value)]
            self._memo[key] = errors
        return errors

    def check(self, schema: Any) -> SchemaCheck:
        table = self._table
        result = SchemaCheck([], [])
        stack: list[tuple[Any, tuple[str | int, ...]]] = [(schema, ())]
        while stack:
            node, path = stack.pop()
            if node is True or node is False:
                continue
            if type(node) is not dict:
                message = f"{node!r} is not of type 'object', 'boolean'"
                result.errors.append(MetaschemaError(path, message))
                continue
            for keyword, value in node.items():
                entry = table.get(keyword)
                if entry is None:
                    continue  # an annotation, or a keyword any value of which is valid
                fast, role = entry
                if fast is not None and not fast(value):
                    errors = self._value_errors(keyword, value)
                    if errors:
                        result.errors.extend(
                            MetaschemaError((*path, keyword, *where), message)
                            for where, message in errors
                        )
                        continue
                if role == _VALUE:
                    continue
                if role == _REF:
                    result.refs.append(((*path, keyword), value))
                elif role == _SUBSCHEMAS:
                    stack.append((value, (*path, keyword)))
                elif role == _MAP:
                    stack.extend((sub, (*path, keyword, name)) for name, sub in value.items())
                else:
                    stack.extend((sub, (*path, keyword, i)) for i, sub in enumerate(value))
        return result


def iter_metaschema_errors(schema: Any) -> Iterator[MetaschemaError]:
    """Every way ``schema`` breaks the 2020-12 metaschema, with its location."""
    yield from MetaschemaChecker().check(schema).errors
