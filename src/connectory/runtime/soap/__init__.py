"""SOAP actions at run time: the input as an envelope, the answer (or its fault) as JSON.

The envelope is built by ``runtime.soap.convert`` from the version's own XSD models (no I/O),
in the binding's SOAP version: 1.1 sends ``text/xml`` with a ``SOAPAction`` header, 1.2
``application/soap+xml`` with the action as a media type parameter. The answer is parsed with the
same hardened parser as WSDLs (no DTD, no entity, no network) and converted back, then checked
against the matched output's schema like an HTTP answer: what does not fit (an element in another
namespace than the XSD says, a missing one) is a problem naming it.

A ``Fault`` becomes ``{"fault": {"code", "message", "detail", ...}}``:

- ``code``: the fault code as written (``soap:Server``, ``s:Receiver``); ``message``: the
  ``faultstring`` or the first ``Reason/Text``;
- ``detail``: when it carries a fault the WSDL declares for the operation, that element's JSON
  (the answer then matches the output ``fault:<name>``, ``name`` says which, and the detail is
  checked against its schema); else its content converted generically (``{namespace}local`` keys,
  ``@`` attributes, ``$`` text), its text when it has no elements, None when there is none;
- SOAP 1.2: ``subcodes``, the ``Subcode/Value`` chain outermost first (``["t:Late", "t:Hour"]``),
  ``reasons`` (``[{"lang", "text"}]``) when there are several, ``node`` and ``role`` when given;
  SOAP 1.1: ``actor`` (``faultactor``) when given.

An undeclared fault matches the output ``fault``.
"""

from __future__ import annotations

from typing import Any

import httpx
from lxml import etree

from connectory.errors import ConnectoryError, InputError
from connectory.model.version import Action, ConnectorVersion, SoapBinding
from connectory.protocols.soap._names import SOAP11_ENV, SOAP12_ENV
from connectory.protocols.soap._xml import parse_xml
from connectory.schemas.registry import ANSWER_CHECK_SECONDS, errors_of
from connectory.settings import Settings

from ._lexical import exact_number, generic_value
from .convert import MessageConverter

__all__ = ["exact_number", "soap_answer", "soap_request"]


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


_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_MAX_SUBCODES = 20


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return "".join(element.itertext()).strip() or None


def _detail(detail: etree._Element | None) -> Any:
    """A ``detail`` no declared fault matches: its content converted generically."""
    if detail is None:
        return None
    if not any(isinstance(c.tag, str) for c in detail):
        return _text(detail)
    return generic_value(detail)


def _fault_12(fault: etree._Element) -> tuple[dict[str, Any], etree._Element | None]:
    def named(parent: etree._Element | None, name: str) -> etree._Element | None:
        return None if parent is None else parent.find(f"{{{SOAP12_ENV}}}{name}")

    code = named(fault, "Code")
    found: dict[str, Any] = {"code": _text(named(code, "Value"))}
    subcodes: list[str | None] = []
    sub = named(code, "Subcode")
    while sub is not None and len(subcodes) < _MAX_SUBCODES:
        subcodes.append(_text(named(sub, "Value")))
        sub = named(sub, "Subcode")
    texts = [] if (reason := named(fault, "Reason")) is None else list(reason)
    reasons = [
        {"lang": text.get(_XML_LANG), "text": _text(text)}
        for text in texts
        if text.tag == f"{{{SOAP12_ENV}}}Text"
    ]
    found["message"] = reasons[0]["text"] if reasons else None
    if subcodes:
        found["subcodes"] = subcodes
    if len(reasons) > 1:
        found["reasons"] = reasons
    for name in ("Node", "Role"):
        if (value := _text(named(fault, name))) is not None:
            found[name.lower()] = value
    return found, named(fault, "Detail")


def _fault(
    converter: MessageConverter, action: Action, body: etree._Element
) -> tuple[dict[str, Any], str] | None:
    """The JSON of the ``Fault`` in ``body`` and the output it matches (None: no fault)."""
    fault = next(iter(body), None)
    if fault is None or not isinstance(fault.tag, str) or etree.QName(fault).localname != "Fault":
        return None
    detail: etree._Element | None
    if etree.QName(fault).namespace == SOAP12_ENV:
        found, detail = _fault_12(fault)
    else:
        found = {
            "code": _text(fault.find("faultcode")),
            "message": _text(fault.find("faultstring")),
        }
        if (actor := _text(fault.find("faultactor"))) is not None:
            found["actor"] = actor
        detail = fault.find("detail")
    declared = None if detail is None else converter.fault_detail(action, detail)
    if declared is None:
        return {**found, "detail": _detail(detail)}, "fault"
    declaration, value = declared
    return {**found, "name": declaration.name, "detail": value}, f"fault:{declaration.name}"


def _problems(version: ConnectorVersion, action: Action, matched: str, value: Any) -> list[str]:
    """Where ``value`` (the answer's JSON) does not fit the schema of the output ``matched``: for
    a fault, the schema of its detail."""
    output = next((o for o in action.outputs if o.status == matched), None)
    if output is None or output.schema_ is None:
        return []
    schema = output.schema_
    if matched != "output":
        schema = {"properties": {"fault": {"properties": {"detail": schema}}}}
    return errors_of(schema, version, value, root="(body)", limit=50, seconds=ANSWER_CHECK_SECONDS)


def soap_answer(
    version: ConnectorVersion, action: Action, content: bytes, shown: str, settings: Settings
) -> tuple[Any, str | None, list[str]]:
    """``(body, output, problems)`` of a SOAP answer: its JSON form, the output it matched
    (``output``, ``fault:<name>``, ``fault``) and where it does not fit that output's schema."""
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
    converter = MessageConverter(version)
    misplaced: list[str] = []
    try:
        fault = _fault(converter, action, body)
        if fault is not None:
            answer, matched = {"fault": fault[0]}, fault[1]
        else:
            (answer, misplaced), matched = converter.read(action, envelope, "output"), "output"
    except ConnectoryError as error:
        return etree.tostring(envelope, encoding="unicode"), "output", [str(error)]
    return answer, matched, misplaced + _problems(version, action, matched, answer)
