"""Schema ``$ref``s: which become references to definitions, and which are inlined.

- ``#/components/schemas/X`` of the root document (``#/definitions/X`` in Swagger 2.0), wherever
  the reference is written: the definition ``X``.
- A schema in another file of the description: a definition of its own (the bundle), named after
  the file's stem and the pointer: ``pet.yaml`` -> ``pet``; ``pet.yaml#/Pet``,
  ``pet.yaml#/definitions/Pet`` or ``pet.yaml#/components/schemas/Pet`` -> ``pet.Pet``; any other
  pointer -> its tokens joined by ``.`` after the stem.
- Any other schema of the root document: inlined by the converter, unless it turns out to contain a
  reference back to itself; then ``promote`` makes it a definition too (named after its pointer,
  ``components.schemas`` dropped), so a recursive schema stays recursive.

Generated names never collide with the root's definitions or each other (``_2``, ``_3``... in the
order the references are met, which is the document's order: stable from run to run).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any, NamedTuple

from connectory.model.version import definition_uri

from ._refs import Loc, Resolver, document_of, parse_fragment, render

__all__ = ["SchemaRef", "SchemaRefs"]

_CONTAINERS: tuple[list[str], ...] = (["components", "schemas"], ["definitions"], ["$defs"], [])
_EXTENSIONS = (".yaml", ".yml", ".json")


class SchemaRef(NamedTuple):
    """Where a schema reference leads: a definition, a schema to inline, or nowhere."""

    definition: dict[str, str] | None
    """``{"$ref": <definition URI>}`` when the target is (or becomes) a definition."""
    value: Any = None
    """The schema to inline, when it is not a definition."""
    location: str = ""
    problem: str = ""
    """Why the reference leads nowhere (then ``definition`` and ``value`` are ``None``)."""


class SchemaRefs:
    """Classifies the schema references of one description and names the generated definitions."""

    def __init__(self, resolver: Resolver, schemas_pointer: tuple[str, ...]) -> None:
        self.resolver = resolver
        node: Any = resolver.document
        for token in schemas_pointer:
            node = node.get(token) if isinstance(node, Mapping) else None
        self.component_names: frozenset[str] = frozenset(
            map(str, node) if isinstance(node, Mapping) else ()
        )
        self.prefix = list(schemas_pointer)
        self.generated: dict[str, tuple[Any, str]] = {}
        """Definitions made here, by name: the schema and its location, in the order made."""
        self._by_location: dict[str, str] = {}
        self._taken: set[str] = set(self.component_names)
        self._root: dict[str, SchemaRef] = {}

    def component_ref(self, ref: str) -> dict[str, str] | None:
        """The fast path: ``{"$ref": uri}`` for ``#/components/schemas/X`` in the root document."""
        known = self._root.get(ref)
        if known is not None:
            return known.definition
        if not ref.startswith("#"):
            return None
        tokens = parse_fragment(ref[1:])
        if tokens is None or tokens[:-1] != self.prefix or tokens[-1] not in self.component_names:
            return None
        definition = {"$ref": definition_uri(tokens[-1])}
        self._root[ref] = SchemaRef(definition)
        return definition

    def resolve(self, ref: str, base: str, where: str) -> SchemaRef:
        """What the schema reference ``ref``, written in file ``base`` at ``where``, leads to."""
        if base == "":
            definition = self.component_ref(ref)
            if definition is not None:
                return SchemaRef(definition)
        target = self.resolver.lookup(ref, base, where)
        if not target.found:
            return SchemaRef(None, problem=target.problem)
        document = document_of(target.location)
        tokens = parse_fragment(target.location.split("#", 1)[1] if document else target.location)
        assert tokens is not None
        if document == "":
            if tokens[:-1] == self.prefix and tokens[-1] in self.component_names:
                return SchemaRef({"$ref": definition_uri(tokens[-1])})
            if target.location in self._by_location:
                return SchemaRef(self._definition(target.location))
            return SchemaRef(None, target.value, target.location)
        return SchemaRef(self.name(target.value, target.location))

    def discriminator(self, value: Any, base: str, loc: Loc, swagger: bool) -> Any:
        """A ``discriminator`` whose ``mapping`` names definitions by their URIs where it can.

        Swagger 2.0's discriminator is the name of the property: ``{"propertyName": name}``.
        """
        if swagger and isinstance(value, str):
            return {"propertyName": value}
        mapping = value.get("mapping") if isinstance(value, Mapping) else None
        if not isinstance(mapping, Mapping):
            return value
        rewritten = {}
        for name, target in mapping.items():
            rewritten[name] = target
            if isinstance(target, str) and ("#" in target or "/" in target):
                found = self.resolve(target, base, render(((loc, "mapping"), name)))
                if found.definition is not None:
                    rewritten[name] = found.definition["$ref"]
        return {**value, "mapping": rewritten}

    def promote(self, value: Any, location: str) -> dict[str, str]:
        """Make the root-document schema at ``location`` a definition; ``{"$ref": uri}``."""
        return self.name(value, location)

    def promoted(self, location: str) -> dict[str, str] | None:
        """``{"$ref": uri}`` if the schema at ``location`` was made a definition."""
        return self._definition(location) if location in self._by_location else None

    def name(self, value: Any, location: str) -> dict[str, str]:
        """The definition made of the schema at ``location`` (made on first use)."""
        if location not in self._by_location:
            base = self._base_name(location)
            name, counter = base, 2
            while name in self._taken:
                name = f"{base}_{counter}"
                counter += 1
            self._taken.add(name)
            self._by_location[location] = name
            self.generated[name] = (value, location)
        return self._definition(location)

    def _definition(self, location: str) -> dict[str, str]:
        return {"$ref": definition_uri(self._by_location[location])}

    def _base_name(self, location: str) -> str:
        document = document_of(location)
        tokens = parse_fragment(location.split("#", 1)[1] if document else location) or []
        if document == "":
            if tokens[: len(self.prefix)] == self.prefix:
                tokens = tokens[len(self.prefix) :]
            return ".".join(tokens) or "schema"
        stem = posixpath.basename(document.split("?", 1)[0])
        for extension in _EXTENSIONS:
            if stem.lower().endswith(extension) and len(stem) > len(extension):
                stem = stem[: -len(extension)]
                break
        for container in _CONTAINERS:
            if len(tokens) == len(container) + 1 and tokens[:-1] == container:
                return f"{stem}.{tokens[-1]}"
        return ".".join([stem, *tokens])
