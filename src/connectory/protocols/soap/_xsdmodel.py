"""The compiled shapes of XSD components that the mirror and the converter share.

``ComplexModel`` (attributes, a particle tree of ``Group``/``ElementUse``/``AnyUse``, or a simple
content) and ``SimpleModel`` (a built-in at the root of a restriction chain with its facets, or a
list or union). A reference to a named type stays its QName (``TypeRef``): recursive schemas are
fine. ``iter_element_uses`` is the one rule for "may this element occur more than once", used by
both the JSON Schema mirror and the XML -> JSON conversion so that they agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from ._names import XSD, clark

__all__ = [
    "ANY_TYPE",
    "XSD_PREFIX",
    "AnyUse",
    "AttributeUse",
    "ComplexModel",
    "ElementUse",
    "Group",
    "SimpleModel",
    "TypeRef",
    "iter_element_uses",
    "occurs",
    "xsd_tag",
]

ANY_TYPE = clark(XSD, "anyType")
XSD_PREFIX = f"{{{XSD}}}"
_UNBOUNDED = None


def xsd_tag(tag: str) -> str:
    """``{XSD namespace}tag``, precomputed."""
    return _TAGS[tag]


_TAGS = {
    tag: f"{{{XSD}}}{tag}"
    for tag in [
        "complexType",
        "simpleType",
        "element",
        "group",
        "attributeGroup",
        "attribute",
        "redefine",
        "override",
        "sequence",
        "choice",
        "all",
        "any",
        "anyAttribute",
        "simpleContent",
        "complexContent",
        "extension",
        "restriction",
        "list",
        "union",
        "enumeration",
        "pattern",
    ]
}


@dataclass(slots=True)
class SimpleModel:
    builtin: str = "string"
    """The local name of the XSD built-in type at the root of the restriction chain."""
    enumeration: list[str] | None = None
    patterns: list[list[str]] = field(default_factory=list)
    """One list per restriction step: the step's patterns are alternatives, the steps all apply."""
    min_length: int | None = None
    max_length: int | None = None
    minimum: str | None = None
    maximum: str | None = None
    exclusive_minimum: str | None = None
    exclusive_maximum: str | None = None
    item: TypeRef = None
    """For a list type: the item type."""
    members: list[TypeRef] | None = None
    """For a union type: the member types."""
    qname: str | None = None


@dataclass(slots=True)
class ElementUse:
    name: str
    namespace: str | None
    type: TypeRef
    min_occurs: int = 1
    max_occurs: int | None = 1
    nillable: bool = False
    ref: str | None = None
    """The global element's QName, for a global element or a ``ref``."""


@dataclass(slots=True)
class AnyUse:
    min_occurs: int = 1
    max_occurs: int | None = 1


@dataclass(slots=True)
class Group:
    kind: Literal["sequence", "choice", "all"]
    particles: list[ElementUse | AnyUse | Group] = field(default_factory=list)
    min_occurs: int = 1
    max_occurs: int | None = 1


@dataclass(slots=True)
class AttributeUse:
    name: str
    namespace: str | None
    type: TypeRef
    required: bool = False


@dataclass(slots=True)
class ComplexModel:
    attributes: list[AttributeUse] = field(default_factory=list)
    any_attribute: bool = False
    content: Group | None = None
    simple: TypeRef = None
    """For simple content: its type (a built-in QName, a named simple type, or a model)."""
    has_simple_content: bool = False
    mixed: bool = False
    abstract: bool = False
    qname: str | None = None


TypeRef = str | ComplexModel | SimpleModel | None
"""A named type's QName, an anonymous type's model, or None for anything (``anyType``)."""


def iter_element_uses(
    group: Group | None, repeated: bool = False
) -> Iterator[tuple[ElementUse, bool]]:
    """Every element particle below ``group`` with whether it may occur more than once."""
    if group is None:
        return
    repeated = repeated or group.max_occurs != 1
    for particle in group.particles:
        if isinstance(particle, ElementUse):
            yield particle, repeated or particle.max_occurs != 1
        elif isinstance(particle, Group):
            yield from iter_element_uses(particle, repeated)


def occurs(element: etree._Element) -> tuple[int, int | None]:
    low = element.get("minOccurs", "1").strip()
    high = element.get("maxOccurs", "1").strip()
    try:
        minimum = int(low)
        maximum = _UNBOUNDED if high == "unbounded" else int(high)
    except ValueError:
        return 1, 1
    return minimum, maximum
