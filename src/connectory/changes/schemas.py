"""Structural comparison of two JSON Schemas (2020-12), each side with its own version's definitions.

``SchemaComparer.compare(old, new, location, direction)`` reports what changed between two schemas
for data flowing in ``direction`` (see ``report``: narrowing an input or widening an output is what
hurts). It walks both schemas together:

- ``{"$ref": "urn:connectory:definition:<name>[#<pointer>]"}`` on both sides: the pair of targets
  is queued and compared once per direction (a memo of ``(old target, new target, direction)``,
  which also stops cycles), at ``definitions/<new name><pointer>``; ``run()`` drains the queue, so
  long chains of references never deepen the Python stack. A reference on one side only is
  followed in place. An XSD definition is compared through its JSON Schema mirror (SOAP refers
  into it: ``...:types.xsd#/$defs/element:Add``), or as text when it has none.
- Equal subschemas cost one ``==``; the definitions they refer to are still compared.
- Nullability is split off first (``keywords.split_null``) and compared as a flag.
- Properties are matched by name; ``required`` as sets; ``additionalProperties`` by openness, else
  as a schema; ``anyOf``/``oneOf`` members by equality, definition, then type (``keywords.match``);
  a plain schema against alternatives (``X`` -> ``anyOf: [X, Y]``) is matched with its best one.
- In input, ``readOnly`` properties are not compared (callers do not send them); in output,
  ``writeOnly`` ones.
- Annotations (``title``, ``description``, ``examples``, ``x-*``, ...) are not changes.

Nothing is mutated; comparing a schema with itself reports nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectory.model.version import Definition, JsonSchema
from connectory.schemas.pointer import unescape

from .keywords import (
    LEAVES,
    NOTHING,
    Schema,
    Target,
    alternatives,
    best,
    definition_target,
    is_annotation,
    is_null,
    leaf_changes,
    match,
    schema,
    show,
    split_null,
    structural,
    unwrap,
)
from .report import Direction, Report, child

__all__ = ["SchemaComparer"]

MAX_DEPTH = 64
"""Nesting followed within one schema (definitions restart the count: they are queued)."""

_WALKED = frozenset(
    {"$ref", "properties", "required", "additionalProperties", "items", "prefixItems"}
    | {"anyOf", "oneOf", "allOf"}
)
_DATA = frozenset({"enum", "const", "default", "examples", "example"})


def _json_schema_of(definition: Definition) -> JsonSchema | None:
    if definition.format == "json-schema":
        return definition.content  # type: ignore[return-value]
    return definition.json_schema


def _xsd_text(definition: Definition) -> str:
    return " ".join(str(definition.content).split())


def _resolve(definition: Definition, pointer: str) -> Schema | None:
    """The schema at ``pointer`` (a JSON pointer, ``""`` for the whole) in ``definition``."""
    found: Any = _json_schema_of(definition)
    for token in pointer.split("/")[1:] if pointer else ():
        token = unescape(token)
        if isinstance(found, dict):
            found = found.get(token)
        elif isinstance(found, list) and token.isdigit() and int(token) < len(found):
            found = found[int(token)]
        else:
            return None
    return None if found is None or not isinstance(found, dict | bool) else schema(found)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _names(value: Any) -> set[str]:
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


class SchemaComparer:
    """Compares schemas of two versions; changes go to ``report``."""

    def __init__(
        self,
        old_definitions: Mapping[str, Definition],
        new_definitions: Mapping[str, Definition],
        report: Report,
    ) -> None:
        self._old = old_definitions
        self._new = new_definitions
        self._report = report
        self._seen: set[tuple[Target, Target, Direction]] = set()
        self._queue: list[tuple[Target, Target, Direction]] = []
        self._refs: dict[int, tuple[object, frozenset[Target]]] = {}
        self._documents: set[tuple[str, str, Direction]] = set()

    def compare(
        self, old: JsonSchema | None, new: JsonSchema | None, location: str, direction: Direction
    ) -> None:
        """Compare ``old`` with ``new`` at ``location``; the definitions they use are queued."""
        self._compare(schema(old), schema(new), location, direction, 0)

    def run(self) -> None:
        """Compare the queued pairs of definitions (and those they lead to)."""
        while self._queue:
            old_target, new_target, direction = self._queue.pop()
            self._definitions(old_target, new_target, direction)

    # -- plumbing ---------------------------------------------------------------------------------

    def _add(self, kind: str, location: str, message: str, direction: Direction) -> None:
        if location.startswith("definitions/"):
            message = f"{message} (as {direction})"
        self._report.add(kind, location, message, direction)

    def _enqueue(self, old: Target, new: Target, direction: Direction) -> None:
        key = (old, new, direction)
        if key not in self._seen:
            self._seen.add(key)
            self._queue.append(key)

    def _references(self, value: object) -> frozenset[Target]:
        """The definitions (and pointers in them) ``value`` refers to, anywhere inside it."""
        cached = self._refs.get(id(value))
        if cached is not None and cached[0] is value:
            return cached[1]
        names: set[Target] = set()
        stack = [value]
        while stack:  # schemas in a version are plain dicts and lists: exact type checks are fast
            node = stack.pop()
            if type(node) is dict:
                target = definition_target(node.get("$ref"))
                if target is not None:
                    names.add(target)
                for key, item in node.items():
                    kind = type(item)
                    if (kind is dict or kind is list) and key not in _DATA and key[:2] != "x-":
                        stack.append(item)
            elif type(node) is list:
                stack.extend(item for item in node if type(item) is dict or type(item) is list)
        found = frozenset(names)
        self._refs[id(value)] = (value, found)  # keeping the value keeps its id from reuse
        return found

    def _follow(self, value: object, direction: Direction) -> None:
        """Queue the definitions ``value`` refers to, each paired with its namesake."""
        if isinstance(value, dict | list):
            for target in self._references(value):
                self._enqueue(target, target, direction)

    def _definitions(self, old_target: Target, new_target: Target, direction: Direction) -> None:
        (old_name, _), (new_name, pointer) = old_target, new_target
        old, new = self._old.get(old_name), self._new.get(new_name)
        if old is None or new is None:
            return  # a dangling reference: validation reports it as a finding
        location = child("definitions", new_name) + pointer
        if (old_name, new_name, direction) not in self._documents:
            self._documents.add((old_name, new_name, direction))
            self._compare_documents(old, new, direction)
        old_schema, new_schema = _resolve(old, old_target[1]), _resolve(new, pointer)
        if old_schema is not None and new_schema is not None:
            self._compare(old_schema, new_schema, location, direction, 0)

    def _compare_documents(self, old: Definition, new: Definition, direction: Direction) -> None:
        """What only the definitions as wholes can say: an XSD's namespace, or its text when it
        has no JSON Schema mirror."""
        location = child("definitions", new.name)
        if old.format == "xsd" and new.format == "xsd":
            if old.namespace != new.namespace:
                message = f"namespace changed from {old.namespace!r} to {new.namespace!r}"
                self._add("namespace-changed", location, message, direction)
            if (old.json_schema is None or new.json_schema is None) and _xsd_text(old) != _xsd_text(
                new
            ):
                self._add("xsd-changed", location, "the XSD changed", direction)

    # -- the walk ---------------------------------------------------------------------------------

    def _compare(
        self, old: Schema, new: Schema, location: str, direction: Direction, depth: int
    ) -> None:
        if depth > MAX_DEPTH:
            return
        old, new = unwrap(old), unwrap(new)
        if old == new:
            self._follow(old, direction)
            return
        old_null, old = split_null(old)
        new_null, new = split_null(new)
        if old_null != new_null:
            kind = "nullable-added" if new_null else "nullable-removed"
            message = f"null {'is now' if new_null else 'is no longer'} allowed"
            self._add(kind, location, message, direction)
            if old == new:
                self._follow(old, direction)
                return
        if (alternatives(old) is None) != (alternatives(new) is None) and self._wrapped(
            old, new, location, direction, depth
        ):
            return
        if "$ref" in old or "$ref" in new:
            self._compare_refs(old, new, location, direction, depth)
            return
        self._keywords(old, new, location, direction, depth)

    def _compare_refs(
        self, old: Schema, new: Schema, location: str, direction: Direction, depth: int
    ) -> None:
        old_ref, new_ref = old.get("$ref"), new.get("$ref")
        if old_ref is not None and new_ref is not None:
            old_name, new_name = definition_target(old_ref), definition_target(new_ref)
            if old_name is not None and new_name is not None:
                self._enqueue(old_name, new_name, direction)
            elif old_ref != new_ref:
                message = f"reference changed from {show(old_ref)} to {show(new_ref)}"
                self._add("ref-changed", location, message, direction)
            old_rest = {k: v for k, v in old.items() if k != "$ref"}
            new_rest = {k: v for k, v in new.items() if k != "$ref"}
            if old_rest != new_rest:
                self._keywords(old_rest, new_rest, location, direction, depth)
            return
        old_target, new_target = self._target(old, self._old), self._target(new, self._new)
        if old_target is None or new_target is None:
            self._add("ref-changed", location, "a reference was replaced", direction)
            return
        self._compare(old_target, new_target, location, direction, depth + 1)

    def _target(self, value: Schema, definitions: Mapping[str, Definition]) -> Schema | None:
        """``value`` itself, or what it refers to (None: an unknown reference)."""
        if "$ref" not in value:
            return value
        target = definition_target(value["$ref"])
        definition = definitions.get(target[0]) if target is not None else None
        return None if definition is None or target is None else _resolve(definition, target[1])

    def _wrapped(
        self, old: Schema, new: Schema, location: str, direction: Direction, depth: int
    ) -> bool:
        """A plain schema against alternatives with nothing else but annotations: compare it with
        the alternative it matches; the others were added (or removed). False: not that case."""
        plain_is_old = alternatives(old) is None
        plain, wrapper = (old, new) if plain_is_old else (new, old)
        found = alternatives(wrapper)
        if found is None or len(structural(wrapper)) != 1:
            return False
        keyword, raw = found
        members = [schema(m) for m in raw]
        index = best(plain, members)
        if plain_is_old:
            where = child(location, keyword, index)
            self._compare(plain, members[index], where, direction, depth + 1)
        else:
            self._compare(members[index], plain, location, direction, depth + 1)
        for i, member in enumerate(members):
            if i != index:
                self._member(member, child(location, keyword, i), direction, added=plain_is_old)
        return True

    def _member(self, member: Schema, location: str, direction: Direction, *, added: bool) -> None:
        if is_null(member):
            kind = "nullable-added" if added else "nullable-removed"
            message = f"null {'is now' if added else 'is no longer'} allowed"
        else:
            kind = "alternative-added" if added else "alternative-removed"
            message = f"alternative {show(member)} {'added' if added else 'removed'}"
        self._add(kind, location, message, direction)

    def _keywords(
        self, old: Schema, new: Schema, location: str, direction: Direction, depth: int
    ) -> None:
        for kind, keyword, message in leaf_changes(old, new):
            where = location if keyword is None else child(location, keyword)
            self._add(kind, where, message, direction)
        self._object(old, new, location, direction, depth)
        self._array(old, new, location, direction, depth)
        self._combinators(old, new, location, direction, depth)
        self._others(old, new, location, direction)

    def _object(
        self, old: Schema, new: Schema, location: str, direction: Direction, depth: int
    ) -> None:
        old_properties, new_properties = (
            _mapping(old.get("properties")),
            _mapping(new.get("properties")),
        )
        old_required, new_required = _names(old.get("required")), _names(new.get("required"))
        skip = "readOnly" if direction == "input" else "writeOnly"
        names = set(old_properties) | set(new_properties) | old_required | new_required
        for name in sorted(names):
            before, after = old_properties.get(name), new_properties.get(name)
            sides = [s for s in (before, after) if isinstance(s, Mapping)]
            if sides and all(s.get(skip) is True for s in sides):
                continue
            where = child(location, name)
            was, now = name in old_required, name in new_required
            if before is not None and after is not None:
                self._compare(schema(before), schema(after), where, direction, depth + 1)
            elif before is not None:
                self._add("property-removed", where, f"property {name!r} removed", direction)
                continue
            elif after is not None:
                kind = "required-property-added" if now else "property-added"
                message = f"{'required ' if now else ''}property {name!r} added"
                self._add(kind, where, message, direction)
                continue
            if now and not was:
                self._add("property-made-required", where, f"{name!r} is now required", direction)
            elif was and not now:
                self._add("property-made-optional", where, f"{name!r} is now optional", direction)
        self._additional(old, new, location, direction, depth)

    def _additional(
        self, old: Schema, new: Schema, location: str, direction: Direction, depth: int
    ) -> None:
        before, after = old.get("additionalProperties"), new.get("additionalProperties")
        if before == after:
            self._follow(after, direction)
            return
        closed_before = before is False or before == NOTHING
        closed_after = after is False or after == NOTHING
        if closed_after and not closed_before:
            message = "no other properties are allowed any more"
            self._add("additional-properties-closed", location, message, direction)
        elif closed_before and not closed_after:
            message = "other properties are allowed now"
            self._add("additional-properties-opened", location, message, direction)
        else:
            where = child(location, "*")
            self._compare(schema(before), schema(after), where, direction, depth + 1)

    def _array(
        self, old: Schema, new: Schema, location: str, direction: Direction, depth: int
    ) -> None:
        if "items" in old or "items" in new:
            before, after = schema(old.get("items")), schema(new.get("items"))
            self._compare(before, after, child(location, "[]"), direction, depth + 1)
        before_tuple, after_tuple = old.get("prefixItems"), new.get("prefixItems")
        if before_tuple == after_tuple:
            self._follow(after_tuple, direction)
        elif isinstance(before_tuple, list) and isinstance(after_tuple, list):
            for i, (a, b) in enumerate(zip(before_tuple, after_tuple, strict=False)):
                self._compare(schema(a), schema(b), child(location, i), direction, depth + 1)
            if len(before_tuple) != len(after_tuple):
                message = f"{len(before_tuple)} tuple items became {len(after_tuple)}"
                self._add("keyword-changed", child(location, "prefixItems"), message, direction)
        else:
            message = f"prefixItems {'added' if after_tuple is not None else 'removed'}"
            self._add("keyword-changed", child(location, "prefixItems"), message, direction)

    def _combinators(
        self, old: Schema, new: Schema, location: str, direction: Direction, depth: int
    ) -> None:
        before, after = alternatives(old), alternatives(new)
        if before is not None and after is not None:
            if before[0] != after[0]:
                message = f"{before[0]} became {after[0]}"
                self._add("keyword-changed", child(location, after[0]), message, direction)
            self._members(before[1], after[1], child(location, after[0]), direction, depth, True)
        elif before is not None or after is not None:
            keyword = (after or before or ("anyOf", []))[0]
            message = f"{keyword} {'added' if after else 'removed'}"
            self._add("keyword-changed", child(location, keyword), message, direction)
            self._follow(new.get(keyword), direction)
        old_all, new_all = old.get("allOf"), new.get("allOf")
        if isinstance(old_all, list) and isinstance(new_all, list):
            self._members(old_all, new_all, child(location, "allOf"), direction, depth, False)
        elif old_all != new_all:
            message = f"allOf {'added' if new_all is not None else 'removed'}"
            self._add("keyword-changed", child(location, "allOf"), message, direction)
            self._follow(new_all, direction)

    def _members(
        self,
        old: list[Any],
        new: list[Any],
        location: str,
        direction: Direction,
        depth: int,
        alternative: bool,
    ) -> None:
        olds, news = [schema(m) for m in old], [schema(m) for m in new]
        for i, j in match(olds, news):
            if i is not None and j is not None:
                self._compare(olds[i], news[j], child(location, j), direction, depth + 1)
            elif alternative:
                index, member = (i, olds[i]) if i is not None else (j, news[j])  # type: ignore[index]
                self._member(member, child(location, index or 0), direction, added=i is None)
            else:
                index = i if i is not None else j
                message = f"allOf member {'removed' if j is None else 'added'}"
                self._add("keyword-changed", child(location, index or 0), message, direction)
                if j is not None:
                    self._follow(news[j], direction)

    def _others(self, old: Schema, new: Schema, location: str, direction: Direction) -> None:
        for keyword in sorted(set(old) | set(new)):
            if keyword in _WALKED or keyword in LEAVES or is_annotation(keyword):
                continue
            before, after = old.get(keyword), new.get(keyword)
            if before != after:
                message = f"{keyword} changed from {show(before)} to {show(after)}"
                self._add("keyword-changed", child(location, keyword), message, direction)
            self._follow(after, direction)
