"""OpenAPI Schema Objects -> JSON Schema 2020-12.

Swagger 2.0 and OpenAPI 3.0 speak a dialect of JSON Schema draft 4/5; 3.1 speaks 2020-12.
``SchemaConverter`` turns any of them into a schema that passes ``Draft202012Validator.check_schema``:

- 3.0 (and Swagger 2.0's ``x-nullable``): ``nullable: true`` adds ``"null"`` to ``type`` (and
  ``None`` to ``enum``), or, when the schema has a ``$ref`` or a combinator, wraps it as
  ``anyOf: [<schema>, {"type": "null"}]``; ``example`` becomes ``examples: [example]``.
- Swagger 2.0: ``type: file`` becomes ``type: string, format: binary``; a ``discriminator`` naming a
  property becomes ``{"propertyName": ...}``.
- All: a boolean ``exclusiveMinimum``/``exclusiveMaximum`` takes the numeric form; an ``items``
  array becomes ``prefixItems``; ``$id`` is kept as the annotation ``x-$id`` (a base URI would break
  the definition refs); annotations (``discriminator``, ``xml``, ``externalDocs``, ``x-*``) are kept;
  a required property marked ``readOnly`` or ``writeOnly`` is no longer required (it is required in
  one direction only, and a definition serves both).
- A keyword whose value the 2020-12 meta-schema rejects (a ``pattern`` Python's ``re`` cannot compile,
  ``type: file`` in 3.x, ``required: true``, a negative ``minLength``...) is dropped with a finding.
- ``$ref``s become references to definitions or are inlined (see ``schemarefs``). A reference that
  names nothing becomes a schema that accepts anything, with a ``description`` saying why, and an
  ``unresolvable-ref`` finding.

Limits: a chain of inlined references to references may be ``settings.max_ref_chain`` long, and the
converted schemas may hold ``settings.max_schema_nodes`` nodes in all, counted as if every inlined
schema were copied (references that fan out exponentially): beyond, ``BadReference``. Schemas nested
deeper than ``MAX_DEPTH`` (an inlined reference counts as a level) are cut, and annotation values
nested deeper than ``ANNOTATION_DEPTH`` dropped, with a ``schema-too-deep`` finding.

Each source schema is converted once (memoised by object identity), and the input is never mutated.
Converted schemas share sub-objects with each other and leaf values (``enum`` lists, examples,
``x-*`` values) with the document: treat them as read-only, or deep-copy the version first. The
examples met on the way are kept in ``examples`` (location, value, converted schema) for
``examples.check_examples``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from connectory.errors import BadReference
from connectory.model.version import JsonSchema
from connectory.settings import Settings

from . import _keywords as kw
from ._refs import Loc, document_of, render
from ._schemacheck import SchemaChecks
from ._schemaforms import (
    is_same_object,
    nested_deeper,
    nullable_form,
    placeholder,
    relax_directional,
    same,
)
from ._schemarefs import SchemaRefs
from .findings import Findings, shorten

__all__ = ["MAX_DEPTH", "SchemaConverter"]

MAX_DEPTH = 40
"""Deeper schemas are cut (references count as a level): real ones stay under 20 levels, and
jsonschema recurses per level."""
ANNOTATION_DEPTH = 48
"""Annotation values (``x-*``, ``example``, ``enum``...) nested deeper are dropped: real documents
are under 35 levels in all, and a version must stay serialisable (pydantic stops at 255 levels)."""

_SCHEMA = (dict, bool, Mapping)
_BOUNDS = {"exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"}
_STRINGS = frozenset(key for key, kind in kw.KINDS.items() if kind == kw.STRING)
"""``title``, ``description``, ``format``...: a string is kept as it is (``_string``)."""


class _Node:
    """The state of the walk over one schema: what its keywords' handlers build."""

    __slots__ = ("depth", "examples", "exclusive", "inlined", "loc", "out", "size")

    def __init__(self, loc: Loc, depth: int) -> None:
        self.loc = loc
        self.depth = depth
        self.out: dict[str, Any] = {}
        self.size = 1
        """Nodes in the converted schema, counted as if every inlined schema were copied."""
        self.inlined: JsonSchema | None = None
        """The converted schema a ``$ref`` inlines (merged with the other keywords' at the end)."""
        self.exclusive: tuple[str, ...] = ()
        """Draft-4 boolean ``exclusiveMinimum``/``exclusiveMaximum`` set to ``true``."""
        self.examples: tuple[tuple[Loc, Any], ...] = ()
        """(Tuples: most schemas have neither, and a walk makes one ``_Node`` per schema.)"""


_Handler = Callable[[_Node, str, Any], None]


class SchemaConverter:
    """Converts the schemas of one description; collects what is wrong with them as findings."""

    def __init__(self, refs: SchemaRefs, *, version: str, settings: Settings) -> None:
        self.refs = refs
        self.findings: Findings = refs.resolver.findings
        self.checks = SchemaChecks(self.findings)
        self.openapi_30 = version != "3.1"
        """3.0 and Swagger 2.0 share the draft-4 dialect: ``nullable``, ``example``."""
        self.swagger = version == "2.0"
        self.settings = settings
        self.examples: list[tuple[Loc, Any, JsonSchema]] = []
        self.simple: dict[int, tuple[Any, Any, JsonSchema]] = {}
        """Swagger 2.0: the schema of each parameter or header, by the object's identity."""
        self._memo: dict[int, JsonSchema] = {}
        self._locations: dict[int, str] = {}
        self._active: set[int] = set()
        self._sizes: dict[int, int] = {}
        self._spent = 0
        self._document = ""
        self._chain = 0
        self._deep: dict[int, bool] = {}
        by_kind = self._dispatch()
        self._handlers = {key: by_kind[kind] for key, kind in kw.KINDS.items()}
        """The handler of each keyword; any other key is an annotation."""

    def convert(self, schema: Any, location: str) -> JsonSchema:
        """The 2020-12 form of the schema found at ``location`` (converted once, then remembered)."""
        key = id(schema)
        converted = self._memo.get(key)
        if converted is None:
            saved, self._document = self._document, document_of(location)
            self._active.add(key)
            self._locations[key] = location
            try:
                converted = self._walk(schema, location, 0)
            finally:
                self._active.discard(key)
                self._document = saved
            self._memo[key] = converted
        self._spend(self._sizes.get(id(converted), 1), location)
        return converted

    def _spend(self, size: int, location: Loc) -> None:
        self._spent += size
        if self._spent > self.settings.max_schema_nodes or size > self.settings.max_schema_nodes:
            raise BadReference(
                f"the schemas expand to more than {self.settings.max_schema_nodes:,} nodes once "
                "their references are inlined (references that fan out); raise "
                "CONNECTORY_MAX_SCHEMA_NODES if you trust the document",
                location=render(location),
            )

    # -- the walk ---------------------------------------------------------------------------------

    def _walk(self, schema: Any, loc: Loc, depth: int) -> JsonSchema:
        if type(schema) is not dict:
            if schema is True or schema is False:
                return schema
            if not isinstance(schema, Mapping):
                self.checks.invalid(
                    loc, f"a schema must be an object or a boolean: {shorten(schema)}"
                )
                return placeholder("the document's schema here is not a schema")
        if depth > MAX_DEPTH:
            self.findings.error(
                "schema-too-deep", render(loc), f"schema nested deeper than {MAX_DEPTH} levels"
            )
            return placeholder("the document's schema is nested too deeply")
        node = _Node(loc, depth)
        out, strings = node.out, _STRINGS
        handler, annotation = self._handlers.get, self._annotation
        for raw_key, value in schema.items():
            key = raw_key if type(raw_key) is str else str(raw_key)  # YAML: maybe not a string
            if type(value) is str and key in strings:  # the commonest case, without a call
                out[key] = value
            else:
                handler(key, annotation)(node, key, value)
        return self._result(schema, node)

    def _result(self, schema: Mapping[str, Any], node: _Node) -> JsonSchema:
        """The converted schema, once each keyword of ``schema`` has been through its handler."""
        out, loc, size, inlined = node.out, node.loc, node.size, node.inlined
        for key in node.exclusive:
            if _BOUNDS[key] in out:
                out[key] = out.pop(_BOUNDS[key])
            else:
                self.checks.invalid((loc, key), f"{key}: true without {_BOUNDS[key]}: dropped")
        if "required" in out and "properties" in out:
            relax_directional(out)
        nullable = (
            self.openapi_30 and schema.get("x-nullable" if self.swagger else "nullable") is True
        )
        result: JsonSchema
        if inlined is not None and not out and not nullable:
            result = inlined
        else:
            if inlined is not None:
                out["allOf"] = [inlined, *out.get("allOf", ())]
            if nullable:
                result = nullable_form(out)
            elif inlined is None and isinstance(schema, dict) and same(out, schema):
                result = schema  # nothing to change: share the document's own object
            else:
                result = out
            if size > self.settings.max_schema_nodes:
                self._spend(size, loc)
            if size > 1 or nullable:  # a leaf counts 1: not stored
                self._sizes[id(result)] = size + nullable
        for where, value in node.examples:
            self.examples.append((where, value, result))
        return result

    # -- one handler per kind of keyword (see ``_dispatch``) --------------------------------------

    def _dispatch(self) -> dict[int, _Handler]:
        """The handler of each kind of keyword (any other key is an annotation)."""
        return {
            kw.STRING: self._string,
            kw.TYPE: self._type,
            kw.MAP: self._map,
            kw.REF: self._reference,
            kw.SUB: self._sub,
            kw.ITEMS: self._items,
            kw.LIST: self._schema_list,
            kw.EXAMPLES: self._examples,
            kw.EXCLUSIVE: self._exclusive,
            kw.DEPENDENCIES: self._dependencies,
            kw.DISCRIMINATOR: self._discriminator,
            kw.ENUM: self._enum,
            **dict.fromkeys(
                (
                    kw.NON_NEGATIVE,
                    kw.NUMBER,
                    kw.POSITIVE,
                    kw.BOOL,
                    kw.ANCHOR,
                    kw.REQUIRED,
                    kw.PATTERN,
                    kw.DEPENDENT_REQUIRED,
                    kw.ID,
                    kw.VOCABULARY,
                ),
                self._checked,
            ),
        }

    def _annotation(self, node: _Node, key: str, value: Any) -> None:
        """x-*, xml, externalDocs, example...: kept (3.0's ``example`` as ``examples``)."""
        if (type(value) is dict or type(value) is list) and self._too_deep(value, (node.loc, key)):
            return
        if key == "example":
            node.examples += (((node.loc, key), value),)
            if not self.openapi_30:
                node.out[key] = value  # 3.1: a deprecated annotation
            else:
                node.out["examples"] = [*node.out.get("examples", ()), value]
        elif not self.openapi_30 or key != "nullable":
            node.out[key] = value

    def _string(self, node: _Node, key: str, value: Any) -> None:
        if type(value) is str:
            node.out[key] = value
        else:
            self.checks.keyword(kw.STRING, key, value, node.loc, node.out)

    def _checked(self, node: _Node, key: str, value: Any) -> None:
        self.checks.keyword(kw.KINDS[key], key, value, node.loc, node.out)

    def _enum(self, node: _Node, key: str, value: Any) -> None:
        if (type(value) is dict or type(value) is list) and self._too_deep(value, (node.loc, key)):
            return
        self.checks.keyword(kw.ENUM, key, value, node.loc, node.out)

    def _type(self, node: _Node, key: str, value: Any) -> None:
        if type(value) is str and value in kw.SIMPLE_TYPES:
            node.out[key] = value
        elif value == "file" and self.swagger:
            node.out[key] = "string"
            node.out.setdefault("format", "binary")
        else:
            self.checks.type(value, node.loc, node.out)

    def _map(self, node: _Node, key: str, value: Any) -> None:
        """``properties`` and the like: an object of schemas."""
        if type(value) is not dict and not isinstance(value, Mapping):
            self.checks.drop(key, value, node.loc, "an object of schemas")
            return
        where = (node.loc, key)
        converted = {}
        patterns = key == "patternProperties"
        walk, sizes, depth, size = self._walk, self._sizes, node.depth + 1, 0
        for name, sub in value.items():
            if patterns and not self.checks.regex(str(name), (where, name)):
                continue
            converted[str(name)] = schema = walk(sub, (where, name), depth)
            size += sizes.get(id(schema), 1)
        node.size += size
        node.out[key] = value if same(converted, value) else converted

    def _reference(self, node: _Node, key: str, value: Any) -> None:
        ref = self._ref(value, node.loc, node.depth)
        if isinstance(ref, dict) and len(ref) == 1 and "$ref" in ref:
            node.out.update(ref)
        else:
            node.inlined = ref
            node.size += self._sizes.get(id(ref), 1)

    def _sub(self, node: _Node, key: str, value: Any) -> None:
        """``not``, ``additionalProperties`` and the like: one schema."""
        if (
            type(value) is dict
            or type(value) is list
            or value is True
            or value is False
            or isinstance(value, Mapping)
        ):
            node.out[key] = sub = self._walk(value, (node.loc, key), node.depth + 1)
            node.size += self._sizes.get(id(sub), 1)
        else:
            self.checks.drop(key, value, node.loc, "a schema")

    def _items(self, node: _Node, key: str, value: Any) -> None:
        """``items``: one schema, or (a 3.0-era tuple) a list of them."""
        if type(value) is list:
            self._schema_list(node, key, value)
        else:
            self._sub(node, key, value)

    def _examples(self, node: _Node, key: str, value: Any) -> None:
        loc, out = node.loc, node.out
        if (type(value) is dict or type(value) is list) and self._too_deep(value, (loc, key)):
            return
        if type(value) is list:
            out[key] = [*value, *out[key]] if key in out else value
            node.examples += tuple((((loc, key), index), item) for index, item in enumerate(value))
        else:
            out["x-examples"] = value

    def _exclusive(self, node: _Node, key: str, value: Any) -> None:
        if value is True:
            node.exclusive += (key,)  # the bound's numeric form, once the walk has it
        elif kw.is_number(value):
            node.out[key] = value
        elif value is not False:
            self.checks.drop(key, value, node.loc, "a number")

    def _discriminator(self, node: _Node, key: str, value: Any) -> None:
        node.out[key] = self.refs.discriminator(
            value, self._document, (node.loc, key), self.swagger
        )

    def _schema_list(self, node: _Node, key: str, value: Any) -> None:
        loc, out = node.loc, node.out
        target = "prefixItems" if key == "items" else key  # a 3.0-era tuple ``items``
        if not isinstance(value, list) or not value:
            if value != [] or key != "items":
                self.checks.drop(key, value, loc, "a non-empty array of schemas")
            return
        where = (loc, key)
        items = []
        for index, sub in enumerate(value):
            if isinstance(sub, _SCHEMA):
                items.append(self._walk(sub, (where, index), node.depth + 1))
            else:
                self.checks.invalid((where, index), f"not a schema: {shorten(sub)}: dropped")
        if items:
            if target in out:
                out[target] = [*items, *out[target]]
            elif (
                target == key
                and len(items) == len(value)
                and all(map(is_same_object, items, value))
            ):
                out[target] = value
            else:
                out[target] = items
        node.size += sum(self._sizes.get(id(item), 1) for item in items)

    def _dependencies(self, node: _Node, key: str, value: Any) -> None:
        if not isinstance(value, Mapping):
            self.checks.drop(key, value, node.loc, "an object")
            return
        where = (node.loc, key)
        converted: dict[str, Any] = {}
        for name, sub in value.items():
            if kw.is_string_set(sub):
                converted[str(name)] = sub
            elif isinstance(sub, _SCHEMA):
                converted[str(name)] = schema = self._walk(sub, (where, name), node.depth + 1)
                node.size += self._sizes.get(id(schema), 1)
            else:
                self.checks.invalid((where, name), f"not a schema or names: {shorten(sub)}")
        node.out[key] = converted

    # -- references -------------------------------------------------------------------------------

    def _too_deep(self, value: Any, loc: Loc) -> bool:
        """Whether an annotation value nests deeper than ``ANNOTATION_DEPTH`` (then: a finding)."""
        if not isinstance(value, dict | list):
            return False
        deep = self._deep.get(id(value))
        if deep is None:
            deep = self._deep[id(value)] = nested_deeper(value, ANNOTATION_DEPTH)
        if deep:
            self.findings.warning(
                "schema-too-deep",
                render(loc),
                f"a value nested deeper than {ANNOTATION_DEPTH} levels: dropped",
            )
        return deep

    def _ref(self, ref: Any, loc: Loc, depth: int) -> JsonSchema:
        """``{"$ref": <definition>}``, or the converted schema to inline in place of ``ref``."""
        if isinstance(ref, str) and self._document == "":
            definition = self.refs.component_ref(ref)
            if definition is not None:
                return definition
        where = render((loc, "$ref"))
        if not isinstance(ref, str):
            self.findings.error("unresolvable-ref", where, f"$ref is not a string: {shorten(ref)}")
            return placeholder("its $ref is not a string")
        target = self.refs.resolve(ref, self._document, where)
        if target.definition is not None:
            return target.definition
        if target.location == "":
            message = f"reference {ref!r} cannot be resolved: {target.problem}"
            self.findings.error("unresolvable-ref", where, message)
            return placeholder(f"the reference {ref!r} cannot be resolved")
        key = id(target.value)
        if key in self._active:  # a reference back into a schema being converted: recursion
            return self.refs.promote(target.value, self._locations.get(key, target.location))
        converted = self._memo.get(key)
        if converted is None:
            # A reference to a reference continues a chain (bounded); any other nests a level.
            value = target.value
            alias = isinstance(value, Mapping) and len(value) == 1 and "$ref" in value
            chain = self._chain + 1 if alias else 0
            if chain > self.settings.max_ref_chain:
                raise BadReference(
                    f"more than {self.settings.max_ref_chain} references to references in a "
                    "row lead here",
                    location=where,
                )
            self._active.add(key)
            self._locations[key] = target.location
            saved, self._document = self._document, document_of(target.location)
            saved_chain, self._chain = self._chain, chain
            try:
                converted = self._walk(value, target.location, depth if alias else depth + 1)
            finally:
                self._active.discard(key)
                self._document = saved
                self._chain = saved_chain
            self._memo[key] = converted
        promoted = self.refs.promoted(self._locations[key])
        if promoted is not None:
            return promoted
        if isinstance(converted, dict):
            return converted
        wrapped = {"allOf": [converted]}
        self._sizes[id(wrapped)] = 2
        return wrapped
