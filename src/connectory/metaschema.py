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
from collections.abc import Iterator
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
        self._keywords = _keywords()
        self._memo: dict[tuple[str, Any], list[tuple[tuple[str | int, ...], str]]] = {}

    def _value_errors(self, keyword: str, value: Any) -> list[tuple[tuple[str | int, ...], str]]:
        validator = self._keywords.validators[keyword]
        key = (keyword, _memo_key(value))
        errors = self._memo.get(key)
        if errors is None:
            errors = [(tuple(e.absolute_path), e.message) for e in validator.iter_errors(value)]
            self._memo[key] = errors
        return errors

    def check(self, schema: Any) -> SchemaCheck:
        keywords = self._keywords
        result = SchemaCheck([], [])
        stack: list[tuple[Any, tuple[str | int, ...]]] = [(schema, ())]
        while stack:
            node, path = stack.pop()
            if isinstance(node, bool):
                continue
            if not isinstance(node, dict):
                message = f"{node!r} is not of type 'object', 'boolean'"
                result.errors.append(MetaschemaError(path, message))
                continue
            for keyword, value in node.items():
                if keyword in keywords.validators:
                    errors = self._value_errors(keyword, value)
                    if errors:
                        result.errors.extend(
                            MetaschemaError((*path, keyword, *where), message)
                            for where, message in errors
                        )
                        continue
                if keyword == "$ref":
                    result.refs.append(((*path, keyword), value))
                elif keyword in keywords.single:
                    stack.append((value, (*path, keyword)))
                elif keyword in keywords.mapping:
                    stack.extend((sub, (*path, keyword, name)) for name, sub in value.items())
                elif keyword in keywords.listing:
                    stack.extend((sub, (*path, keyword, i)) for i, sub in enumerate(value))
        return result


def iter_metaschema_errors(schema: Any) -> Iterator[MetaschemaError]:
    """Every way ``schema`` breaks the 2020-12 metaschema, with its location."""
    yield from MetaschemaChecker().check(schema).errors
