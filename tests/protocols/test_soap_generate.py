"""WSDL -> actions, bindings, metadata, definitions and findings (real fixtures and small WSDLs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectory import ConnectorVersion, ProtocolError
from connectory.model.version import SoapBinding, definition_uri
from connectory.runtime.soap.convert import MessageConverter
from connectory.schemas.validation import validate
from tests.support.soap import (
    CALCULATOR,
    CYBERSOURCE,
    ECHO_TYPES,
    definitions,
    echo_binding,
    echo_service,
    onboard,
    write,
)


def _binding(version: ConnectorVersion, name: str) -> SoapBinding:
    binding = version.action(name).binding
    assert isinstance(binding, SoapBinding)
    return binding


def test_the_calculator_gives_one_action_per_operation_of_each_port() -> None:
    version = onboard(CALCULATOR)
    assert version.protocol == "soap"
    assert [a.name for a in version.actions] == [
        f"{port}.{op}"
        for port in ("CalculatorSoap", "CalculatorSoap12")
        for op in ("Add", "Subtract", "Multiply", "Divide")
    ]
    add11, add12 = (
        _binding(version, "CalculatorSoap.Add"),
        _binding(version, "CalculatorSoap12.Add"),
    )
    assert (add11.service, add11.port, add11.binding, add11.operation) == (
        "Calculator",
        "CalculatorSoap",
        "CalculatorSoap",
        "Add",
    )
    assert add11.soap_action == add12.soap_action == "http://tempuri.org/Add"
    assert (add11.soap_version, add12.soap_version) == ("1.1", "1.2")
    assert add11.style == "document"
    assert add11.address == "http://www.dneonline.com/calculator.asmx"
    assert add11.input
    assert add11.input.body[0].element == "{http://tempuri.org/}Add"
    assert add11.output
    assert add11.output.body[0].element == "{http://tempuri.org/}AddResponse"
    assert version.metadata.protocol == "soap"
    assert [(e.port, e.soap_version) for e in version.metadata.endpoints] == [
        ("CalculatorSoap", "1.1"),
        ("CalculatorSoap12", "1.2"),
    ]
    assert version.findings == []
    assert validate(version) == []


def test_an_actions_input_refers_to_the_mirror_of_its_element() -> None:
    version = onboard(CALCULATOR)
    definition = version.definitions[0]
    assert definition.format == "xsd"
    assert definition.name == "calculator-soap11and12.wsdl#schema1"
    assert definition.namespace == "http://tempuri.org/"
    assert '<s:element name="Add">' in str(definition.content)
    action = version.action("CalculatorSoap.Add")
    assert action.input == {
        "type": "object",
        "properties": {
            "body": {
                "type": "object",
                "properties": {
                    "parameters": {"$ref": f"{definition_uri(definition.name)}#/$defs/element:Add"}
                },
                "required": ["parameters"],
                "additionalProperties": False,
            }
        },
        "required": ["body"],
        "additionalProperties": False,
    }
    assert definition.json_schema is not None
    assert definition.json_schema["$defs"]["element:Add"] == {
        "type": "object",
        "properties": {
            "intA": {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1},
            "intB": {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1},
        },
        "required": ["intA", "intB"],
        "additionalProperties": False,
    }
    assert [o.status for o in action.outputs] == ["output"]


def test_an_imported_xsd_is_a_definition_of_its_own() -> None:
    version = onboard(CYBERSOURCE)
    assert [d.name for d in version.definitions] == [
        "CyberSourceTransaction_1.26.wsdl#schema1",
        "CyberSourceTransaction_1.26.xsd",
    ]
    xsd = version.definition("CyberSourceTransaction_1.26.xsd")
    assert xsd.namespace == "urn:schemas-cybersource-com:transaction-data-1.26"
    assert xsd.json_schema
    assert "element:requestMessage" in xsd.json_schema["$defs"]
    assert [a.name for a in version.actions] == ["portXML.runTransaction"]
    assert validate(version) == []


def test_the_version_survives_a_json_round_trip() -> None:
    version = onboard(CYBERSOURCE)
    assert ConnectorVersion.model_validate_json(version.model_dump_json()) == version


def test_rpc_style_wraps_typed_parts(tmp_path: Path) -> None:
    body = """
<wsdl:message name="AddIn"><wsdl:part name="a" type="xs:int"/><wsdl:part name="b" type="xs:int"/></wsdl:message>
<wsdl:message name="AddOut"><wsdl:part name="sum" type="xs:long"/></wsdl:message>
<wsdl:portType name="Calc"><wsdl:operation name="Add" parameterOrder="a b">
  <wsdl:input message="tns:AddIn"/><wsdl:output message="tns:AddOut"/></wsdl:operation></wsdl:portType>
<wsdl:binding name="CalcRpc" type="tns:Calc">
  <soap12:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
  <wsdl:operation name="Add"><soap12:operation soapAction=""/>
    <wsdl:input><soap12:body use="literal" namespace="urn:calc"/></wsdl:input>
    <wsdl:output><soap12:body use="literal" namespace="urn:calc"/></wsdl:output>
  </wsdl:operation>
</wsdl:binding>
<wsdl:service name="CalcService"><wsdl:port name="Rpc" binding="tns:CalcRpc">
  <soap12:address location="http://calc.example/rpc"/></wsdl:port></wsdl:service>
"""
    version = onboard(write(tmp_path, "rpc.wsdl", definitions(body)))
    binding = _binding(version, "Rpc.Add")
    assert (binding.style, binding.soap_version, binding.soap_action) == ("rpc", "1.2", None)
    assert binding.input
    assert binding.input.wrapper == "{urn:calc}Add"
    assert binding.output
    assert binding.output.wrapper == "{urn:calc}AddResponse"
    assert [(p.name, p.type) for p in binding.input.body] == [
        ("a", "{http://www.w3.org/2001/XMLSchema}int"),
        ("b", "{http://www.w3.org/2001/XMLSchema}int"),
    ]
    body_schema = version.action("Rpc.Add").input["properties"]["body"]  # type: ignore[index]
    assert body_schema["required"] == ["a", "b"]
    assert body_schema["properties"]["a"]["type"] == "integer"
    converter = MessageConverter(version)
    envelope = converter.to_xml("Rpc.Add", {"body": {"a": 1, "b": 2}})
    [wrapper] = envelope.find("{http://www.w3.org/2003/05/soap-envelope}Body")
    assert wrapper.tag == "{urn:calc}Add"
    assert [(child.tag, child.text) for child in wrapper] == [("a", "1"), ("b", "2")]
    assert converter.from_xml("Rpc.Add", envelope, "input") == {"body": {"a": 1, "b": 2}}


def test_headers_and_faults_are_described(tmp_path: Path) -> None:
    types = """
<wsdl:types><xs:schema targetNamespace="urn:test" elementFormDefault="qualified">
  <xs:element name="Auth"><xs:complexType><xs:sequence><xs:element name="token" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
  <xs:element name="Oops"><xs:complexType><xs:sequence><xs:element name="code" type="xs:int"/></xs:sequence></xs:complexType></xs:element>
</xs:schema></wsdl:types>
<wsdl:message name="AuthHeader"><wsdl:part name="auth" element="tns:Auth"/></wsdl:message>
<wsdl:message name="OopsFault"><wsdl:part name="detail" element="tns:Oops"/></wsdl:message>
"""
    port_type = ECHO_TYPES.replace(
        '<wsdl:output message="tns:EchoOut"/>',
        '<wsdl:output message="tns:EchoOut"/><wsdl:fault name="Oops" message="tns:OopsFault"/>',
    )
    binding = (
        echo_binding()
        .replace(
            '<wsdl:input><soap:body use="literal"/></wsdl:input>',
            '<wsdl:input><soap:body use="literal"/><soap:header message="tns:AuthHeader" part="auth" use="literal"/></wsdl:input>',
        )
        .replace(
            "</wsdl:output>",
            '</wsdl:output><wsdl:fault name="Oops"><soap:fault name="Oops" use="literal"/></wsdl:fault>',
        )
    )
    version = onboard(
        write(tmp_path, "h.wsdl", definitions(types + port_type + binding + echo_service()))
    )
    action = version.action("EchoPort.Echo")
    soap = _binding(version, "EchoPort.Echo")
    assert soap.input
    assert [(h.name, h.element, h.message) for h in soap.input.headers] == [
        ("auth", "{urn:test}Auth", "{urn:test}AuthHeader")
    ]
    assert [(f.name, f.part and f.part.element) for f in soap.faults] == [
        ("Oops", "{urn:test}Oops")
    ]
    assert [o.status for o in action.outputs] == ["output", "fault:Oops"]
    assert action.input
    assert set(action.input["properties"]) == {"body", "header"}
    assert validate(version) == []


def test_a_binding_without_a_service_still_yields_actions(tmp_path: Path) -> None:
    version = onboard(write(tmp_path, "nosvc.wsdl", definitions(ECHO_TYPES + echo_binding())))
    assert [a.name for a in version.actions] == ["EchoBinding.Echo"]
    binding = _binding(version, "EchoBinding.Echo")
    assert (binding.service, binding.port, binding.address) == (None, None, None)
    assert [(f.severity, f.kind) for f in version.findings] == [("warning", "no-service")]
    assert version.findings[0].location == "nosvc.wsdl#/binding[@name='EchoBinding']"
    assert [(e.service, e.binding) for e in version.metadata.endpoints] == [(None, "EchoBinding")]


def test_a_port_naming_a_missing_binding_is_a_finding(tmp_path: Path) -> None:
    text = definitions(ECHO_TYPES + echo_binding() + echo_service("tns:Nowhere"))
    version = onboard(write(tmp_path, "dangling.wsdl", text))
    assert [a.name for a in version.actions] == ["EchoBinding.Echo"]
    kinds = {f.kind: f for f in version.findings}
    assert set(kinds) == {"missing-binding", "no-service"}
    assert "{urn:test}Nowhere" in kinds["missing-binding"].message
    assert kinds["missing-binding"].location.endswith("/port[@name='EchoPort']")


def test_http_ports_are_left_out_with_a_finding(tmp_path: Path) -> None:
    http = """
<wsdl:binding name="EchoGet" type="tns:EchoPort" xmlns:http="http://schemas.xmlsoap.org/wsdl/http/">
  <http:binding verb="GET"/><wsdl:operation name="Echo"><http:operation location="/Echo"/></wsdl:operation>
</wsdl:binding>
<wsdl:service name="EchoService">
  <wsdl:port name="EchoPort" binding="tns:EchoBinding"><soap:address location="http://e.example/"/></wsdl:port>
  <wsdl:port name="EchoHttpGet" binding="tns:EchoGet"><http:address xmlns:http="http://schemas.xmlsoap.org/wsdl/http/" location="http://e.example/"/></wsdl:port>
</wsdl:service>
"""
    version = onboard(write(tmp_path, "get.wsdl", definitions(ECHO_TYPES + echo_binding() + http)))
    assert [a.name for a in version.actions] == ["EchoPort.Echo"]
    assert [(f.severity, f.kind) for f in version.findings] == [("info", "non-soap-port")]


def test_names_are_qualified_by_service_when_ports_share_a_name(tmp_path: Path) -> None:
    services = echo_service().replace('name="EchoService"', 'name="A"') + echo_service().replace(
        'name="EchoService"', 'name="B"'
    )
    version = onboard(
        write(tmp_path, "two.wsdl", definitions(ECHO_TYPES + echo_binding() + services))
    )
    assert [a.name for a in version.actions] == ["A.EchoPort.Echo", "B.EchoPort.Echo"]


def test_names_stay_unique_for_overloaded_operations(tmp_path: Path) -> None:
    binding = (
        echo_binding().replace("</wsdl:binding>", "")
        + echo_binding().split(
            '<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>'
        )[1]
    )
    version = onboard(
        write(tmp_path, "over.wsdl", definitions(ECHO_TYPES + binding + echo_service()))
    )
    assert [a.name for a in version.actions] == ["EchoPort.Echo", "EchoPort.Echo_2"]


def test_missing_components_are_findings_not_crashes(tmp_path: Path) -> None:
    body = """
<wsdl:types><xs:schema targetNamespace="urn:test">
  <xs:element name="In"><xs:complexType><xs:sequence>
    <xs:element name="x" type="tns:Missing"/><xs:element name="y" type="nope:T"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema></wsdl:types>
<wsdl:message name="M"><wsdl:part name="p" element="tns:In"/></wsdl:message>
<wsdl:portType name="P">
  <wsdl:operation name="Op"><wsdl:input message="tns:M"/><wsdl:output message="tns:Gone"/></wsdl:operation>
</wsdl:portType>
<wsdl:binding name="B" type="tns:P"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
  <wsdl:operation name="Op"><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  <wsdl:operation name="NotInPortType"><wsdl:input><soap:body use="literal"/></wsdl:input></wsdl:operation>
</wsdl:binding>
<wsdl:service name="S"><wsdl:port name="P" binding="tns:B"><soap:address location="http://x.example/"/></wsdl:port></wsdl:service>
"""
    version = onboard(write(tmp_path, "broken.wsdl", definitions(body)))
    assert [a.name for a in version.actions] == ["P.Op"]
    kinds = sorted(f.kind for f in version.findings)
    assert kinds == [
        "undeclared-prefix",
        "unresolved-message",
        "unresolved-operation",
        "unresolved-type",
    ]
    assert validate(version) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (definitions(ECHO_TYPES), "no SOAP 1.1 or 1.2 binding"),
        (
            '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><types/></definitions>',
            "no SOAP 1.1 or 1.2 binding",
        ),
    ],
)
def test_a_wsdl_without_a_soap_binding_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        onboard(write(tmp_path, "none.wsdl", text))
