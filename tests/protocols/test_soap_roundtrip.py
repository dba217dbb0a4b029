"""JSON valid against an action's mirror converts to XML that the XSD accepts, and back.

On real operations: the calculator and CyberSource (fixtures), then Exchange, Salesforce and
Workday (the corpus, slow). Each input and output message is checked three ways: the JSON against
the mirror (jsonschema 2020-12), the XML of each part against xmlschema's lenient compile of the
same XSDs (``compile_xsd``), and XML -> JSON giving back the very same document.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from connectory import ConnectorVersion, Finding, registry_for, validator_for
from connectory.runtime.soap.convert import MessageConverter
from connectory.vetting.xsd import check_round_trip, compile_xsd
from tests.conftest import corpus_file
from tests.support.json_samples import Unsampleable, sample
from tests.support.soap import CALCULATOR, CYBERSOURCE, onboard


def _round_trip(
    version: ConnectorVersion,
    action: str,
    value: dict[str, Any],
    schema: Any,
    direction: str = "input",
) -> None:
    found = version.action(action)
    message_schema = found.input if direction == "input" else found.outputs[0].schema_
    assert list(validator_for(message_schema, version).iter_errors(value)) == []  # type: ignore[arg-type]
    result = check_round_trip(version, action, value, schema, direction=direction)
    assert result.errors == []
    assert result.back == value


@cache
def _corpus_version(*parts: str) -> tuple[ConnectorVersion, Any, tuple[Finding, ...]]:
    """A corpus WSDL onboarded and compiled once per test session (Workday takes seconds)."""
    version = onboard(corpus_file("wsdl", *parts))
    schema, findings = compile_xsd(version)
    return version, schema, tuple(findings)


def _every_message(version: ConnectorVersion, schema: Any) -> Counter[str]:
    """Round trip a sample of every input and output; count the outcomes."""
    registry = registry_for(version)
    converter = MessageConverter(version)
    outcomes: Counter[str] = Counter()
    for action in version.actions:
        messages = [("input", action.input)] + [
            ("output", o.schema_) for o in action.outputs if o.status == "output"
        ]
        for direction, message_schema in messages:
            try:
                value = sample(message_schema, registry)
            except Unsampleable:
                outcomes["unsampleable"] += 1
                continue
            assert list(validator_for(message_schema, registry).iter_errors(value)) == [], (
                action.name
            )  # type: ignore[arg-type]
            result = check_round_trip(
                version, action.name, value, schema, direction=direction, converter=converter
            )
            assert result.errors == [], (action.name, direction, value)
            assert result.back == value, (action.name, direction)
            outcomes["ok"] += 1
    return outcomes


def test_the_calculator(tmp_path: Path) -> None:
    version = onboard(CALCULATOR)
    schema, findings = compile_xsd(version)
    assert findings == []
    for port in ("CalculatorSoap", "CalculatorSoap12"):
        _round_trip(
            version, f"{port}.Divide", {"body": {"parameters": {"intA": 84, "intB": -2}}}, schema
        )
        _round_trip(
            version,
            f"{port}.Divide",
            {"body": {"parameters": {"DivideResult": -42}}},
            schema,
            "output",
        )
    assert _every_message(version, schema) == Counter(ok=16)


def test_the_calculator_envelope_is_soap_1_1_or_1_2_by_port() -> None:
    version = onboard(CALCULATOR)
    converter = MessageConverter(version)
    value = {"body": {"parameters": {"intA": 1, "intB": 2}}}
    assert (
        converter.to_xml("CalculatorSoap.Add", value).tag
        == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
    )
    assert (
        converter.to_xml("CalculatorSoap12.Add", value).tag
        == "{http://www.w3.org/2003/05/soap-envelope}Envelope"
    )


CYBERSOURCE_REQUEST: dict[str, Any] = {
    "merchantID": "acme",
    "merchantReferenceCode": "order-42",
    "billTo": {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "street1": "1 Analytical Way",
        "city": "London",
        "postalCode": "N1 9GU",
        "country": "GB",
        "email": "ada@example.com",
    },
    "item": [{"@id": 0, "unitPrice": "12.50", "quantity": 2}, {"@id": 1, "unitPrice": "3.00"}],
    "purchaseTotals": {"currency": "GBP", "grandTotalAmount": "28.00"},
    "card": {"accountNumber": "4111111111111111", "expirationMonth": 12, "expirationYear": 2030},
    "ccAuthService": {"@run": "true", "commerceIndicator": "internet"},
}


def test_cybersource_run_transaction() -> None:
    version = onboard(CYBERSOURCE)
    schema, findings = compile_xsd(version)
    assert findings == []
    _round_trip(version, "portXML.runTransaction", {"body": {"input": CYBERSOURCE_REQUEST}}, schema)
    assert _every_message(version, schema) == Counter(ok=2)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("document", "at_least"),
    [
        (("ews", "services.wsdl"), 230),
        (("salesforce", "enterprise.wsdl"), 64),
        (("workday", "Human_Resources.wsdl"), 290),
    ],
)
def test_every_operation_of_large_real_wsdls(document: tuple[str, str], at_least: int) -> None:
    version, schema, findings = _corpus_version(*document)
    assert not [f for f in findings if f.kind == "xsd-warning"]  # every import was found
    outcomes = _every_message(version, schema)
    assert outcomes["ok"] >= at_least, outcomes


@pytest.mark.slow
def test_a_workday_get_workers_request() -> None:
    version, schema, _ = _corpus_version("workday", "Human_Resources.wsdl")
    request = {
        "@version": "v10",
        "Request_References": {
            "Worker_Reference": [
                {"ID": [{"$": "21001", "@type": "Employee_ID"}]},
                {"ID": [{"$": "21002", "@type": "Employee_ID"}]},
            ]
        },
        "Response_Filter": {"As_Of_Effective_Date": "2024-01-31", "Page": 1, "Count": 100},
    }
    _round_trip(version, "Human_Resources.Get_Workers", {"body": {"body": request}}, schema)


@pytest.mark.slow
def test_exchange_with_soap_headers() -> None:
    version, schema, findings = _corpus_version("ews", "services.wsdl")
    assert [f.kind for f in findings] == ["xsd-error"]  # the UPA violation in types.xsd
    assert findings[0].location == "types.xsd"
    assert "Unique Particle Attribution" in findings[0].message
    value = {
        "body": {
            "request": {
                "ItemShape": {"BaseShape": "IdOnly"},
                "ParentFolderIds": {"DistinguishedFolderId": [{"@Id": "inbox"}]},
                "@Traversal": "Shallow",
            }
        },
        "header": {"RequestVersion": {"@Version": "Exchange2013"}},
    }
    _round_trip(version, "ExchangeServicePort.FindItem", value, schema)
