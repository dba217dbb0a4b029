"""A fast walk of the XSD component graph: global components by QName, and content models.

``SchemaSet`` indexes the global types, elements, groups, attribute groups and attributes of
every loaded schema document (chameleon includes take their includer's namespace) and compiles, on
demand and once each, what the JSON mirror and the JSON <-> XML conversion both need (the shapes
are in ``xsdmodel.py``, simple types are compiled by ``xsdsimple.py``):

- ``ComplexModel``: attributes (attribute groups flattened, ``complexContent`` extension and
  restriction applied), a particle tree (``Group`` of ``ElementUse``/``AnyUse``/``Group``), or a
  simple content; ``mixed``;
- ``SimpleModel``: the built-in type at the root of a restriction chain, with accumulated facets,
  or a list or union.

A reference to a named type stays a QName string (recursive schemas are fine); a QName that no
schema defines becomes ``None`` (anything) and an ``unresolved-type`` finding. This is not a
validating XSD compiler (``compile.py`` runs xmlschema for that, off the onboarding path): it reads
what a well-formed schema says, quickly, and copes with what a broken one leaves out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from lxml import etree

from ._builtins import builtin_kind
from ._names import XSD, attribute_qname, clark, local_name, namespace_of
from ._xsdmodel import (
    ANY_TYPE,
    XSD_PREFIX,
    AnyUse,
    AttributeUse,
    ComplexModel,
    ElementUse,
    Group,
    SimpleModel,
    TypeRef,
    occurs,
    xsd_tag,
)
from ._xsdsimple import compile_simple
from .findings import Findings
from .parse import SchemaDocument

__all__ = ["SchemaSet"]  # the shapes it compiles to are in xsdmodel

_x = xsd_tag
_occurs = occurs
_XSD_PREFIX = XSD_PREFIX

_Model = TypeVar("_Model", ComplexModel, SimpleModel)


@dataclass(slots=True)
class _Decl:
    element: etree._Element
    document: SchemaDocument
    namespace: str | None


class SchemaSet:
    """The global components of a set of schema documents, and their compiled models."""

    def __init__(self, documents: list[SchemaDocument], findings: Findings) -> None:
        self.documents = documents
        self.findings = findings
        self.types: dict[str, _Decl] = {}
        self.elements: dict[str, _Decl] = {}
        self.groups: dict[str, _Decl] = {}
        self.attribute_groups: dict[str, _Decl] = {}
        self.attributes: dict[str, _Decl] = {}
        self._complex: dict[str, ComplexModel] = {}
        self._simple: dict[str, SimpleModel] = {}
        self._element_types: dict[str, TypeRef] = {}
        self._building: set[str] = set()
        tables = {
            _x("complexType"): self.types,
            _x("simpleType"): self.types,
            _x("element"): self.elements,
            _x("group"): self.groups,
            _x("attributeGroup"): self.attribute_groups,
            _x("attribute"): self.attributes,
        }
        for document in documents:
            namespace = document.target_namespace
            for child in document.root:
                if child.tag == _x("redefine") or child.tag == _x("override"):
                    for inner in child:
                        self._index(tables, inner, document, namespace, replace=True)
                else:
                    self._index(tables, child, document, namespace, replace=False)

    def _index(
        self,
        tables: dict[str, dict[str, _Decl]],
        child: etree._Element,
        document: SchemaDocument,
        namespace: str | None,
        *,
        replace: bool,
    ) -> None:
        table = tables.get(child.tag)
        name = child.get("name")
        if table is None or not name:
            return
        qname = clark(namespace, name)
        if replace or qname not in table:
            table[qname] = _Decl(child, document, namespace)

    # -- lookups ---------------------------------------------------------------------------------

    def where(self, decl: _Decl) -> str:
        kind = local_name(decl.element.tag)
        return f"{decl.document.name}#/{kind}[@name='{decl.element.get('name', '')}']"

    def qname(self, element: etree._Element, attribute: str, where: str) -> str | None:
        return attribute_qname(element, attribute, where, self.findings)

    def is_builtin(self, qname: str) -> bool:
        return qname.startswith(_XSD_PREFIX) and builtin_kind(qname[len(_XSD_PREFIX) :]) is not None

    def is_complex(self, ref: TypeRef) -> bool:
        if isinstance(ref, ComplexModel):
            return True
        if isinstance(ref, str) and ref in self.types:
            return bool(self.types[ref].element.tag == _x("complexType"))
        return ref is None or ref == ANY_TYPE

    def known_type(self, qname: str, where: str) -> TypeRef:
        """``qname`` if it names a built-in or a defined type, else None and a finding."""
        if self.is_builtin(qname) or qname in self.types:
            return qname
        self.findings.error(
            "unresolved-type", where, f"type {qname} is defined by no schema of this WSDL"
        )
        return None

    def element_use(self, qname: str, where: str) -> ElementUse | None:
        """The global element ``qname`` as a particle (None and a finding when it is missing).

        Its type is compiled only when asked for (``use_type``): element references may recurse.
        """
        decl = self.elements.get(qname)
        if decl is None:
            self.findings.error(
                "unresolved-element",
                where,
                f"element {qname} is declared by no schema of this WSDL",
            )
            return None
        return ElementUse(
            local_name(qname),
            namespace_of(qname),
            None,
            nillable=decl.element.get("nillable") in ("true", "1"),
            ref=qname,
        )

    def use_type(self, use: ElementUse) -> TypeRef:
        """The type of an element particle; for a global element, compiled once."""
        if use.ref is None:
            return use.type
        if use.ref not in self._element_types:
            decl = self.elements.get(use.ref)
            if decl is None:
                return None
            self._element_types[use.ref] = self._type_of(decl.element, decl, self.where(decl))
        return self._element_types[use.ref]

    def complex(self, ref: TypeRef) -> ComplexModel:
        """The compiled model of a complex type (``None``/``anyType``: anything)."""
        if isinstance(ref, ComplexModel):
            return ref
        if ref is None or ref == ANY_TYPE or ref not in self.types:
            return ComplexModel(
                content=Group("sequence", [AnyUse(0, None)]), any_attribute=True, mixed=True
            )
        return self._once(ref, self.types[ref], self._complex, self._complex_type, ComplexModel)

    def simple(self, ref: TypeRef) -> SimpleModel:
        """The compiled model of a simple type (a built-in's QName gives that built-in)."""
        if isinstance(ref, SimpleModel):
            return ref
        if ref is None:
            return SimpleModel("anySimpleType")
        if isinstance(ref, ComplexModel):
            return self.simple(ref.simple)
        if self.is_builtin(ref):
            return SimpleModel(local_name(ref), qname=ref)
        decl = self.types.get(ref)
        if decl is None:
            return SimpleModel("anySimpleType")
        if decl.element.tag == _x("complexType"):
            return self.simple(self.complex(ref).simple)
        return self._once(ref, decl, self._simple, self._simple_type, SimpleModel)

    def _once(
        self,
        ref: str,
        decl: _Decl,
        compiled: dict[str, _Model],
        compile_: Callable[[etree._Element, _Decl], _Model],
        empty: Callable[[], _Model],
    ) -> _Model:
        """The model of type ``ref``, compiled once; a type that derives from itself is an
        error finding and an empty model."""
        if ref not in compiled:
            if ref in self._building:
                self.findings.error("circular-type", self.where(decl), f"{ref} derives from itself")
                return empty()
            self._building.add(ref)
            try:
                model = compile_(decl.element, decl)
            finally:
                self._building.discard(ref)
            model.qname = ref
            compiled[ref] = model
        return compiled[ref]

    def iter_global(self, document: SchemaDocument) -> Iterator[tuple[str, str, _Decl]]:
        """``("type" | "element", qname, declaration)`` for the globals declared in ``document``."""
        for kind, table in (("type", self.types), ("element", self.elements)):
            for qname, decl in table.items():
                if decl.document is document:
                    yield kind, qname, decl

    # -- compiling -------------------------------------------------------------------------------

    def _type_of(self, element: etree._Element, decl: _Decl, where: str) -> TypeRef:
        """The type an element or attribute declaration gives: named, anonymous, or anyType."""
        named = self.qname(element, "type", where)
        if named is not None:
            return self.known_type(named, where)
        for child in element:
            if child.tag == _x("complexType"):
                return self._complex_type(child, decl)
            if child.tag == _x("simpleType"):
                return self._simple_type(child, decl)
        return ANY_TYPE if element.tag == _x("element") else clark(XSD, "anySimpleType")

    def _element_decl(self, element: etree._Element, decl: _Decl, where: str) -> ElementUse:
        ref = self.qname(element, "ref", where)
        low, high = _occurs(element)
        if ref is not None:
            use = self.element_use(ref, where)
            if use is None:
                return ElementUse(local_name(ref), namespace_of(ref), None, low, high)
            use.min_occurs, use.max_occurs = low, high
            return use
        form = element.get("form") or decl.document.root.get("elementFormDefault", "unqualified")
        return ElementUse(
            name=element.get("name", ""),
            namespace=decl.namespace if form == "qualified" else None,
            type=self._type_of(element, decl, where),
            min_occurs=low,
            max_occurs=high,
            nillable=element.get("nillable") in ("true", "1"),
        )

    def _group(self, element: etree._Element, decl: _Decl, where: str, depth: int = 0) -> Group:
        tag = local_name(element.tag)
        low, high = _occurs(element)
        if tag == "group":
            ref = self.qname(element, "ref", where)
            target = self.groups.get(ref or "")
            if target is None or depth > 32:
                self.findings.error(
                    "unresolved-group", where, f"group {ref} is defined by no schema"
                )
                return Group("sequence", [], low, high)
            for child in target.element:
                if child.tag in (_x("sequence"), _x("choice"), _x("all")):
                    inner = self._group(child, target, where, depth + 1)
                    if (low, high) != (1, 1):
                        inner.min_occurs, inner.max_occurs = low, high
                    return inner
            return Group("sequence", [], low, high)
        group = Group(tag, [], low, high)  # type: ignore[arg-type]
        for child in element:
            if child.tag == _x("element"):
                group.particles.append(self._element_decl(child, decl, where))
            elif child.tag == _x("any"):
                group.particles.append(AnyUse(*_occurs(child)))
            elif child.tag in (_x("sequence"), _x("choice"), _x("group"), _x("all")):
                group.particles.append(self._group(child, decl, where, depth + 1))
        return group

    def _attributes(
        self, element: etree._Element, decl: _Decl, model: ComplexModel, where: str, depth: int = 0
    ) -> None:
        for child in element:
            if child.tag == _x("attribute"):
                if child.get("use") == "prohibited":
                    name = child.get("name") or local_name(child.get("ref", ""))
                    model.attributes = [a for a in model.attributes if a.name != name]
                    continue
                use = self._attribute(child, decl, where)
                model.attributes = [a for a in model.attributes if a.name != use.name]
                model.attributes.append(use)
            elif child.tag == _x("attributeGroup"):
                ref = self.qname(child, "ref", where)
                target = self.attribute_groups.get(ref or "")
                if target is None or depth > 32:
                    self.findings.error(
                        "unresolved-group", where, f"attribute group {ref} is defined by no schema"
                    )
                    continue
                self._attributes(target.element, target, model, where, depth + 1)
            elif child.tag == _x("anyAttribute"):
                model.any_attribute = True

    def _attribute(self, element: etree._Element, decl: _Decl, where: str) -> AttributeUse:
        required = element.get("use") == "required"
        ref = self.qname(element, "ref", where)
        if ref is not None:
            target = self.attributes.get(ref)
            kind: TypeRef = None
            if target is not None:
                kind = self._type_of(target.element, target, where)
            elif namespace_of(ref) != "http://www.w3.org/XML/1998/namespace":
                self.findings.error(
                    "unresolved-attribute", where, f"attribute {ref} is declared by no schema"
                )
            return AttributeUse(local_name(ref), namespace_of(ref), kind, required)
        form = element.get("form") or decl.document.root.get("attributeFormDefault", "unqualified")
        return AttributeUse(
            element.get("name", ""),
            decl.namespace if form == "qualified" else None,
            self._type_of(element, decl, where),
            required,
        )

    def _complex_type(self, element: etree._Element, decl: _Decl) -> ComplexModel:
        where = self.where(decl)
        model = ComplexModel(
            mixed=element.get("mixed") in ("true", "1"),
            abstract=element.get("abstract") in ("true", "1"),
        )
        for child in element:
            tag = child.tag
            if tag in (_x("sequence"), _x("choice"), _x("all"), _x("group")):
                model.content = self._group(child, decl, where)
            elif tag in (_x("simpleContent"), _x("complexContent")):
                self._derived(child, decl, model, where)
        self._attributes(element, decl, model, where)
        return model

    def _derived(
        self, content: etree._Element, decl: _Decl, model: ComplexModel, where: str
    ) -> None:
        simple = content.tag == _x("simpleContent")
        if content.get("mixed") in ("true", "1"):
            model.mixed = True
        for derivation in content:
            kind = local_name(derivation.tag)
            if kind not in ("extension", "restriction"):
                continue
            base_name = self.qname(derivation, "base", where) or ANY_TYPE
            base = self.known_type(base_name, where) if base_name != ANY_TYPE else base_name
            own: Group | None = None
            for child in derivation:
                if child.tag in (_x("sequence"), _x("choice"), _x("all"), _x("group")):
                    own = self._group(child, decl, where)
            if self.is_complex(base) and base not in (None, ANY_TYPE):
                _inherit(model, self.complex(base), kind, own)
            else:
                model.content = own
            if simple:
                model.has_simple_content = True
                if kind == "restriction" or not self.is_complex(base):
                    model.simple = (
                        self._simple_type(derivation, decl) if kind == "restriction" else base
                    )
                if model.simple is None:
                    model.simple = clark(XSD, "anySimpleType")
            self._attributes(derivation, decl, model, where)

    def _simple_type(self, element: etree._Element, decl: _Decl) -> SimpleModel:
        return compile_simple(self, element, decl)

    def simple_ref(self, qname: str | None, where: str) -> TypeRef:
        if qname is None:
            return clark(XSD, "anySimpleType")
        return self.known_type(qname, where)


def _inherit(model: ComplexModel, parent: ComplexModel, kind: str, own: Group | None) -> None:
    """What a type derived from a complex ``parent`` takes from it; an extension's content follows
    the parent's, a restriction's replaces it."""
    model.attributes = list(parent.attributes)
    model.any_attribute = parent.any_attribute
    model.has_simple_content = parent.has_simple_content
    model.simple = parent.simple
    model.mixed = model.mixed or parent.mixed
    if kind == "extension" and parent.content is not None and own is not None:
        model.content = Group("sequence", [parent.content, own])
    elif kind == "extension":
        model.content = own or parent.content
    else:
        model.content = own
