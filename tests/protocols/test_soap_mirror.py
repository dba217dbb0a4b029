"""The JSON Schema mirror: its rules on a schema that uses them all, checked against xmlschema.

Every JSON document here is first checked against the mirror (jsonschema, 2020-12), then converted
to a SOAP envelope, whose part is validated by xmlschema compiling the same XSD, then converted
back, which must give the same JSON.
"""

from __future__ import annotations

from typing import Any

import pytest

from connectory import ConnectorVersion, InputError, validator_for
from connectory.vetting.xsd import check_round_trip, compile_xsd
from tests.support.soap import definitions, onboard, write

TYPES = """
<wsdl:types><xs:schema targetNamespace="urn:test" xmlns:tns="urn:test" elementFormDefault="qualified">
  <xs:simpleType name="Code"><xs:restriction base="xs:string">
    <xs:pattern value="[A-Z]{2}-\\d+"/><xs:maxLength value="8"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Colour"><xs:restriction base="xs:string">
    <xs:enumeration value="red"/><xs:enumeration value="green"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="Sizes"><xs:list itemType="xs:int"/></xs:simpleType>
  <xs:complexType name="Money"><xs:simpleContent><xs:extension base="xs:decimal">
    <xs:attribute name="currency" type="xs:string" use="required"/></xs:extension></xs:simpleContent></xs:complexType>
  <xs:complexType name="Base"><xs:sequence><xs:element name="id" type="xs:long"/></xs:sequence>
    <xs:attribute name="version" type="xs:int"/></xs:complexType>
  <xs:complexType name="Order"><xs:complexContent><xs:extension base="tns:Base"><xs:sequence>
    <xs:element name="code" type="tns:Code"/>
    <xs:element name="colour" type="tns:Colour" minOccurs="0"/>
    <xs:element name="price" type="tns:Money"/>
    <xs:element name="line" maxOccurs="unbounded"><xs:complexType><xs:sequence>
      <xs:element name="sku" type="xs:string"/><xs:element name="qty" type="xs:unsignedByte"/>
    </xs:sequence></xs:complexType></xs:element>
    <xs:choice>
      <xs:element name="email" type="xs:string"/>
      <xs:sequence><xs:element name="phone" type="xs:string"/><xs:element name="ext" type="xs:string" minOccurs="0"/></xs:sequence>
    </xs:choice>
    <xs:element name="note" type="xs:string" nillable="true"/>
    <xs:element name="sizes" type="tns:Sizes" minOccurs="0"/>
    <xs:element name="paid" type="xs:boolean" minOccurs="0"/>
    <xs:element name="extra" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:any processContents="skip" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:extension></xs:complexContent></xs:complexType>
  <xs:element name="PlaceOrder"><xs:complexType><xs:sequence>
    <xs:element name="order" type="tns:Order"/></xs:sequence></xs:complexType></xs:element>
  <xs:element name="PlaceOrderResponse" type="xs:string"/>
</xs:schema></wsdl:types>
<wsdl:message name="In"><wsdl:part name="parameters" element="tns:PlaceOrder"/></wsdl:message>
<wsdl:message name="Out"><wsdl:part name="parameters" element="tns:PlaceOrderResponse"/></wsdl:message>
<wsdl:portType name="Shop"><wsdl:operation name="PlaceOrder">
  <wsdl:input message="tns:In"/><wsdl:output message="tns:Out"/></wsdl:operation></wsdl:portType>
<wsdl:binding name="ShopSoap" type="tns:Shop"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
  <wsdl:operation name="PlaceOrder"><soap:operation soapAction="urn:PlaceOrder"/>
    <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>
  </wsdl:operation></wsdl:binding>
<wsdl:service name="Shop"><wsdl:port name="ShopSoap" binding="tns:ShopSoap">
  <soap:address location="http://shop.example/soap"/></wsdl:port></wsdl:service>
"""

ORDER: dict[str, Any] = {
    "@version": 3,
    "id": 7,
    "code": "AB-12",
    "colour": "green",
    "price": {"$": 12.5, "@currency": "EUR"},
    "line": [{"sku": "s1", "qty": 2}, {"sku": "s2", "qty": 255}],
    "phone": "555",
    "ext": "12",
    "note": None,
    "sizes": [1, 2, 3],
    "paid": False,
    "extra": {"anything": "goes", "{urn:other}deep": {"x": "1"}},
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[ConnectorVersion, Any]:
    folder = tmp_path_factory.mktemp("shop")
    version = onboard(write(folder, "shop.wsdl", definitions(TYPES)))
    schema, findings = compile_xsd(version)
    assert findings == []
    return version, schema


def _input(order: dict[str, Any]) -> dict[str, Any]:
    return {"body": {"parameters": {"order": order}}}


def test_the_mirror_follows_the_rules(shop: tuple[ConnectorVersion, Any]) -> None:
    version, _ = shop
    defs = version.definitions[0].json_schema["$defs"]  # type: ignore[index]
    assert defs["type:Code"] == {"type": "string", "maxLength": 8, "pattern": r"^(?:[A-Z]{2}-\d+)$"}
    assert defs["type:Colour"] == {"type": "string", "enum": ["red", "green"]}
    assert defs["type:Sizes"]["type"] == "array"
    assert defs["type:Money"]["required"] == ["$", "@currency"]
    order = defs["type:Order"]
    assert list(order["properties"])[:3] == ["@version", "id", "code"]
    assert order["required"] == ["id", "code", "price", "line", "note"]
    assert order["properties"]["line"]["type"] == "array"
    assert order["properties"]["note"]["anyOf"][1] == {"type": "null"}
    assert order["additionalProperties"] is False
    [choice] = order["allOf"]
    assert choice["anyOf"] == [
        {"required": ["email"], "properties": {"ext": False, "phone": False}},
        {"required": ["phone"], "properties": {"email": False}},
    ]
    assert "additionalProperties" not in order["properties"]["extra"]  # xs:any


def test_valid_json_converts_to_xml_the_xsd_accepts_and_back(
    shop: tuple[ConnectorVersion, Any],
) -> None:
    version, schema = shop
    action = version.action("ShopSoap.PlaceOrder")
    validator = validator_for(action.input, version)  # type: ignore[arg-type]
    for order in (
        ORDER,
        {**{k: v for k, v in ORDER.items() if k not in ("phone", "ext")}, "email": "a@b"},
    ):
        value = _input(order)
        assert list(validator.iter_errors(value)) == []
        result = check_round_trip(version, action.name, value, schema)
        assert result.errors == []
        assert result.back == value


@pytest.mark.parametrize(
    "change",
    [
        {"email": "a@b"},  # both branches of the choice
        {"code": "ab-12"},  # the pattern
        {"colour": "blue"},  # the enumeration
        {"line": []},  # at least one line
        {"unknown": 1},  # not declared
        {"price": 12.5},  # simple content with a required attribute
    ],
)
def test_what_the_xsd_refuses_the_mirror_refuses(
    shop: tuple[ConnectorVersion, Any], change: dict[str, Any]
) -> None:
    version, schema = shop
    action = version.action("ShopSoap.PlaceOrder")
    value = _input({**ORDER, **change})
    mirror_errors = list(validator_for(action.input, version).iter_errors(value))  # type: ignore[arg-type]
    assert mirror_errors
    if change == {"price": 12.5}:
        with pytest.raises(InputError, match="expected an object"):
            check_round_trip(version, action.name, value, schema)
        return
    assert check_round_trip(version, action.name, value, schema).errors  # and so does the XSD
