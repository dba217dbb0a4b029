"""Helpers for the SOAP tests: write small WSDLs and XSDs, onboard them, time hostile inputs."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectory import ConnectorVersion, inspect
from tests.conftest import FIXTURES

WSDL_FIXTURES = FIXTURES / "wsdl"
CALCULATOR = WSDL_FIXTURES / "calculator-soap11and12.wsdl"
CYBERSOURCE = WSDL_FIXTURES / "cybersource" / "CyberSourceTransaction_1.26.wsdl"

NAMESPACES = (
    'xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" '
    'xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" '
    'xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    'xmlns:tns="urn:test" targetNamespace="urn:test"'
)


def definitions(body: str, extra: str = "") -> str:
    """A ``wsdl:definitions`` document with the usual namespaces around ``body``."""
    return f'<?xml version="1.0"?>\n<wsdl:definitions {NAMESPACES} {extra}>\n{body}\n</wsdl:definitions>\n'


ECHO_TYPES = """
<wsdl:types>
  <xs:schema targetNamespace="urn:test" elementFormDefault="qualified">
    <xs:element name="Echo"><xs:complexType><xs:sequence>
      <xs:element name="text" type="xs:string"/>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="EchoResponse"><xs:complexType><xs:sequence>
      <xs:element name="text" type="xs:string"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:schema>
</wsdl:types>
<wsdl:message name="EchoIn"><wsdl:part name="parameters" element="tns:Echo"/></wsdl:message>
<wsdl:message name="EchoOut"><wsdl:part name="parameters" element="tns:EchoResponse"/></wsdl:message>
<wsdl:portType name="EchoPort">
  <wsdl:operation name="Echo"><wsdl:input message="tns:EchoIn"/><wsdl:output message="tns:EchoOut"/></wsdl:operation>
</wsdl:portType>
"""


def echo_binding(name: str = "EchoBinding", extra: str = "", operation_extra: str = "") -> str:
    return f"""
<wsdl:binding name="{name}" type="tns:EchoPort">
  <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
  {extra}
  <wsdl:operation name="Echo">
    <soap:operation soapAction="urn:test#Echo"/>
    {operation_extra}
    <wsdl:input><soap:body use="literal"/></wsdl:input>
    <wsdl:output><soap:body use="literal"/></wsdl:output>
  </wsdl:operation>
</wsdl:binding>
"""


def echo_service(
    binding: str = "tns:EchoBinding", address: str = "http://echo.example/soap"
) -> str:
    return f"""
<wsdl:service name="EchoService">
  <wsdl:port name="EchoPort" binding="{binding}"><soap:address location="{address}"/></wsdl:port>
</wsdl:service>
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def onboard(source: str | Path, **kwargs: Any) -> ConnectorVersion:
    return inspect(source, **kwargs)


def timed(fn: Callable[[], object]) -> tuple[float, BaseException | None]:
    """Seconds ``fn`` took, and what it raised (None when it returned)."""
    started = time.process_time()
    try:
        fn()
    except BaseException as error:
        return time.process_time() - started, error
    return time.process_time() - started, None
