"""The WSDL 1.1 model: messages, port types, bindings and services, read from parsed documents.

``read_wsdl`` merges every loaded WSDL document (the main one and those it imports) into one
``Wsdl``: components are keyed by QName (``{targetNamespace}name``), the first definition of a
QName wins and a duplicate is a finding. Only what onboarding needs is read; extension elements of
the SOAP 1.1 and SOAP 1.2 bindings (``soap:binding``, ``soap:operation``, ``soap:body``,
``soap:header``, ``soap:fault``, ``soap:address``) are read in both namespaces, also inside MIME
parts. A binding without a SOAP binding element (HTTP GET/POST) has ``soap_version=None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from ._names import SOAP11, SOAP12, WSDL, attribute_qname, clark
from .findings import Findings
from .parse import WsdlDocument

__all__ = [
    "Binding",
    "BindingIO",
    "BindingOperation",
    "Message",
    "Operation",
    "Part",
    "Port",
    "PortType",
    "Service",
    "SoapBody",
    "SoapHeaderRef",
    "Wsdl",
    "read_wsdl",
]

SoapVersion = Literal["1.1", "1.2"]
_SOAP = {SOAP11: "1.1", SOAP12: "1.2"}


def _w(tag: str) -> str:
    return f"{{{WSDL}}}{tag}"


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    element: str | None
    type: str | None


@dataclass(slots=True)
class Message:
    qname: str
    parts: list[Part]
    where: str


@dataclass(slots=True)
class Operation:
    """A portType operation: its messages (QNames), faults and documentation."""

    name: str
    input: str | None
    output: str | None
    input_name: str | None
    output_name: str | None
    faults: dict[str, str | None]
    documentation: str | None
    where: str


@dataclass(slots=True)
class PortType:
    qname: str
    operations: list[Operation]
    where: str


@dataclass(frozen=True, slots=True)
class SoapBody:
    parts: tuple[str, ...] | None
    use: str
    namespace: str | None
    encoding_style: str | None


@dataclass(frozen=True, slots=True)
class SoapHeaderRef:
    message: str | None
    part: str
    use: str


@dataclass(slots=True)
class BindingIO:
    name: str | None
    body: SoapBody | None
    headers: list[SoapHeaderRef]


@dataclass(slots=True)
class BindingOperation:
    name: str
    soap_action: str | None
    style: str | None
    input: BindingIO | None
    output: BindingIO | None
    faults: list[str]
    element: etree._Element
    where: str


@dataclass(slots=True)
class Binding:
    qname: str
    port_type: str | None
    soap_version: SoapVersion | None
    style: str
    transport: str | None
    operations: list[BindingOperation]
    element: etree._Element
    where: str


@dataclass(slots=True)
class Port:
    name: str
    binding: str | None
    address: str | None
    soap_version: SoapVersion | None
    element: etree._Element
    where: str


@dataclass(slots=True)
class Service:
    qname: str
    ports: list[Port]
    documentation: str | None
    where: str


@dataclass(slots=True)
class Wsdl:
    target_namespace: str | None
    name: str | None
    documentation: str | None
    messages: dict[str, Message] = field(default_factory=dict)
    port_types: dict[str, PortType] = field(default_factory=dict)
    bindings: dict[str, Binding] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    documents: list[WsdlDocument] = field(default_factory=list)


def documentation(element: etree._Element) -> str | None:
    doc = element.find(_w("documentation"))
    if doc is None:
        return None
    text = " ".join("".join(doc.itertext()).split())
    return text or None


def _soap_child(element: etree._Element, local: str) -> tuple[etree._Element | None, str | None]:
    """The first SOAP 1.1 or 1.2 extension element ``local`` among ``element``'s children."""
    for namespace, version in _SOAP.items():
        found = element.find(f"{{{namespace}}}{local}")
        if found is not None:
            return found, version
    return None, None


def _soap_descendants(element: etree._Element, local: str) -> list[etree._Element]:
    """SOAP extension elements ``local`` below ``element``, MIME parts included."""
    return [
        found
        for found in element.iter(f"{{{SOAP11}}}{local}", f"{{{SOAP12}}}{local}")
        if found is not element
    ]


class _Reader:
    def __init__(self, findings: Findings) -> None:
        self.findings = findings

    def qname(self, element: etree._Element, attribute: str, where: str) -> str | None:
        return attribute_qname(element, attribute, where, self.findings)

    def message(self, element: etree._Element, tns: str | None, base: str) -> Message:
        name = element.get("name", "")
        where = f"{base}/message[@name='{name}']"
        parts = []
        for part in element.iterchildren(_w("part")):
            part_where = f"{where}/part[@name='{part.get('name', '')}']"
            parts.append(
                Part(
                    part.get("name", ""),
                    self.qname(part, "element", part_where),
                    self.qname(part, "type", part_where),
                )
            )
        return Message(clark(tns, name), parts, where)

    def port_type(self, element: etree._Element, tns: str | None, base: str) -> PortType:
        name = element.get("name", "")
        where = f"{base}/portType[@name='{name}']"
        operations = []
        for op in element.iterchildren(_w("operation")):
            op_where = f"{where}/operation[@name='{op.get('name', '')}']"
            put = op.find(_w("input"))
            out = op.find(_w("output"))
            operations.append(
                Operation(
                    name=op.get("name", ""),
                    input=None if put is None else self.qname(put, "message", op_where),
                    output=None if out is None else self.qname(out, "message", op_where),
                    input_name=None if put is None else put.get("name"),
                    output_name=None if out is None else out.get("name"),
                    faults={
                        fault.get("name", ""): self.qname(fault, "message", op_where)
                        for fault in op.iterchildren(_w("fault"))
                    },
                    documentation=documentation(op),
                    where=op_where,
                )
            )
        return PortType(clark(tns, name), operations, where)

    def binding_io(self, element: etree._Element | None, where: str) -> BindingIO | None:
        if element is None:
            return None
        bodies = _soap_descendants(element, "body")
        body = None
        if bodies:
            found = bodies[0]
            parts = found.get("parts")
            body = SoapBody(
                parts=None if parts is None else tuple(parts.split()),
                use=found.get("use", "literal"),
                namespace=found.get("namespace"),
                encoding_style=found.get("encodingStyle"),
            )
        headers = [
            SoapHeaderRef(
                self.qname(header, "message", where),
                header.get("part", ""),
                header.get("use", "literal"),
            )
            for header in _soap_descendants(element, "header")
        ]
        return BindingIO(element.get("name"), body, headers)

    def binding(self, element: etree._Element, tns: str | None, base: str) -> Binding:
        name = element.get("name", "")
        where = f"{base}/binding[@name='{name}']"
        soap, version = _soap_child(element, "binding")
        operations = []
        for op in element.iterchildren(_w("operation")):
            op_where = f"{where}/operation[@name='{op.get('name', '')}']"
            soap_op, _ = _soap_child(op, "operation")
            operations.append(
                BindingOperation(
                    name=op.get("name", ""),
                    soap_action=None if soap_op is None else soap_op.get("soapAction"),
                    style=None if soap_op is None else soap_op.get("style"),
                    input=self.binding_io(op.find(_w("input")), op_where),
                    output=self.binding_io(op.find(_w("output")), op_where),
                    faults=[fault.get("name", "") for fault in op.iterchildren(_w("fault"))],
                    element=op,
                    where=op_where,
                )
            )
        return Binding(
            qname=clark(tns, name),
            port_type=self.qname(element, "type", where),
            soap_version=version,  # type: ignore[arg-type]
            style=(soap.get("style") if soap is not None else None) or "document",
            transport=None if soap is None else soap.get("transport"),
            operations=operations,
            element=element,
            where=where,
        )

    def service(self, element: etree._Element, tns: str | None, base: str) -> Service:
        name = element.get("name", "")
        where = f"{base}/service[@name='{name}']"
        ports = []
        for port in element.iterchildren(_w("port")):
            port_where = f"{where}/port[@name='{port.get('name', '')}']"
            address, version = _soap_child(port, "address")
            ports.append(
                Port(
                    name=port.get("name", ""),
                    binding=self.qname(port, "binding", port_where),
                    address=None if address is None else (address.get("location") or None),
                    soap_version=version,  # type: ignore[arg-type]
                    element=port,
                    where=port_where,
                )
            )
        return Service(clark(tns, name), ports, documentation(element), where)


def read_wsdl(documents: list[WsdlDocument], findings: Findings) -> Wsdl:
    """The merged WSDL model of ``documents`` (the main WSDL first)."""
    main = documents[0].root
    wsdl = Wsdl(
        target_namespace=main.get("targetNamespace"),
        name=main.get("name"),
        documentation=documentation(main),
        documents=documents,
    )
    reader = _Reader(findings)
    for document in documents:
        tns = document.root.get("targetNamespace")
        base = f"{document.name}#"
        for child in document.root:
            tag = child.tag
            if tag == _w("message"):
                _add(wsdl.messages, reader.message(child, tns, base), findings)
            elif tag == _w("portType"):
                _add(wsdl.port_types, reader.port_type(child, tns, base), findings)
            elif tag == _w("binding"):
                _add(wsdl.bindings, reader.binding(child, tns, base), findings)
            elif tag == _w("service"):
                _add(wsdl.services, reader.service(child, tns, base), findings)
    return wsdl


def _add(
    table: dict[str, Message] | dict[str, PortType] | dict[str, Binding] | dict[str, Service],
    component: Message | PortType | Binding | Service,
    findings: Findings,
) -> None:
    if component.qname in table:
        findings.warning(
            "duplicate-component",
            component.where,
            f"{component.qname} is defined more than once; the first definition is used",
        )
        return
    table[component.qname] = component  # type: ignore[assignment]
