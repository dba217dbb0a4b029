"""SOAP actions at run time: the input as an envelope, the answer (or its fault) as JSON.

The envelope is built by ``protocols.soap.convert`` from the version's own XSD models (no I/O),
in the binding's SOAP version: 1.1 sends ``text/xml`` with a ``SOAPAction`` header, 1.2
``application/soap+xml`` with the action as a media type parameter. The answer is parsed with the
same hardened parser as WSDLs (no DTD, no entity, no network) and converted back; a ``Fault``
becomes ``{"fault": {"code", "message", "detail"}}`` and matches the output ``fault``.
"""

from __future__ import annotations

from typing import Any

import httpx
from lxml import etree

from connectory.errors import (
    ConnectoryError,
    InputError,
)
from connectory.model.version import (
    Action,
    ConnectorVersion,
    SoapBinding,
)
from connectory.protocols.soap._names import (
    SOAP11_ENV,
    SOAP12_ENV,
)
from connectory.protocols.soap._xml import parse_xml
from connectory.settings import Settings

from .convert import MessageConverter

__all__ = ["soap_answer", "soap_request"]


def soap_request(
    version: ConnectorVersion, action: Action, given: Any, server: str | None
) -> httpx.Request:
    binding = action.binding
    assert isinstance(binding, SoapBinding)
    address = server or binding.address
    if not address:
        raise InputError(f"{action.name} has no address in its WSDL: give one (--server)")
    envelope = MessageConverter(version).to_xml(action, given or {}, "input")
    content = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
    soap_action = binding.soap_action or ""
    if binding.soap_version == "1.2":
        media = "application/soap+xml; charset=utf-8"
        headers = {"Content-Type": media + (f'; action="{soap_action}"' if soap_action else "")}
    else:
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{soap_action}"'}
    return httpx.Request("POST", address, content=content, headers=headers)


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return "".join(element.itertext()).strip() or None


def _fault(body: etree._Element) -> dict[str, Any] | None:
    fault = next(iter(body), None)
    if fault is None or etree.QName(fault).localname != "Fault":
        return None
    if etree.QName(fault).namespace == SOAP12_ENV:
        code = fault.find(f"{{{SOAP12_ENV}}}Code/{{{SOAP12_ENV}}}Value")
        reason = fault.find(f"{{{SOAP12_ENV}}}Reason/{{{SOAP12_ENV}}}Text")
        detail = fault.find(f"{{{SOAP12_ENV}}}Detail")
    else:
        code, reason, detail = (
            fault.find("faultcode"),
            fault.find("faultstring"),
            fault.find("detail"),
        )
    return {"code": _text(code), "message": _text(reason), "detail": _text(detail)}


def soap_answer(
    version: ConnectorVersion, action: Action, content: bytes, shown: str, settings: Settings
) -> tuple[Any, str | None, list[str]]:
    """``(body, output, problems)`` of a SOAP answer: its JSON form, ``output`` or ``fault``,
    and what did not convert."""
    if not content.strip():
        return "", None, []
    try:
        envelope = parse_xml(content, shown, settings)
    except ConnectoryError as error:
        return content.decode("utf-8", errors="replace"), None, [f"not a SOAP envelope: {error}"]
    body = next(
        (child for child in envelope if etree.QName(child).localname == "Body"
         and etree.QName(child).namespace in (SOAP11_ENV, SOAP12_ENV)),
        None,
    )  # fmt: skip
    if body is None:
        return etree.tostring(envelope, encoding="unicode"), None, ["no SOAP Body in the answer"]
    fault = _fault(body)
    if fault is not None:
        return {"fault": fault}, "fault", []
    try:
        return MessageConverter(version).from_xml(action, envelope, "output"), "output", []
    except ConnectoryError as error:
        return etree.tostring(envelope, encoding="unicode"), "output", [str(error)]
