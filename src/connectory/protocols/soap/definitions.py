"""The JSON Schema mirror of XSD: the JSON an action takes and gives, derived from the XSD models.

The JSON shape of an element's content (what ``convert.py`` reads and writes):

- simple content without attributes: a JSON scalar (string, boolean, integer, number; a list type
  is an array; a union is ``anyOf`` its members);
- otherwise an object: each child element under its local name, each attribute as ``@name``, the
  text of simple (or mixed) content as ``$``;
- an element that may occur more than once (``maxOccurs > 1``, or inside a repeated sequence or
  choice) is always an array, even with one item; ``minOccurs="0"`` makes a property optional;
- a ``choice`` that is not repeated allows the properties of exactly one branch (``anyOf`` of
  alternatives, each requiring its branch and forbidding the others' properties);
- ``nillable`` adds ``null`` (sent as ``xsi:nil="true"``); an ``xsd:any`` wildcard allows
  additional properties, ``anyAttribute`` additional ``@`` properties;
- facets: ``enumeration`` -> ``enum``, ``pattern`` -> ``pattern`` (anchored; an XSD-only construct
  is dropped with a ``pattern-dropped`` finding), lengths and numeric bounds.

Each global type of a schema document is ``$defs["type:<name>"]`` of that document's definition
and each global element ``$defs["element:<name>"]``; references are ``definition URI +
#/$defs/...``, so recursive types are fine. Known gaps, permissive on purpose: the order between
repeated groups' items, substitution groups and ``xsi:type`` polymorphism are not expressed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from connectory.model.version import JsonSchema, definition_uri

from ._builtins import builtin_kind, builtin_schema, pattern
from ._names import local_name
from ._xsd import SchemaSet
from ._xsdmodel import AnyUse, ComplexModel, ElementUse, Group, SimpleModel, TypeRef
from .findings import Findings
from .parse import SchemaDocument

__all__ = ["Mirror"]

_NULL = {"type": "null"}


@dataclass(slots=True)
class _Part:
    properties: dict[str, JsonSchema] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    constraints: list[JsonSchema] = field(default_factory=list)
    wildcard: bool = False

    def merge(self, other: _Part) -> None:
        for key, value in other.properties.items():
            self.properties.setdefault(key, value)
        self.required += [key for key in other.required if key not in self.required]
        self.constraints += other.constraints
        self.wildcard = self.wildcard or other.wildcard


class Mirror:
    """Builds JSON Schemas for the components of a ``SchemaSet``."""

    def __init__(self, schemas: SchemaSet, findings: Findings) -> None:
        self.schemas = schemas
        self.findings = findings
        self.where = ""
        self._uris: dict[str, str] = {}

    def _uri(self, document: SchemaDocument) -> str:
        uri = self._uris.get(document.name)
        if uri is None:
            uri = self._uris[document.name] = definition_uri(document.name)
        return uri

    # -- references ------------------------------------------------------------------------------

    def type_ref(self, ref: TypeRef) -> JsonSchema:
        if ref is None:
            return True
        if isinstance(ref, ComplexModel):
            return self.complex(ref)
        if isinstance(ref, SimpleModel):
            return self.simple(ref)
        if self.schemas.is_builtin(ref):
            return builtin_schema(local_name(ref))
        decl = self.schemas.types.get(ref)
        if decl is None:
            return True
        return {"$ref": f"{self._uri(decl.document)}#/$defs/type:{local_name(ref)}"}

    def element_value(self, use: ElementUse) -> JsonSchema:
        """What an occurrence of the element holds."""
        if use.ref is not None:
            decl = self.schemas.elements.get(use.ref)
            if decl is None:
                return True
            return {"$ref": f"{self._uri(decl.document)}#/$defs/element:{local_name(use.ref)}"}
        value = self.type_ref(use.type)
        return {"anyOf": [value, _NULL]} if use.nillable and value is not True else value

    def global_element(self, qname: str) -> JsonSchema:
        use = self.schemas.element_use(qname, self.where)
        if use is None:
            return True
        value = self.type_ref(self.schemas.use_type(use))
        return {"anyOf": [value, _NULL]} if use.nillable and value is not True else value

    # -- documents -------------------------------------------------------------------------------

    def document(self, document: SchemaDocument) -> JsonSchema:
        """``{"$defs": ...}``: a mirror of every global type and element of ``document``."""
        defs: dict[str, JsonSchema] = {}
        for kind, qname, decl in self.schemas.iter_global(document):
            self.where = self.schemas.where(decl)
            name = local_name(qname)
            if kind == "element":
                defs[f"element:{name}"] = self.global_element(qname)
            elif self.schemas.is_complex(qname):
                defs[f"type:{name}"] = self.complex(self.schemas.complex(qname))
            else:
                defs[f"type:{name}"] = self.simple(self.schemas.simple(qname))
        return {"$defs": defs}

    # -- complex types ---------------------------------------------------------------------------

    def complex(self, model: ComplexModel) -> JsonSchema:
        part = _Part()
        if model.has_simple_content:
            value = self.type_ref(model.simple)
            if not model.attributes and not model.any_attribute:
                return value
            part.properties["$"] = value
            part.required.append("$")
        elif model.mixed:
            part.properties["$"] = {"type": "string"}
        for attribute in model.attributes:
            key = "@" + attribute.name
            kind = attribute.type
            part.properties[key] = {"type": "string"} if kind is None else self.type_ref(kind)
            if attribute.required:
                part.required.append(key)
        if model.content is not None:
            part.merge(self.content(model.content, False, False))
        schema: dict[str, Any] = {"type": "object"}
        if part.properties:
            schema["properties"] = part.properties
        if part.required:
            schema["required"] = part.required
        if not part.wildcard:
            if model.any_attribute:
                schema["patternProperties"] = {"^@": {"type": ["string", "number", "boolean"]}}
            schema["additionalProperties"] = False
        if part.constraints:
            schema["allOf"] = part.constraints
        return schema

    def content(self, group: Group, repeated: bool, optional: bool) -> _Part:
        repeated = repeated or group.max_occurs != 1
        optional = optional or group.min_occurs == 0
        part = _Part()
        if group.kind != "choice" or repeated:
            for particle in group.particles:
                part.merge(self.particle(particle, repeated, optional))
            if group.max_occurs != 1 and not optional:
                self._at_least_once(group, part)
            return part
        branches = [self.particle(particle, False, False) for particle in group.particles]
        if len(branches) == 1 and not optional:
            return branches[0]
        for branch in branches:
            part.properties.update(
                {k: v for k, v in branch.properties.items() if k not in part.properties}
            )
            part.wildcard = part.wildcard or branch.wildcard
        keys = set(part.properties)
        alternatives: list[JsonSchema] = []
        for branch in branches:
            alternative: dict[str, Any] = {}
            if branch.required:
                alternative["required"] = branch.required
            others = sorted(keys - set(branch.properties))
            if others:
                alternative["properties"] = dict.fromkeys(others, False)
            if branch.constraints:
                alternative["allOf"] = branch.constraints
            alternatives.append(alternative)
        if optional:
            alternatives.append({"properties": dict.fromkeys(sorted(keys), False)})
        part.constraints.append({"anyOf": alternatives})
        return part

    @staticmethod
    def _at_least_once(group: Group, part: _Part) -> None:
        """A repeated group that must occur: what one occurrence needs, as non-empty arrays."""
        uses = [p for p in group.particles if isinstance(p, ElementUse)]
        if group.kind == "choice":
            keys = [use.name for use in uses if use.name in part.properties]
            if len(keys) == len(group.particles) and keys:
                part.constraints.append(
                    {"anyOf": [{"required": [k], "properties": {k: {"minItems": 1}}} for k in keys]}
                )
            return
        for use in uses:
            value = part.properties.get(use.name)
            if use.min_occurs >= 1 and isinstance(value, dict) and value.get("type") == "array":
                value["minItems"] = 1
                if use.name not in part.required:
                    part.required.append(use.name)

    def particle(
        self, particle: ElementUse | AnyUse | Group, repeated: bool, optional: bool
    ) -> _Part:
        if isinstance(particle, Group):
            return self.content(particle, repeated, optional)
        part = _Part()
        if isinstance(particle, AnyUse):
            part.wildcard = True
            return part
        value = self.element_value(particle)
        if repeated or particle.max_occurs != 1:
            array: dict[str, Any] = {"type": "array", "items": value}
            if not repeated and not optional and particle.min_occurs >= 1:
                array["minItems"] = particle.min_occurs
            if not repeated and particle.max_occurs is not None:
                array["maxItems"] = particle.max_occurs
            value = array
        part.properties[particle.name] = value
        if not repeated and not optional and particle.min_occurs >= 1:
            part.required.append(particle.name)
        return part

    # -- simple types ----------------------------------------------------------------------------

    def simple(self, model: SimpleModel) -> JsonSchema:
        if model.builtin == "list":
            return {"type": "array", "items": self.type_ref(model.item)}
        if model.builtin == "union":
            members = [self.type_ref(member) for member in model.members or []]
            if not members or any(member is True for member in members):
                return {"type": ["string", "number", "boolean"]}
            return {"anyOf": members}
        base = builtin_schema(model.builtin)
        if base is True:
            return True
        schema: dict[str, Any] = dict(base)
        kind = builtin_kind(model.builtin) or "string"
        if model.enumeration is not None:
            schema["enum"] = [_typed(value, kind) for value in model.enumeration]
        if kind == "string":
            self._string_facets(model, schema)
        elif kind in ("integer", "number"):
            for facet, key in (
                (model.minimum, "minimum"),
                (model.maximum, "maximum"),
                (model.exclusive_minimum, "exclusiveMinimum"),
                (model.exclusive_maximum, "exclusiveMaximum"),
            ):
                bound = _number(facet, kind)
                if bound is not None:
                    schema[key] = bound
        return schema

    def _string_facets(self, model: SimpleModel, schema: dict[str, Any]) -> None:
        if model.min_length is not None:
            schema["minLength"] = model.min_length
        if model.max_length is not None:
            schema["maxLength"] = model.max_length
        patterns: list[str] = [schema.pop("pattern")] if "pattern" in schema else []
        for step in model.patterns:
            translated = [pattern(value) for value in step]
            if any(value is None for value in translated):
                self.findings.info(
                    "pattern-dropped",
                    self.where,
                    f"the XSD pattern {step[0]!r} has no JSON Schema equivalent; the mirror "
                    "does not check it",
                )
                continue
            patterns.append(
                translated[0]  # type: ignore[arg-type]
                if len(translated) == 1
                else "|".join(f"(?:{value})" for value in translated)
            )
        if patterns:
            schema["pattern"] = patterns[-1]
            if len(patterns) > 1:
                schema["allOf"] = [{"pattern": value} for value in patterns[:-1]]


def _typed(value: str, kind: str) -> Any:
    if kind == "integer":
        try:
            return int(value.strip())
        except ValueError:
            return value
    if kind == "number":
        try:
            number = float(value.strip())
        except ValueError:
            return value
        return number if math.isfinite(number) else value
    if kind == "boolean":
        return value.strip() in ("true", "1")
    return value


def _number(value: str | None, kind: str) -> int | float | None:
    if value is None:
        return None
    try:
        number = int(value) if kind == "integer" else float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
