"""Compile an XSD ``simpleType`` (or a ``restriction`` in ``simpleContent``) into a ``SimpleModel``.

A restriction starts from its base's model and adds its own facets: enumeration replaces, patterns
accumulate (one list per step: alternatives within a step, all steps apply), lengths and bounds
override. A list keeps its item type, a union its member types, as ``TypeRef``s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from ._names import local_name, resolve_qname
from ._xsdmodel import SimpleModel, TypeRef, xsd_tag

if TYPE_CHECKING:
    from ._xsd import SchemaSet, _Decl

__all__ = ["compile_simple"]

_x = xsd_tag


_LENGTHS = {
    "length": ("min_length", "max_length"),
    "minLength": ("min_length",),
    "maxLength": ("max_length",),
}
_BOUNDS = {
    "minInclusive": "minimum",
    "maxInclusive": "maximum",
    "minExclusive": "exclusive_minimum",
    "maxExclusive": "exclusive_maximum",
}


def compile_simple(schemas: SchemaSet, element: etree._Element, decl: _Decl) -> SimpleModel:
    """A ``simpleType`` (or a ``restriction`` inside ``simpleContent``) as a model."""
    where = schemas.where(decl)
    body = element
    if element.tag == _x("simpleType"):
        body = next(
            (c for c in element if c.tag in (_x("restriction"), _x("list"), _x("union"))), None
        )
        if body is None:
            return SimpleModel("anySimpleType")
    kind = local_name(body.tag)
    if kind == "list":
        return _list(schemas, body, decl, where)
    if kind == "union":
        return _union(schemas, body, decl, where)
    return _restriction(schemas, body, decl, where)


def _list(schemas: SchemaSet, body: etree._Element, decl: _Decl, where: str) -> SimpleModel:
    item = schemas.qname(body, "itemType", where)
    inner = next((c for c in body if c.tag == _x("simpleType")), None)
    return SimpleModel(
        "list",
        item=compile_simple(schemas, inner, decl)
        if inner is not None
        else schemas.simple_ref(item, where),
    )


def _union(schemas: SchemaSet, body: etree._Element, decl: _Decl, where: str) -> SimpleModel:
    members: list[TypeRef] = [
        schemas.simple_ref(resolve_qname(body, value), where)
        for value in (body.get("memberTypes") or "").split()
    ]
    members += [compile_simple(schemas, c, decl) for c in body if c.tag == _x("simpleType")]
    return SimpleModel("union", members=members)


def _restriction(schemas: SchemaSet, body: etree._Element, decl: _Decl, where: str) -> SimpleModel:
    """The base's model (a copy) with the restriction's facets added."""
    base_name = schemas.qname(body, "base", where)
    inner = next((c for c in body if c.tag == _x("simpleType")), None)
    if inner is not None:
        base = compile_simple(schemas, inner, decl)
    else:
        base = schemas.simple(schemas.simple_ref(base_name, where))
    model = SimpleModel(
        base.builtin,
        base.enumeration,
        list(base.patterns),
        base.min_length,
        base.max_length,
        base.minimum,
        base.maximum,
        base.exclusive_minimum,
        base.exclusive_maximum,
        base.item,
        base.members,
    )
    enumeration = [f.get("value", "") for f in body if f.tag == _x("enumeration")]
    if enumeration:
        model.enumeration = enumeration
    patterns = [f.get("value", "") for f in body if f.tag == _x("pattern")]
    if patterns:
        model.patterns.append(patterns)
    for facet in body:
        name, value = local_name(facet.tag), facet.get("value")
        if value is None:
            continue
        if name in _LENGTHS:
            length = _int(value)
            for attribute in _LENGTHS[name]:
                setattr(model, attribute, length)
        elif name in _BOUNDS:
            setattr(model, _BOUNDS[name], value)
    return model


def _int(value: str) -> int | None:
    try:
        return int(value.strip())
    except ValueError:
        return None
