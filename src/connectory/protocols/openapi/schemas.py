"""OpenAPI Schema Objects -> JSON Schema 2020-12.

OpenAPI 3.0 speaks a dialect of JSON Schema draft 4/5; 3.1 speaks 2020-12. ``SchemaConverter`` turns
either into a schema that passes ``Draft202012Validator.check_schema``:

- 3.0 only: ``nullable: true`` adds ``"null"`` to ``type`` (and ``None`` to ``enum``), or, when the
  schema has a ``$ref`` or a combinator, wraps it as ``anyOf: [<schema>, {"type": "null"}]``;
  ``example`` becomes ``examples: [example]``.
- Both: a boolean ``exclusiveMinimum``/``exclusiveMaximum`` takes the numeric form; an ``items``
  array becomes ``prefixItems``; ``$id`` is kept as the annotation ``x-$id`` (a base URI would break
  the definition refs); annotations (``discriminator``, ``xml``, ``externalDocs``, ``x-*``) are kept.
- A keyword whose value the 2020-12 meta-schema rejects (a ``pattern`` Python's ``re`` cannot compile,
  ``type: file``, ``required: true``, a negative ``minLength``...) is dropped with a finding.
- ``$ref: "#/components/schemas/X"`` becomes ``{"$ref": definition_uri("X")}``: refs are kept, so
  recursive schemas stay recursive. Any other internal ``$ref`` is resolved and its converted target
  inlined (a loop there becomes ``{}`` and a finding). An external or dangling ``$ref`` becomes a schema
  that accepts anything, with a ``description`` saying why, and a finding.

Each source schema is converted once (memoised by object identity), and the input is never mutated.
Converted schemas share sub-objects with each other and leaf values (``enum`` lists, examples,
``x-*`` values) with the document: treat them as read-only, or deep-copy the version first.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from typing import Any

from connectory.model import JsonSchema, definition_uri

from . import keywords as kw
from .findings import Findings, shorten
from .refs import Loc, Resolver, parse_ref, render

__all__ = ["SchemaConverter"]

MAX_DEPTH = 64
"""Deeper schemas are cut: real ones stay under 30 levels, and jsonschema recurses per level."""

_SCHEMA = (dict, bool, Mapping)
_COMBINATORS = ("$ref", "allOf", "anyOf", "oneOf", "not")
_HOISTED = ("title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly")
_BOUNDS = {"exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"}
_SIMPLE = {
    kw.STRING: ("a string", lambda v: isinstance(v, str)),
    kw.BOOL: ("a boolean", lambda v: isinstance(v, bool)),
    kw.NUMBER: ("a number", kw.is_number),
    kw.NON_NEGATIVE: ("a non-negative integer", kw.is_non_negative_integer),
    kw.POSITIVE: ("a number > 0", lambda v: kw.is_number(v) and v > 0),
    kw.ANCHOR: ("an anchor name", lambda v: isinstance(v, str) and kw.ANCHOR_NAME.fullmatch(v)),
    kw.ENUM: ("an array", lambda v: isinstance(v, list)),
    kw.DEPENDENT_REQUIRED: (
        "an object of property-name arrays",
        lambda v: isinstance(v, Mapping) and all(map(kw.is_string_set, v.values())),
    ),
}


def _placeholder(reason: str) -> dict[str, Any]:
    return {"description": f"Accepts anything: {reason}."}


class SchemaConverter:
    """Converts the schemas of one document; collects what is wrong with them as findings."""

    def __init__(self, resolver: Resolver, *, openapi_30: bool) -> None:
        self.resolver = resolver
        self.findings: Findings = resolver.findings
        self.openapi_30 = openapi_30
        components = resolver.document.get("components")
        schemas = components.get("schemas") if isinstance(components, Mapping) else None
        self.component_names: frozenset[str] = frozenset(
            schemas if isinstance(schemas, Mapping) else ()
        )
        self._memo: dict[int, JsonSchema] = {}
        self._active: set[int] = set()
        self._definition_refs: dict[str, dict[str, str]] = {}
        self._patterns: dict[str, str | None] = {}

    def convert(self, schema: Any, location: str) -> JsonSchema:
        """The 2020-12 form of the schema found at ``location`` (converted once, then remembered)."""
        key = id(schema)
        converted = self._memo.get(key)
        if converted is None:
            self._active.add(key)
            try:
                converted = self._walk(schema, location, 0)
            finally:
                self._active.discard(key)
            self._memo[key] = converted
        return converted

    # -- the walk ---------------------------------------------------------------------------------

    def _walk(self, schema: Any, loc: Loc, depth: int) -> JsonSchema:
        if not isinstance(schema, dict):
            if isinstance(schema, bool):
                return schema
            if not isinstance(schema, Mapping):
                self._invalid(loc, f"a schema must be an object or a boolean: {shorten(schema)}")
                return _placeholder("the document's schema here is not a schema")
        if depth > MAX_DEPTH:
            self.findings.error(
                "schema-too-deep", render(loc), f"schema nested deeper than {MAX_DEPTH} levels"
            )
            return _placeholder("the document's schema is nested too deeply")
        out: dict[str, Any] = {}
        inlined: JsonSchema | None = None
        exclusive: list[str] = []
        kinds, openapi_30, walk = kw.KINDS, self.openapi_30, self._walk
        for raw_key, value in schema.items():
            key = raw_key if isinstance(raw_key, str) else str(raw_key)  # YAML: maybe not a string
            kind = kinds.get(key)
            if kind is None:
                if not openapi_30:
                    out[key] = value  # an annotation: x-*, xml, externalDocs, example...
                elif key == "example":
                    out["examples"] = [*out.get("examples", ()), value]
                elif key != "nullable":
                    out[key] = value
            elif kind == kw.TYPE:
                if isinstance(value, str) and value in kw.SIMPLE_TYPES:
                    out[key] = value
                else:
                    self._type(value, loc, out)
            elif kind == kw.MAP:
                if isinstance(value, Mapping):
                    where = (loc, key)
                    out[key] = {
                        str(name): walk(sub, (where, name), depth + 1)
                        for name, sub in value.items()
                        if key != "patternProperties" or self._regex(str(name), (where, name))
                    }
                else:
                    self._drop(key, value, loc, "an object of schemas")
            elif kind == kw.REF:
                ref, is_definition = self._ref(value, loc, depth)
                if is_definition:
                    out.update(ref)
                else:
                    inlined = ref
            elif kind == kw.SUB or (kind == kw.ITEMS and not isinstance(value, list)):
                if isinstance(value, _SCHEMA):
                    out[key] = walk(value, (loc, key), depth + 1)
                else:
                    self._drop(key, value, loc, "a schema")
            elif kind == kw.LIST or kind == kw.ITEMS:
                self._schema_list(key, value, loc, depth, out)
            elif kind in _SIMPLE:
                expected, check = _SIMPLE[kind]
                if check(value):
                    out[key] = value
                else:
                    self._drop(key, value, loc, expected)
            elif kind == kw.REQUIRED:
                if isinstance(value, list) and all(isinstance(item, str) for item in value):
                    out[key] = list(dict.fromkeys(value))
                else:
                    self._drop(key, value, loc, "an array of property names")
            elif kind == kw.EXAMPLES:
                if isinstance(value, list):
                    out[key] = [*value, *out.get(key, ())]
                else:
                    out["x-examples"] = value
            elif kind == kw.PATTERN:
                if not isinstance(value, str):
                    self._drop(key, value, loc, "a string")
                elif self._regex(value, (loc, key)):
                    out[key] = value
            elif kind == kw.EXCLUSIVE:
                if value is True:
                    exclusive.append(key)
                elif kw.is_number(value):
                    out[key] = value
                elif value is not False:
                    self._drop(key, value, loc, "a number")
            elif kind == kw.DEPENDENCIES:
                self._dependencies(value, loc, depth, out)
            elif kind == kw.ID:
                out["x-$id"] = value
            elif kind == kw.DISCRIMINATOR:
                out[key] = self._discriminator(value)
            # kw.VOCABULARY only means something in a meta-schema: dropped.
        for key in exclusive:
            if _BOUNDS[key] in out:
                out[key] = out.pop(_BOUNDS[key])
            else:
                self._invalid((loc, key), f"{key}: true without {_BOUNDS[key]}: dropped")
        nullable = openapi_30 and schema.get("nullable") is True
        if inlined is not None:
            if not out and not nullable:
                return inlined
            out["allOf"] = [inlined, *out.get("allOf", ())]
        return self._nullable(out) if nullable else out

    def _type(self, value: Any, loc: Loc, out: dict[str, Any]) -> None:
        names = value if isinstance(value, list) else [value]
        valid = [name for name in names if isinstance(name, str) and name in kw.SIMPLE_TYPES]
        if len(valid) != len(names) or not valid:
            self._invalid(
                (loc, "type"),
                f"type {shorten(value)} is not one of {sorted(kw.SIMPLE_TYPES)}: "
                + ("kept the valid names" if valid else "dropped"),
            )
        if valid:
            out["type"] = list(dict.fromkeys(valid)) if isinstance(value, list) else valid[0]

    def _nullable(self, out: dict[str, Any]) -> dict[str, Any]:
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

    def _schema_list(self, key: str, value: Any, loc: Loc, depth: int, out: dict[str, Any]) -> None:
        target = "prefixItems" if key == "items" else key  # a 3.0-era tuple ``items``
        if not isinstance(value, list) or not value:
            if value != [] or key != "items":
                self._drop(key, value, loc, "a non-empty array of schemas")
            return
        where = (loc, key)
        items = []
        for index, sub in enumerate(value):
            if isinstance(sub, _SCHEMA):
                items.append(self._walk(sub, (where, index), depth + 1))
            else:
                self._invalid((where, index), f"not a schema: {shorten(sub)}: dropped")
        if items:
            out[target] = [*items, *out.get(target, ())]

    def _dependencies(self, value: Any, loc: Loc, depth: int, out: dict[str, Any]) -> None:
        if not isinstance(value, Mapping):
            self._drop("dependencies", value, loc, "an object")
            return
        where = (loc, "dependencies")
        converted: dict[str, Any] = {}
        for name, sub in value.items():
            if kw.is_string_set(sub):
                converted[str(name)] = sub
            elif isinstance(sub, _SCHEMA):
                converted[str(name)] = self._walk(sub, (where, name), depth + 1)
            else:
                self._invalid((where, name), f"not a schema or names: {shorten(sub)}")
        out["dependencies"] = converted

    # -- references -------------------------------------------------------------------------------

    def _ref(self, ref: Any, loc: Loc, depth: int) -> tuple[dict[str, Any], bool]:
        """The schema ``ref`` stands for, and whether it is a definition ref (else: to inline)."""
        if isinstance(ref, str) and ref in self._definition_refs:
            return self._definition_refs[ref], True
        where = render((loc, "$ref"))
        if not isinstance(ref, str):
            self.findings.error("unresolvable-ref", where, f"$ref is not a string: {shorten(ref)}")
            return _placeholder("its $ref is not a string"), False
        tokens = parse_ref(ref)
        if tokens is None:
            message = f"external reference {ref!r} is not supported"
            self.findings.error("unresolvable-ref", where, message)
            return _placeholder(f"the external reference {ref!r} is not resolved"), False
        name = tokens[2] if len(tokens) == 3 and tokens[:2] == ["components", "schemas"] else None
        if name is not None and name in self.component_names:
            converted = self._definition_refs[ref] = {"$ref": definition_uri(name)}
            return converted, True
        found, target, target_location = self.resolver.lookup(ref)
        if not found:
            message = f"reference {ref!r} names nothing in the document"
            self.findings.error("unresolvable-ref", where, message)
            return _placeholder(f"the reference {ref!r} names nothing"), False
        key = id(target)
        if key in self._active:
            message = f"reference {ref!r} loops back into the schema that holds it"
            self.findings.error("ref-cycle", where, message)
            return _placeholder(f"the reference {ref!r} loops"), False
        converted = self._memo.get(key)
        if converted is None:
            self._active.add(key)
            try:
                converted = self._walk(target, target_location, depth + 1)
            finally:
                self._active.discard(key)
            self._memo[key] = converted
        return (converted if isinstance(converted, dict) else {"allOf": [converted]}), False

    def _discriminator(self, value: Any) -> Any:
        mapping = value.get("mapping") if isinstance(value, Mapping) else None
        if not isinstance(mapping, Mapping):
            return value
        rewritten = {}
        for name, target in mapping.items():
            tokens = parse_ref(target) if isinstance(target, str) else None
            if tokens and len(tokens) == 3 and tokens[:2] == ["components", "schemas"]:
                rewritten[name] = definition_uri(tokens[2])
            else:
                rewritten[name] = target
        return {**value, "mapping": rewritten}

    # -- checks -----------------------------------------------------------------------------------

    def _regex(self, pattern: str, loc: Loc) -> bool:
        if pattern not in self._patterns:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # FutureWarning: "possible nested set"
                    re.compile(pattern)
                self._patterns[pattern] = None
            except (re.error, OverflowError, RecursionError) as error:
                self._patterns[pattern] = str(error)
        error = self._patterns[pattern]
        if error is not None:
            self.findings.warning(
                "invalid-pattern",
                render(loc),
                f"{pattern!r} is not a regular expression Python can compile ({error}): dropped",
            )
        return error is None

    def _drop(self, key: str, value: Any, loc: Loc, expected: str) -> None:
        self._invalid((loc, key), f"{key} must be {expected}, not {shorten(value)}: dropped")

    def _invalid(self, loc: Loc, message: str) -> None:
        self.findings.warning("invalid-schema", render(loc), message)
