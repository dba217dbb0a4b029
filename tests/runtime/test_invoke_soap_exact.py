"""SOAP answers as they were sent, against a real SOAP 1.1/1.2 endpoint on loopback: decimals and
big integers exact both ways, a fault's detail as structure, SOAP 1.2 subcodes, and answers
checked against the output schema. One answer is compared field by field with zeep's."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import zeep
import zeep.exceptions

from connectory import ConnectorVersion, inspect
from connectory.runtime import invoke
from tests.conftest import FIXTURES
from tests.support.servers import Reply, serve
from tests.support.soap_ledger import (
    ANSWER,
    BIG_DECIMAL,
    BIG_INTEGER,
    DECLARED_FAULT,
    HUGE_COUNT,
    LEDGER,
    LEDGER_WSDL,
    MISQUALIFIED,
    OTHER_FAULT,
    UNQUALIFIED_ANSWER,
    ledger,
)

PORTS = {"1.1": "Ledger11Port", "1.2": "Ledger12Port"}
CALCULATOR = FIXTURES / "wsdl" / "calculator-soap11and12.wsdl"
TEMPURI = "http://tempuri.org/"
ENVELOPE_11 = "http://schemas.xmlsoap.org/soap/envelope/"


@pytest.fixture
def wsdl(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.wsdl"
    path.write_text(LEDGER_WSDL, encoding="utf-8")
    return path


@pytest.fixture
def version(wsdl: Path) -> ConnectorVersion:
    return inspect(wsdl, connector="ledger")


def _input(amount: Any, count: int) -> dict[str, Any]:
    return {"body": {"parameters": {"amount": amount, "count": count}}}


def _call(
    version: ConnectorVersion, soap: str, amount: Any, count: int
) -> tuple[Any, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    with serve({"/soap": ledger(seen)}) as server:
        done = invoke(version, f"{PORTS[soap]}.Convert", _input(amount, count), server=server.url("/soap"))  # fmt: skip
    return done, seen


@pytest.mark.parametrize("soap", ["1.1", "1.2"])
def test_decimals_and_big_integers_are_read_exactly(version: ConnectorVersion, soap: str) -> None:
    done, _ = _call(version, soap, 1, ANSWER)
    assert (done.status, done.output, done.problems) == (200, "output", [])
    answer = done.body["body"]["parameters"]
    assert answer["amount"] == Decimal(BIG_DECIMAL)
    assert str(answer["amount"]) == BIG_DECIMAL  # every digit, not 1.2345678901234567e+19
    assert answer["count"] == HUGE_COUNT
    assert type(answer["count"]) is int
    assert answer["big"] == BIG_INTEGER
    assert answer["ratio"] == 0.5
    assert type(answer["ratio"]) is float  # xs:double stays a float


@pytest.mark.parametrize(
    ("amount", "sent"),
    [
        (Decimal("12345678901234567890.12"), "12345678901234567890.12"),  # not ...567000
        (12345678901234567890, "12345678901234567890"),
        (Decimal("1E+21"), "1000000000000000000000"),  # xs:decimal has no exponent
        (0.1, "0.1"),
    ],
)
@pytest.mark.parametrize("soap", ["1.1", "1.2"])
def test_a_decimal_input_is_sent_with_its_own_digits(
    version: ConnectorVersion, soap: str, amount: Any, sent: str
) -> None:
    _, seen = _call(version, soap, amount, HUGE_COUNT)
    assert seen[0]["amount"] == sent
    assert seen[0]["count"] == str(HUGE_COUNT)


def test_a_declared_fault_keeps_its_detail_as_structure(version: ConnectorVersion) -> None:
    done, _ = _call(version, "1.1", 1, DECLARED_FAULT)
    assert (done.status, done.output, done.problems) == (500, "fault:LateFault", [])
    assert done.body == {
        "fault": {
            "code": "s:Server",
            "message": "too late",
            "actor": "urn:ledger:clock",
            "name": "LateFault",
            "detail": {"reason": "too late", "minutes": 1},
        }
    }


def test_a_soap12_fault_keeps_its_subcodes_reasons_node_and_role(
    version: ConnectorVersion,
) -> None:
    done, _ = _call(version, "1.2", 1, DECLARED_FAULT)
    assert (done.status, done.output, done.problems) == (500, "fault:LateFault", [])
    fault = done.body["fault"]
    assert fault["code"] == "s:Receiver"
    assert fault["subcodes"] == ["t:Late", "t:AfterHours"]
    assert fault["message"] == "too late"
    assert fault["reasons"] == [
        {"lang": "en", "text": "too late"},
        {"lang": "fr", "text": "trop tard"},
    ]
    assert (fault["node"], fault["role"]) == ("urn:ledger:node", "urn:ledger:clock")
    assert fault["detail"] == {"reason": "too late", "minutes": 1}


@pytest.mark.parametrize("soap", ["1.1", "1.2"])
def test_an_undeclared_fault_detail_is_converted_generically(
    version: ConnectorVersion, soap: str
) -> None:
    done, _ = _call(version, soap, 1, OTHER_FAULT)
    assert (done.status, done.output, done.problems) == (500, "fault", [])
    fault = done.body["fault"]
    assert fault["detail"] == {"{urn:other}Other": {"@level": "3", "{urn:other}code": "7"}}
    assert "name" not in fault
    assert ("subcodes" in fault) is False


@pytest.mark.parametrize("soap", ["1.1", "1.2"])
def test_a_wrongly_qualified_element_is_a_problem_naming_it(
    version: ConnectorVersion, soap: str
) -> None:
    done, _ = _call(version, soap, 1, MISQUALIFIED)
    assert (done.status, done.output) == (200, "output")
    assert done.body["body"]["parameters"]["amount"] == BIG_DECIMAL  # read as it came: text
    assert done.problems[0] == (
        "body/parameters: element amount (no namespace) is not declared here: "
        "the XSD declares {urn:ledger}amount"
    )
    assert "body/parameters/amount: '12345678901234567890.123456789' is not of type 'number'" in done.problems  # fmt: skip


@pytest.mark.parametrize("soap", ["1.1", "1.2"])
def test_an_answer_element_in_no_namespace_is_a_problem_naming_it(
    version: ConnectorVersion, soap: str
) -> None:
    done, _ = _call(version, soap, 1, UNQUALIFIED_ANSWER)
    assert (done.status, done.output, done.body) == (200, "output", {"body": {}})
    assert done.problems == [
        "body: element ConvertResponse (no namespace) is not declared here: "
        "the XSD declares {urn:ledger}ConvertResponse",
        "body: 'parameters' is a required property",
    ]


def test_the_answer_matches_zeep_field_by_field(wsdl: Path, version: ConnectorVersion) -> None:
    seen: list[dict[str, Any]] = []
    with serve({"/soap": ledger(seen)}) as server:
        client = zeep.Client(str(wsdl))
        service = client.create_service(f"{{{LEDGER}}}Ledger11", server.url("/soap"))
        theirs = service.Convert(amount=Decimal("1"), count=ANSWER)
        with pytest.raises(zeep.exceptions.Fault) as raised:
            service.Convert(amount=Decimal("1"), count=DECLARED_FAULT)
        done = invoke(version, "Ledger11Port.Convert", _input(Decimal("1"), ANSWER), server=server.url("/soap"))  # fmt: skip
        fault = invoke(version, "Ledger11Port.Convert", _input(Decimal("1"), DECLARED_FAULT), server=server.url("/soap"))  # fmt: skip
    ours = done.body["body"]["parameters"]
    for name in ("amount", "count", "ratio", "big"):
        assert ours[name] == theirs[name], name
        assert type(ours[name]) is type(theirs[name]), name
    assert fault.body["fault"]["code"] == raised.value.code
    assert fault.body["fault"]["message"] == raised.value.message
    late = client.get_element(f"{{{LEDGER}}}Late").parse(raised.value.detail[0], client.wsdl.types)
    assert fault.body["fault"]["detail"] == {"reason": late.reason, "minutes": late.minutes}


def test_a_qualified_element_the_xsd_leaves_unqualified_is_a_problem() -> None:
    """The calculator's AddResult is unqualified: a server answering ``{ns}AddResult`` is told,
    not passed through as wildcard content."""
    version = inspect(CALCULATOR, connector="calculator")
    inner = f'<t:AddResponse xmlns:t="{TEMPURI}"><t:AddResult>5</t:AddResult></t:AddResponse>'
    answer = (
        f'<?xml version="1.0"?><s:Envelope xmlns:s="{ENVELOPE_11}"><s:Body>{inner}</s:Body>'
        "</s:Envelope>"
    )
    reply = Reply(200, answer.encode(), {"Content-Type": "text/xml; charset=utf-8"})
    with serve({"/c": reply}) as server:
        done = invoke(
            version,
            "CalculatorSoap.Add",
            {"body": {"parameters": {"intA": 2, "intB": 3}}},
            server=server.url("/c"),
        )
    assert done.output == "output"
    assert done.body == {"body": {"parameters": {f"{{{TEMPURI}}}AddResult": "5"}}}
    assert done.problems[0] == (
        f"body/parameters: element {{{TEMPURI}}}AddResult is not declared here: "
        "the XSD declares AddResult (no namespace)"
    )
    assert any(f"'{{{TEMPURI}}}AddResult' was unexpected" in p for p in done.problems)
