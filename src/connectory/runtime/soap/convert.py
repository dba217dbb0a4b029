"""JSON <-> XML for an action's messages, following the JSON Schema mirror's rules (``mirror.py``).

``MessageConverter(version)`` rebuilds the version's XSD models from its definitions (no I/O) and
converts:

- ``to_xml(action, {"body": ..., "header": ...}, direction)`` -> a SOAP 1.1 or 1.2 ``Envelope``:
  document style puts each body part's element in the ``Body``; rpc style wraps the parts (named
  after the parts, unqualified) in the binding's wrapper element; header parts go in ``Header``;
- ``from_xml(action, envelope, direction)`` -> the same JSON shape; ``read`` also says which
  elements no particle declares where they stand (``{urn:x}total`` where the XSD declares an
  unqualified ``total``: a namespace mistake that would otherwise pass as wildcard content);
- ``fault_detail(action, detail)`` -> the declared fault a ``Fault``'s ``detail`` carries, and
  its element's JSON (as the ``fault:<name>`` output's schema describes it).

Element order follows the XSD's particles; ``null`` is ``xsi:nil="true"``; booleans are
``true``/``false``; a decimal is written without an exponent. Children that no particle declares
(wildcard content) are converted generically: ``{namespace}local`` keys, text or nested objects.
A value the mirror would refuse raises ``InputError`` naming its JSON pointer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from connectory.errors import InputError
from connectory.model.version import (
    Action,
    ConnectorVersion,
    SoapBinding,
    SoapFault,
    SoapMessage,
    SoapPart,
)
from connectory.protocols.soap._names import (
    SOAP11_ENV,
    SOAP12_ENV,
    XSI,
    clark,
    local_name,
    namespace_of,
)
from connectory.protocols.soap._xsdmodel import (
    ANY_TYPE,
    AnyUse,
    ComplexModel,
    ElementUse,
    Group,
    TypeRef,
    iter_element_uses,
)
from connectory.settings import DEFAULT_SETTINGS, Settings

from ._lexical import generic_element, generic_value, items, lexical, put, scalar, typed
from ._stored import schema_set

__all__ = ["MessageConverter", "message_from_xml", "message_to_xml"]

_NIL = f"{{{XSI}}}nil"
_Index = dict[tuple[str | None, str], tuple[ElementUse, bool]]
_MAX_MISPLACED = 20


def _has_wildcard(group: Group | None) -> bool:
    if group is None:
        return False
    return any(
        isinstance(p, AnyUse) or (isinstance(p, Group) and _has_wildcard(p))
        for p in group.particles
    )


class MessageConverter:
    """Converts the messages of one version's actions between JSON and SOAP envelopes."""

    def __init__(self, version: ConnectorVersion, settings: Settings = DEFAULT_SETTINGS) -> None:
        self.version = version
        self.schemas = schema_set(version, settings)
        self._indexes: dict[int, tuple[ComplexModel, _Index, bool]] = {}
        self._misplaced: list[str] | None = None

    # -- messages --------------------------------------------------------------------------------

    def _binding(self, action: Action | str, direction: str) -> tuple[SoapBinding, SoapMessage]:
        found = self.version.action(action) if isinstance(action, str) else action
        binding = found.binding
        if not isinstance(binding, SoapBinding):
            raise InputError(f"action {found.name!r} is not a SOAP action")
        message = binding.input if direction == "input" else binding.output
        if message is None:
            raise InputError(f"action {found.name!r} has no {direction} message")
        return binding, message

    def to_xml(
        self, action: Action | str, value: dict[str, Any], direction: str = "input"
    ) -> etree._Element:
        """The SOAP envelope carrying ``value`` (``{"body": {...}, "header": {...}}``)."""
        binding, message = self._binding(action, direction)
        env = SOAP12_ENV if binding.soap_version == "1.2" else SOAP11_ENV
        envelope = etree.Element(f"{{{env}}}Envelope", nsmap={"soap": env, "xsi": XSI})
        headers = value.get("header") or {}
        if message.headers and headers:
            header = etree.SubElement(envelope, f"{{{env}}}Header")
            for part in message.headers:
                if part.name in headers:
                    header.append(
                        self._part(part, headers[part.name], False, f"/header/{part.name}")
                    )
        body = etree.SubElement(envelope, f"{{{env}}}Body")
        container = body
        if binding.style == "rpc" and message.wrapper:
            container = etree.SubElement(body, message.wrapper)
        parts = value.get("body") or {}
        for part in message.body:
            if part.name in parts:
                rpc = binding.style == "rpc"
                container.append(self._part(part, parts[part.name], rpc, f"/body/{part.name}"))
        return envelope

    def from_xml(
        self, action: Action | str, envelope: etree._Element, direction: str = "output"
    ) -> dict[str, Any]:
        """The JSON of a SOAP envelope (``{"body": ..., "header": ...}``)."""
        return self.read(action, envelope, direction)[0]

    def read(
        self, action: Action | str, envelope: etree._Element, direction: str = "output"
    ) -> tuple[dict[str, Any], list[str]]:
        """The JSON of a SOAP envelope, and each element found where its complex type declares
        no such element and admits no wildcard (``path: element {ns}name ...``)."""
        self._misplaced = []
        try:
            return self._read(action, envelope, direction), self._misplaced
        finally:
            self._misplaced = None

    def _read(
        self, action: Action | str, envelope: etree._Element, direction: str
    ) -> dict[str, Any]:
        binding, message = self._binding(action, direction)
        env = namespace_of(envelope.tag)
        result: dict[str, Any] = {"body": {}}
        header = envelope.find(f"{{{env}}}Header")
        if header is not None and message.headers:
            found = self._parts(message.headers, list(header), False, "header")
            if found:
                result["header"] = found
        body = envelope.find(f"{{{env}}}Body")
        children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
        if binding.style == "rpc" and children:
            children = [c for c in children[0] if isinstance(c.tag, str)]
        result["body"] = self._parts(message.body, children, binding.style == "rpc", "body")
        return result

    def fault_detail(
        self, action: Action | str, detail: etree._Element
    ) -> tuple[SoapFault, Any] | None:
        """The fault of ``action`` whose part ``detail`` (a ``Fault``'s ``detail`` or ``Detail``)
        carries, and that element's JSON; None when it carries none the WSDL declares."""
        found = self.version.action(action) if isinstance(action, str) else action
        binding = found.binding
        if not isinstance(binding, SoapBinding):
            return None
        children = [c for c in detail if isinstance(c.tag, str)]
        for fault in binding.faults:
            part = fault.part
            if part is None:
                continue
            if part.element is not None:
                name = (namespace_of(part.element), local_name(part.element))
            else:
                name = (None, part.name)
            for child in children:
                if (namespace_of(child.tag), local_name(child.tag)) != name:
                    continue
                use = self.schemas.element_use(part.element, "") if part.element else None
                if use is None:
                    use = ElementUse(part.name, None, part.type)
                return fault, self.decode(child, use)
        return None

    def _part(self, part: SoapPart, value: Any, rpc: bool, pointer: str) -> etree._Element:
        if part.element is not None and not rpc:
            use = self.schemas.element_use(part.element, pointer)
            if use is None:
                use = ElementUse(local_name(part.element), namespace_of(part.element), None)
            return self.element(use, value, pointer)
        if part.element is not None:
            use = self.schemas.element_use(part.element, pointer)
            kind = None if use is None else self.schemas.use_type(use)
        else:
            kind = self.schemas.known_type(part.type, pointer) if part.type else None
        return self.element(ElementUse(part.name, None, kind), value, pointer)

    def _parts(
        self, parts: list[SoapPart], elements: list[etree._Element], rpc: bool, where: str
    ) -> dict[str, Any]:
        """The JSON of each of ``parts`` among ``elements``; in the body, an element that is no
        part is noted (``read``)."""
        found: dict[str, Any] = {}
        names: list[tuple[str | None, str]] = []
        matched: set[int] = set()
        for part in parts:
            name: tuple[str | None, str]
            if rpc or part.element is None:
                name = (None, part.name)
            else:
                name = (namespace_of(part.element), local_name(part.element))
            names.append(name)
            for number, child in enumerate(elements):
                if (namespace_of(child.tag), local_name(child.tag)) == name:
                    matched.add(number)
                    use = self.schemas.element_use(part.element, "") if part.element else None
                    if use is None or rpc:
                        kind = self.schemas.use_type(use) if use is not None else part.type
                        use = ElementUse(part.name, None, kind)
                    found[part.name] = self.decode(child, use, f"{where}/{part.name}")
                    break
        if where == "body":  # a header may carry what the WSDL does not say (WS-Addressing...)
            for number, child in enumerate(elements):
                if number not in matched:
                    self._undeclared(where, child.tag, names)
        return found

    # -- JSON -> XML -----------------------------------------------------------------------------

    def element(self, use: ElementUse, value: Any, pointer: str) -> etree._Element:
        element = etree.Element(clark(use.namespace, use.name))
        if value is None:
            element.set(_NIL, "true")
            return element
        self.fill(element, self.schemas.use_type(use), value, pointer)
        return element

    def fill(self, element: etree._Element, kind: TypeRef, value: Any, pointer: str) -> None:
        if not self.schemas.is_complex(kind):
            element.text = lexical(value, self.schemas.simple(kind), self.schemas, pointer)
            return
        if kind is None or kind == ANY_TYPE:
            generic = generic_element(element.tag, value)
            element.text = generic.text
            element.attrib.update(generic.attrib)
            element.extend(list(generic))
            return
        model = self.schemas.complex(kind)
        if model.has_simple_content and not model.attributes and not model.any_attribute:
            element.text = lexical(value, self.schemas.simple(model.simple), self.schemas, pointer)
            return
        if not isinstance(value, dict):
            raise InputError(f"expected an object, not {type(value).__name__}", location=pointer)
        self._fill_attributes(element, model, value, pointer)
        if "$" in value:
            simple = self.schemas.simple(model.simple) if model.has_simple_content else None
            element.text = (
                lexical(value["$"], simple, self.schemas, pointer) if simple else scalar(value["$"])
            )
        index = self.index(model)
        if model.content is not None:
            self._group(element, model.content, value, False, pointer)
        known = {use.name for use, _ in index.values()}
        for key, item in value.items():
            if key[:1] not in ("@", "$") and key not in known:
                for one in item if isinstance(item, list) else [item]:
                    element.append(generic_element(key, one))

    def _fill_attributes(
        self, element: etree._Element, model: ComplexModel, value: dict[str, Any], pointer: str
    ) -> None:
        """The ``@name`` keys as attributes: declared ones typed, any other as it is."""
        declared = set()
        for attribute in model.attributes:
            key = "@" + attribute.name
            declared.add(key)
            if key in value:
                text = lexical(
                    value[key], self.schemas.simple(attribute.type), self.schemas, pointer
                )
                element.set(clark(attribute.namespace, attribute.name), text)
        for key, item in value.items():
            if key.startswith("@") and key not in declared:
                element.set(key[1:], scalar(item))

    def _group(
        self,
        element: etree._Element,
        group: Group,
        value: dict[str, Any],
        repeated: bool,
        pointer: str,
    ) -> None:
        repeated = repeated or group.max_occurs != 1
        uses = [p for p in group.particles if isinstance(p, ElementUse)]
        if repeated and group.kind == "sequence" and len(uses) == len(group.particles) > 1:
            self._rows(element, uses, value, pointer)
            return
        for particle in group.particles:
            if isinstance(particle, Group):
                self._group(element, particle, value, repeated, pointer)
            elif isinstance(particle, ElementUse) and particle.name in value:
                item = value[particle.name]
                many = repeated or particle.max_occurs != 1
                items = item if many and isinstance(item, list) else [item]
                for number, one in enumerate(items):
                    where = f"{pointer}/{particle.name}" + (f"/{number}" if many else "")
                    element.append(self.element(particle, one, where))

    def _rows(
        self, element: etree._Element, uses: list[ElementUse], value: dict[str, Any], pointer: str
    ) -> None:
        """A repeated sequence of elements: the arrays of each, interleaved row by row."""
        columns = [(use, items(value.get(use.name))) for use in uses]
        for row in range(max(len(column) for _, column in columns)):
            for use, column in columns:
                if row < len(column):
                    element.append(self.element(use, column[row], f"{pointer}/{use.name}/{row}"))

    # -- XML -> JSON -----------------------------------------------------------------------------

    def _indexed(self, model: ComplexModel) -> tuple[ComplexModel, _Index, bool]:
        cached = self._indexes.get(id(model))
        if cached is None:
            table = {
                (use.namespace, use.name): (use, repeated)
                for use, repeated in iter_element_uses(model.content)
            }
            cached = self._indexes[id(model)] = (model, table, _has_wildcard(model.content))
        return cached

    def index(self, model: ComplexModel) -> _Index:
        return self._indexed(model)[1]

    def decode(self, element: etree._Element, use: ElementUse, where: str = "") -> Any:
        if element.get(_NIL) in ("true", "1"):
            return None
        return self.value(element, self.schemas.use_type(use), where)

    def _undeclared(self, where: str, tag: str, index: Iterable[tuple[str | None, str]]) -> None:
        """Note ``tag``, an element the model at ``where`` neither declares nor admits."""
        if self._misplaced is None or len(self._misplaced) >= _MAX_MISPLACED:
            return
        local = local_name(tag)
        declared = [clark(ns, name) for ns, name in index if name == local]
        shown = tag if namespace_of(tag) else f"{local} (no namespace)"
        what = f"element {shown} is not declared here"
        if declared:
            names = ", ".join(d if namespace_of(d) else f"{d} (no namespace)" for d in declared)
            what += f": the XSD declares {names}"
        self._misplaced.append(f"{where or '(body)'}: {what}")

    def value(self, element: etree._Element, kind: TypeRef, where: str = "") -> Any:
        if not self.schemas.is_complex(kind):
            return typed(element.text or "", self.schemas.simple(kind), self.schemas)
        if kind is None or kind == ANY_TYPE:
            return generic_value(element)
        model = self.schemas.complex(kind)
        if model.has_simple_content and not model.attributes and not model.any_attribute:
            return typed(element.text or "", self.schemas.simple(model.simple), self.schemas)
        result = self._attributes(element, model)
        if model.has_simple_content:
            result["$"] = typed(element.text or "", self.schemas.simple(model.simple), self.schemas)
        elif model.mixed and element.text and element.text.strip():
            result["$"] = element.text
        _, index, wildcard = self._indexed(model)
        for child in element:
            if isinstance(child.tag, str):
                self._child(result, child, index, wildcard, where)
        return result

    def _child(
        self,
        result: dict[str, Any],
        child: etree._Element,
        index: _Index,
        wildcard: bool,
        where: str,
    ) -> None:
        """Put ``child``'s JSON in ``result``, the object of its parent at ``where``: under its
        particle's name (an array if the particle repeats), else as wildcard content."""
        tag = str(child.tag)
        found = index.get((namespace_of(tag), local_name(tag)))
        if found is None:
            if not wildcard:
                self._undeclared(where, tag, index)
            key = tag if namespace_of(tag) else local_name(tag)
            put(result, key, generic_value(child), key in result)
            return
        use, repeated = found
        if repeated:
            so_far = result.get(use.name)
            number = len(so_far) if isinstance(so_far, list) else 0
            decoded = self.decode(child, use, f"{where}/{use.name}/{number}")
            result.setdefault(use.name, []).append(decoded)
        else:
            result[use.name] = self.decode(child, use, f"{where}/{use.name}")

    def _attributes(self, element: etree._Element, model: ComplexModel) -> dict[str, Any]:
        """The element's attributes as ``@name`` keys: declared ones typed, others as text."""
        result: dict[str, Any] = {}
        declared = set()
        for attribute in model.attributes:
            name = clark(attribute.namespace, attribute.name)
            declared.add(name)
            if name in element.attrib:
                result["@" + attribute.name] = typed(
                    element.attrib[name], self.schemas.simple(attribute.type), self.schemas
                )
        if model.any_attribute:
            for name, text in element.attrib.items():
                if name not in declared and namespace_of(name) != XSI:
                    result["@" + local_name(name)] = text
        return result


def message_to_xml(
    version: ConnectorVersion, action: Action | str, value: dict[str, Any], direction: str = "input"
) -> etree._Element:
    """``MessageConverter(version).to_xml(...)``, for one message."""
    return MessageConverter(version).to_xml(action, value, direction)


def message_from_xml(
    version: ConnectorVersion,
    action: Action | str,
    envelope: etree._Element,
    direction: str = "output",
) -> dict[str, Any]:
    """``MessageConverter(version).from_xml(...)``, for one message."""
    return MessageConverter(version).from_xml(action, envelope, direction)
