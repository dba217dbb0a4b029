"""A SOAP 1.1 and 1.2 endpoint on loopback for exact numbers, structured faults and bad answers.

``LEDGER_WSDL`` declares one operation, ``Convert`` (document/literal, qualified elements in
``urn:ledger``), on a SOAP 1.1 port (``Ledger11Port``) and a SOAP 1.2 port (``Ledger12Port``):
``Convert(amount: xs:decimal, count: xs:unsignedLong)`` answers ``ConvertResponse(amount:
xs:decimal, count: xs:unsignedLong, ratio: xs:double, big: xs:integer)`` or the declared fault
``LateFault`` (detail ``Late(reason: xs:string, minutes: xs:int)``).

``ledger(seen)`` is the endpoint: it parses each envelope with lxml, records the exact text of
what it received in ``seen``, and answers by the ``count`` it was given (see ``MODES``).
"""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from lxml import etree

from tests.support.servers import Reply

LEDGER = "urn:ledger"
ENVELOPES = {
    "1.1": "http://schemas.xmlsoap.org/soap/envelope/",
    "1.2": "http://www.w3.org/2003/05/soap-envelope",
}
BIG_DECIMAL = "12345678901234567890.123456789"
BIG_INTEGER = 2**70 + 1
HUGE_COUNT = 2**64 - 1

ANSWER, DECLARED_FAULT, OTHER_FAULT, MISQUALIFIED, UNQUALIFIED_ANSWER = 1, 2, 3, 4, 5
MODES = {
    ANSWER: f"ConvertResponse: amount {BIG_DECIMAL}, count 2**64-1, ratio 0.5, big 2**70+1",
    DECLARED_FAULT: "the declared LateFault (1.2: two nested subcodes, a node, a role, 2 reasons)",
    OTHER_FAULT: "a fault whose detail no WSDL declares",
    MISQUALIFIED: "ConvertResponse with an unqualified amount (the XSD says qualified)",
    UNQUALIFIED_ANSWER: "an unqualified ConvertResponse (the part is t:ConvertResponse)",
}

_BINDING_OPERATION = """
  <wsdl:operation name="Convert">
    <{soap}:operation soapAction="urn:ledger#Convert"/>
    <wsdl:input><{soap}:body use="literal"/></wsdl:input>
    <wsdl:output><{soap}:body use="literal"/></wsdl:output>
    <wsdl:fault name="LateFault"><{soap}:fault name="LateFault" use="literal"/></wsdl:fault>
  </wsdl:operation>"""

LEDGER_WSDL = f"""<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="{LEDGER}" targetNamespace="{LEDGER}">
<wsdl:types>
  <xs:schema targetNamespace="{LEDGER}" elementFormDefault="qualified">
    <xs:element name="Convert"><xs:complexType><xs:sequence>
      <xs:element name="amount" type="xs:decimal"/>
      <xs:element name="count" type="xs:unsignedLong"/>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="ConvertResponse"><xs:complexType><xs:sequence>
      <xs:element name="amount" type="xs:decimal"/>
      <xs:element name="count" type="xs:unsignedLong"/>
      <xs:element name="ratio" type="xs:double"/>
      <xs:element name="big" type="xs:integer"/>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="Late"><xs:complexType><xs:sequence>
      <xs:element name="reason" type="xs:string"/>
      <xs:element name="minutes" type="xs:int"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:schema>
</wsdl:types>
<wsdl:message name="ConvertIn"><wsdl:part name="parameters" element="tns:Convert"/></wsdl:message>
<wsdl:message name="ConvertOut"><wsdl:part name="parameters" element="tns:ConvertResponse"/></wsdl:message>
<wsdl:message name="LateFault"><wsdl:part name="detail" element="tns:Late"/></wsdl:message>
<wsdl:portType name="Ledger">
  <wsdl:operation name="Convert">
    <wsdl:input message="tns:ConvertIn"/>
    <wsdl:output message="tns:ConvertOut"/>
    <wsdl:fault name="LateFault" message="tns:LateFault"/>
  </wsdl:operation>
</wsdl:portType>
<wsdl:binding name="Ledger11" type="tns:Ledger">
  <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
  {_BINDING_OPERATION.format(soap="soap")}
</wsdl:binding>
<wsdl:binding name="Ledger12" type="tns:Ledger">
  <soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
  {_BINDING_OPERATION.format(soap="soap12")}
</wsdl:binding>
<wsdl:service name="LedgerService">
  <wsdl:port name="Ledger11Port" binding="tns:Ledger11">
    <soap:address location="http://ledger.example/soap"/>
  </wsdl:port>
  <wsdl:port name="Ledger12Port" binding="tns:Ledger12">
    <soap12:address location="http://ledger.example/soap"/>
  </wsdl:port>
</wsdl:service>
</wsdl:definitions>
"""


def _envelope(version: str, inner: str, status: int = 200) -> Reply:
    body = (
        f'<?xml version="1.0"?><s:Envelope xmlns:s="{ENVELOPES[version]}" '
        f'xmlns:t="{LEDGER}"><s:Body>{inner}</s:Body></s:Envelope>'
    )
    media = "text/xml" if version == "1.1" else "application/soap+xml"
    return Reply(status, body.encode(), {"Content-Type": f"{media}; charset=utf-8"})


def _fault(version: str, detail: str, nested: bool) -> Reply:
    if version == "1.1":
        inner = (
            "<s:Fault><faultcode>s:Server</faultcode><faultstring>too late</faultstring>"
            f"<faultactor>urn:ledger:clock</faultactor><detail>{detail}</detail></s:Fault>"
        )
        return _envelope(version, inner, 500)
    subcodes = (
        "<s:Subcode><s:Value>t:Late</s:Value>"
        "<s:Subcode><s:Value>t:AfterHours</s:Value></s:Subcode></s:Subcode>"
        if nested
        else ""
    )
    inner = (
        f"<s:Fault><s:Code><s:Value>s:Receiver</s:Value>{subcodes}</s:Code>"
        '<s:Reason><s:Text xml:lang="en">too late</s:Text>'
        '<s:Text xml:lang="fr">trop tard</s:Text></s:Reason>'
        "<s:Node>urn:ledger:node</s:Node><s:Role>urn:ledger:clock</s:Role>"
        f"<s:Detail>{detail}</s:Detail></s:Fault>"
    )
    return _envelope(version, inner, 500)


def ledger(seen: list[dict[str, Any]]) -> Callable[[BaseHTTPRequestHandler], Reply]:
    """The endpoint: records ``{"version", "amount", "count"}`` (the texts received) and answers
    as ``MODES`` says for the ``count`` it was given."""

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        data = handler.rfile.read(int(handler.headers["Content-Length"]))
        envelope = etree.fromstring(data)
        version = "1.2" if etree.QName(envelope).namespace == ENVELOPES["1.2"] else "1.1"
        call = envelope.find(f"{{{ENVELOPES[version]}}}Body/{{{LEDGER}}}Convert")
        amount = call.findtext(f"{{{LEDGER}}}amount")
        count = call.findtext(f"{{{LEDGER}}}count")
        seen.append({"version": version, "amount": amount, "count": count})
        mode = int(count)
        if mode == DECLARED_FAULT:
            late = "<t:Late><t:reason>too late</t:reason><t:minutes>1</t:minutes></t:Late>"
            return _fault(version, late, nested=True)
        if mode == OTHER_FAULT:
            other = '<x:Other xmlns:x="urn:other" x:level="3"><x:code>7</x:code></x:Other>'
            return _fault(version, other, nested=False)
        amount_element = "amount" if mode == MISQUALIFIED else "t:amount"
        response = "ConvertResponse" if mode == UNQUALIFIED_ANSWER else "t:ConvertResponse"
        inner = (
            f"<{response}><{amount_element}>{BIG_DECIMAL}</{amount_element}>"
            f"<t:count>{HUGE_COUNT}</t:count><t:ratio>0.5</t:ratio>"
            f"<t:big>{BIG_INTEGER}</t:big></{response}>"
        )
        return _envelope(version, inner)

    return route
