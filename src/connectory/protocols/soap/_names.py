"""Namespaces of WSDL 1.1, SOAP, XSD and WS-Policy, and QNames as ``{namespace}local`` strings.

A QName in an attribute value (``type="tns:Foo"``) is resolved against the namespaces in scope at
the element that carries it; an unprefixed value takes the default namespace (WSDL 1.1 and XSD both
say so). Everything downstream handles QNames in Clark notation, as lxml writes tags.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from .findings import Findings

__all__ = [
    "SOAP11",
    "SOAP11_ENV",
    "SOAP12",
    "SOAP12_ENV",
    "SOAP_ENCODING",
    "SOAP_HTTP_TRANSPORT",
    "WSDL",
    "WSP_NAMESPACES",
    "WSSE",
    "WSU",
    "XML",
    "XSD",
    "XSI",
    "attribute_qname",
    "clark",
    "local_name",
    "namespace_of",
    "resolve_qname",
]

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
SOAP_ENCODING = "http://schemas.xmlsoap.org/soap/encoding/"
SOAP_HTTP_TRANSPORT = "http://schemas.xmlsoap.org/soap/http"
XSD = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSP_NAMESPACES = frozenset(
    {
        "http://schemas.xmlsoap.org/ws/2004/09/policy",
        "http://www.w3.org/ns/ws-policy",
        "http://www.w3.org/2006/07/ws-policy",
    }
)


def clark(namespace: str | None, local: str) -> str:
    """``{namespace}local``, or just ``local`` without a namespace."""
    return f"{{{namespace}}}{local}" if namespace else local


def local_name(qname: str) -> str:
    return qname.rsplit("}", 1)[-1]


def namespace_of(qname: str) -> str | None:
    return qname[1:].split("}", 1)[0] if qname.startswith("{") else None


def resolve_qname(element: etree._Element, value: str | None) -> str | None:
    """The QName written ``prefix:local`` in an attribute of ``element``, in Clark notation.

    None when ``value`` is missing or its prefix is not declared (the caller reports it).
    """
    if not value:
        return None
    value = value.strip()
    prefix, _, local = value.rpartition(":")
    namespaces = element.nsmap
    if not prefix:
        return clark(namespaces.get(None), local)
    if prefix == "xml":
        return clark(XML, local)
    namespace = namespaces.get(prefix)
    if namespace is None:
        return None
    return clark(namespace, local)


def attribute_qname(
    element: etree._Element, attribute: str, where: str, findings: Findings
) -> str | None:
    """``resolve_qname`` of ``element``'s ``attribute``; an undeclared prefix is an error finding."""
    value = element.get(attribute)
    resolved = resolve_qname(element, value)
    if value and resolved is None:
        findings.error(
            "undeclared-prefix", where, f"{attribute}={value!r} uses an undeclared prefix"
        )
    return resolved
