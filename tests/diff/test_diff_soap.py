"""SOAP diffs: hand-made versions shaped as the WSDL generator makes them (each XSD a definition
with a JSON Schema mirror, messages referring into its ``$defs``), and real WSDL pairs made by
editing the calculator WSDL of the corpus."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from connectory import diff, inspect
from connectory.errors import ProtocolError
from connectory.model.version import (
    Action,
    ActionOutput,
    ConnectorVersion,
    Definition,
    SoapBinding,
    SoapEndpoint,
    SoapMetadata,
    definition_uri,
)
from tests.conftest import corpus_file
from tests.support.diff_documents import triples
from tests.support.samples import sha

NS = "http://tempuri.org/"
XSD = "types.xsd"
INT = {"type": "integer", "minimum": -2147483648, "maximum": 2147483647}
ADDRESS = "http://calc.example/calculator.asmx"


def _ref(pointer: str) -> dict[str, str]:
    return {"$ref": f"{definition_uri(XSD)}#/$defs/{pointer}"}


def _message(part: str, pointer: str) -> dict[str, Any]:
    body = {
        "type": "object",
        "properties": {part: _ref(pointer)},
        "required": [part],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"body": body},
        "required": ["body"],
        "additionalProperties": False,
    }


def _mirror() -> dict[str, Any]:
    def element(*names: str, required: tuple[str, ...] | None = None) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {name: dict(INT) for name in names},
            "required": list(names if required is None else required),
            "additionalProperties": False,
        }

    return {
        "$defs": {
            "element:Add": element("intA", "intB"),
            "element:AddResponse": element("AddResult"),
            "element:Divide": element("intA", "intB"),
            "element:DivideResponse": element("DivideResult"),
            "element:Fault": {
                "type": "object",
                "properties": {"code": {"type": "string", "enum": ["overflow", "zero"]}},
            },
        }
    }


def _action(operation: str, *, port: str = "CalculatorSoap", name: str | None = None) -> Action:
    return Action(
        name=name or f"{port}.{operation}",
        binding=SoapBinding(
            service="Calculator",
            port=port,
            binding=port,
            operation=operation,
            soap_action=f"{NS}{operation}",
            address=ADDRESS,
        ),
        input=_message("parameters", f"element:{operation}"),
        outputs=[
            ActionOutput(
                status="output", schema=_message("parameters", f"element:{operation}Response")
            ),
            ActionOutput(status="fault:DivideFault", schema=_message("fault", "element:Fault")),
        ],
    )


def calculator(edit: Callable[[dict[str, Any]], object] | None = None) -> ConnectorVersion:
    """The calculator service, with ``edit`` applied to its pieces (a dict of mutable parts)."""
    parts: dict[str, Any] = {
        "mirror": _mirror(),
        "actions": [_action("Add"), _action("Divide")],
        "namespace": NS,
        "address": ADDRESS,
        "xsd": '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>',
    }
    if edit is not None:
        edit(parts)
    return ConnectorVersion(
        connector="calculator",
        protocol="soap",
        source="calculator.wsdl",
        sha256=sha(repr(parts)),
        fetched_at=datetime(2024, 1, 1, tzinfo=UTC),
        metadata=SoapMetadata(
            target_namespace=parts["namespace"],
            endpoints=[
                SoapEndpoint(
                    service="Calculator",
                    port="CalculatorSoap",
                    binding="CalculatorSoap",
                    address=parts["address"],
                )
            ],
        ),
        actions=parts["actions"],
        definitions=[
            Definition(
                name=XSD,
                format="xsd",
                content=parts["xsd"],
                json_schema=parts["mirror"],
                namespace=parts["namespace"],
            )
        ],
    )


def _defs(parts: dict[str, Any]) -> dict[str, Any]:
    return parts["mirror"]["$defs"]


def _binding(parts: dict[str, Any], **changes: Any) -> None:
    first = parts["actions"][0]
    parts["actions"][0] = first.model_copy(
        update={"binding": first.binding.model_copy(update=changes)}
    )


def _rename(parts: dict[str, Any]) -> None:
    parts["actions"][0] = parts["actions"][0].model_copy(update={"name": "Add"})


ADD = "definitions/types.xsd/$defs/element:Add"
CASES: list[tuple[str, Callable[[dict[str, Any]], object], set[tuple[str, str, str]]]] = [
    (
        "operation removed",
        lambda p: p["actions"].pop(),
        {("action-removed", "breaking", "actions/CalculatorSoap.Divide")},
    ),
    (
        "operation added",
        lambda p: p["actions"].append(_action("Add", port="CalculatorSoap12")),
        {("action-added", "safe", "actions/CalculatorSoap12.Add")},
    ),
    ("operation renamed", _rename, {("action-renamed", "breaking", "actions/Add")}),
    (
        "request element removed",
        lambda p: (
            _defs(p)["element:Add"]["properties"].pop("intB"),
            _defs(p)["element:Add"]["required"].remove("intB"),
        ),
        {("property-removed", "breaking", f"{ADD}/intB")},
    ),
    (
        "request element made required",
        lambda p: (
            _defs(p)["element:Add"]["properties"].update(intC=dict(INT))
            or _defs(p)["element:Add"]["required"].append("intC")
        ),
        {("required-property-added", "breaking", f"{ADD}/intC")},
    ),
    (
        "request element made optional",
        lambda p: _defs(p)["element:Add"]["required"].remove("intB"),
        {("property-made-optional", "safe", f"{ADD}/intB")},
    ),
    (
        "XSD type changed",
        lambda p: _defs(p)["element:Add"]["properties"].update(intB={"type": "string"}),
        {
            ("type-changed", "breaking", f"{ADD}/intB/type"),
            ("constraint-loosened", "safe", f"{ADD}/intB/minimum"),
            ("constraint-loosened", "safe", f"{ADD}/intB/maximum"),
        },
    ),
    (
        "response element removed",
        lambda p: _defs(p)["element:AddResponse"]["properties"].pop("AddResult"),
        {
            (
                "property-removed",
                "breaking",
                "definitions/types.xsd/$defs/element:AddResponse/AddResult",
            )
        },
    ),
    (
        "fault enumeration widened",
        lambda p: _defs(p)["element:Fault"]["properties"]["code"]["enum"].append("nan"),
        {("enum-value-added", "dangerous", "definitions/types.xsd/$defs/element:Fault/code/enum")},
    ),
    (
        "soapAction changed",
        lambda p: _binding(p, soap_action=f"{NS}AddV2"),
        {("soap-action-changed", "breaking", "actions/CalculatorSoap.Add/binding/soap_action")},
    ),
    (
        "style changed",
        lambda p: _binding(p, style="rpc"),
        {("soap-style-changed", "breaking", "actions/CalculatorSoap.Add/binding/style")},
    ),
    (
        "endpoint moved",
        lambda p: p.update(address="https://calc.example/v2.asmx"),
        {
            ("endpoint-address-changed", "dangerous", "endpoints/Calculator~1CalculatorSoap"),
            ("secret-host-added", "breaking", "endpoints/0"),  # http -> https: another origin
        },
    ),
    (
        "target namespace changed",
        lambda p: p.update(namespace="http://tempuri.org/v2/"),
        {
            ("target-namespace-changed", "breaking", "target_namespace"),
            ("namespace-changed", "breaking", "definitions/types.xsd"),
        },
    ),
    (
        "fault removed",
        lambda p: p["actions"][0].outputs.pop(),
        {("error-response-removed", "safe", "actions/CalculatorSoap.Add/output/fault:DivideFault")},
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_kind_of_change(
    edit: Callable[[dict[str, Any]], object], expected: set[tuple[str, str, str]]
) -> None:
    changes = diff(calculator(), calculator(edit))
    assert triples(changes) == expected, [c.model_dump() for c in changes]


def test_an_unchanged_service_reports_nothing() -> None:
    def shuffle(parts: dict[str, Any]) -> None:
        parts["actions"].reverse()
        defs = _defs(parts)
        parts["mirror"]["$defs"] = dict(reversed(list(defs.items())))
        parts["xsd"] = parts["xsd"].replace("/>", "   />")

    assert diff(calculator(), calculator(shuffle)) == []


def test_an_xsd_without_mirror_is_compared_as_text() -> None:
    def no_mirror(text: str) -> Callable[[dict[str, Any]], object]:
        return lambda p: p.update(mirror=None, xsd=text)

    old = calculator(no_mirror("<xs:schema>\n  <a/>\n</xs:schema>"))
    assert diff(old, calculator(no_mirror("<xs:schema> <a/> </xs:schema>"))) == []
    changed = diff(old, calculator(no_mirror("<xs:schema><b/></xs:schema>")))
    assert triples(changed) == {
        ("xsd-changed", "dangerous", "definitions/types.xsd"),
    }


# -- real WSDL pairs -------------------------------------------------------------------------------

WSDL_NS = {"wsdl": "http://schemas.xmlsoap.org/wsdl/", "s": "http://www.w3.org/2001/XMLSchema"}
SOAP_NS = {"soap": "http://schemas.xmlsoap.org/wsdl/soap/"}
SCHEMA = "definitions/calculator-soap11and12.wsdl#schema1/$defs"


@pytest.fixture(scope="module")
def wsdl() -> etree._ElementTree:
    return etree.parse(str(corpus_file("wsdl", "classic", "calculator-soap11and12.wsdl")))


@pytest.fixture(scope="module")
def real(wsdl: etree._ElementTree) -> ConnectorVersion:
    path = corpus_file("wsdl", "classic", "calculator-soap11and12.wsdl")
    try:
        return inspect(path, connector="calculator")
    except ProtocolError as error:
        if "not available" not in str(error):
            raise
        pytest.skip(f"the SOAP generator is not available in this tree yet: {error}")


def _edited(
    tree: etree._ElementTree, tmp_path: Path, edit: Callable[[Any], object]
) -> ConnectorVersion:
    root = copy.deepcopy(tree.getroot())
    edit(root)
    path = tmp_path / "calculator-soap11and12.wsdl"  # the same name: definitions keep theirs
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    return inspect(path, connector="calculator")


def _element(root: Any, parent: str, name: str) -> Any:
    return root.find(f".//s:element[@name='{parent}']//s:element[@name='{name}']", WSDL_NS)


def _drop_divide(root: Any) -> None:
    for operation in root.findall(".//wsdl:operation[@name='Divide']", WSDL_NS):
        operation.getparent().remove(operation)


def _add_required_element(root: Any) -> None:
    intb = _element(root, "Add", "intB")
    intc = copy.deepcopy(intb)
    intc.set("name", "intC")
    intb.addnext(intc)


REAL_CASES: list[tuple[str, Callable[[Any], object], set[tuple[str, str, str]]]] = [
    (
        "operation removed",
        _drop_divide,
        {
            ("action-removed", "breaking", "actions/CalculatorSoap.Divide"),
            ("action-removed", "breaking", "actions/CalculatorSoap12.Divide"),
        },
    ),
    (
        "element made required",
        _add_required_element,
        {("required-property-added", "breaking", f"{SCHEMA}/element:Add/intC")},
    ),
    (
        "element removed",
        lambda root: (
            _element(root, "Add", "intB").getparent().remove(_element(root, "Add", "intB"))
        ),
        {("property-removed", "breaking", f"{SCHEMA}/element:Add/intB")},
    ),
    (
        "XSD type changed",
        lambda root: _element(root, "AddResponse", "AddResult").set("type", "s:string"),
        {("type-changed", "breaking", f"{SCHEMA}/element:AddResponse/AddResult/type")},
    ),
    (
        "soapAction changed",
        lambda root: root.find(
            ".//wsdl:binding[@name='CalculatorSoap']/wsdl:operation[@name='Add']/soap:operation",
            {**WSDL_NS, **SOAP_NS},
        ).set("soapAction", "http://tempuri.org/AddV2"),
        {("soap-action-changed", "breaking", "actions/CalculatorSoap.Add/binding/soap_action")},
    ),
]


@pytest.mark.parametrize(
    ("edit", "expected"), [c[1:] for c in REAL_CASES], ids=[c[0] for c in REAL_CASES]
)
def test_real_wsdl_pairs(
    wsdl: etree._ElementTree,
    real: ConnectorVersion,
    tmp_path: Path,
    edit: Callable[[Any], object],
    expected: set[tuple[str, str, str]],
) -> None:
    changes = diff(real, _edited(wsdl, tmp_path, edit))
    found = triples(changes)
    assert expected <= found, [c.model_dump() for c in changes]
    assert {c for c in found if c[1] == "breaking"} == {c for c in expected if c[1] == "breaking"}


def test_a_reformatted_wsdl_reports_nothing(
    wsdl: etree._ElementTree, real: ConnectorVersion, tmp_path: Path
) -> None:
    def reformat(root: Any) -> None:
        for element in root.iter():
            if element.text is not None and not element.text.strip():
                element.text = "\n" + " " * 7
            if element.tail is not None and not element.tail.strip():
                element.tail = "\n\n"

    assert diff(real, _edited(wsdl, tmp_path, reformat)) == []
