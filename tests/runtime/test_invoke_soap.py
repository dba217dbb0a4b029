"""SOAP actions against a real SOAP endpoint on loopback: the calculator, 1.1 and 1.2, faults."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest
from lxml import etree

from connectory import inspect
from connectory.errors import InputError
from connectory.runtime import invoke
from tests.conftest import FIXTURES
from tests.support.servers import Reply, serve

CALCULATOR = FIXTURES / "wsdl" / "calculator-soap11and12.wsdl"
TEMPURI = "http://tempuri.org/"
ENVELOPES = {
    "1.1": "http://schemas.xmlsoap.org/soap/envelope/",
    "1.2": "http://www.w3.org/2003/05/soap-envelope",
}
OPERATIONS = {"Add": int.__add__, "Subtract": int.__sub__, "Multiply": int.__mul__}


def _answer(version: str, inner: str, status: int = 200) -> Reply:
    env = ENVELOPES[version]
    body = f'<?xml version="1.0"?><s:Envelope xmlns:s="{env}"><s:Body>{inner}</s:Body></s:Envelope>'
    media = "text/xml" if version == "1.1" else "application/soap+xml"
    return Reply(status, body.encode(), {"Content-Type": f"{media}; charset=utf-8"})


def calculator(seen: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    """A SOAP endpoint: reads the envelope, computes, answers (a fault for a division by 0)."""

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        data = handler.rfile.read(int(handler.headers["Content-Length"]))
        envelope = etree.fromstring(data)
        version = "1.2" if etree.QName(envelope).namespace == ENVELOPES["1.2"] else "1.1"
        seen.append({"version": version, **dict(handler.headers)})
        call = envelope.find(f"{{{ENVELOPES[version]}}}Body")[0]
        name = etree.QName(call).localname
        a, b = (int(call.find(n).text) for n in ("intA", "intB"))  # unqualified in this WSDL
        if name == "Divide" and b == 0:
            code = "soap:Server" if version == "1.1" else "s:Receiver"
            if version == "1.1":
                fault = f"<s:Fault><faultcode>{code}</faultcode><faultstring>division by zero</faultstring></s:Fault>"  # fmt: skip
            else:
                fault = f"<s:Fault><s:Code><s:Value>{code}</s:Value></s:Code><s:Reason><s:Text>division by zero</s:Text></s:Reason></s:Fault>"  # fmt: skip
            return _answer(version, fault, 500)
        result = a // b if name == "Divide" else OPERATIONS[name](a, b)
        inner = f'<t:{name}Response xmlns:t="{TEMPURI}"><{name}Result>{result}</{name}Result></t:{name}Response>'  # fmt: skip
        return _answer(version, inner)

    return route


def _input(a: int, b: int) -> dict:
    return {"body": {"parameters": {"intA": a, "intB": b}}}


@pytest.mark.parametrize("port", ["CalculatorSoap", "CalculatorSoap12"])
def test_the_calculator_computes(port: str) -> None:
    version = inspect(CALCULATOR, connector="calculator")
    seen: list[dict[str, str]] = []
    with serve({"/calculator.asmx": calculator(seen)}) as server:
        url = server.url("/calculator.asmx")
        added = invoke(version, f"{port}.Add", _input(2, 3), server=url)
        product = invoke(version, f"{port}.Multiply", _input(6, 7), server=url)
    assert (added.status, added.output, added.problems) == (200, "output", [])
    assert added.body == {"body": {"parameters": {"AddResult": 5}}}
    assert product.body == {"body": {"parameters": {"MultiplyResult": 42}}}
    if port == "CalculatorSoap":
        assert seen[0]["version"] == "1.1"
        assert seen[0]["SOAPAction"] == '"http://tempuri.org/Add"'
        assert seen[0]["Content-Type"].startswith("text/xml")
    else:
        assert seen[0]["version"] == "1.2"
        assert 'action="http://tempuri.org/Add"' in seen[0]["Content-Type"]


@pytest.mark.parametrize("port", ["CalculatorSoap", "CalculatorSoap12"])
def test_a_fault_is_the_answer(port: str) -> None:
    version = inspect(CALCULATOR, connector="calculator")
    with serve({"/calculator.asmx": calculator([])}) as server:
        done = invoke(
            version, f"{port}.Divide", _input(1, 0), server=server.url("/calculator.asmx")
        )
    assert (done.status, done.output) == (500, "fault")
    assert done.body["fault"]["message"] == "division by zero"
    assert done.body["fault"]["code"].endswith(("Server", "Receiver"))


def test_bad_input_sends_nothing() -> None:
    version = inspect(CALCULATOR, connector="calculator")
    with (
        serve({}) as server,
        pytest.raises(InputError, match=r"invalid input for CalculatorSoap\.Add"),
    ):
        invoke(version, "CalculatorSoap.Add", {"body": {"parameters": {"intA": "two"}}}, server=server.base_url)  # fmt: skip
    assert server.requests == []


def test_a_hostile_answer_is_not_expanded() -> None:
    version = inspect(CALCULATOR, connector="calculator")
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with serve({"/c": Reply(200, bomb, {"Content-Type": "text/xml"})}) as server:
        done = invoke(version, "CalculatorSoap.Add", _input(1, 2), server=server.url("/c"))
    assert done.output is None
    assert "DOCTYPE" in done.problems[0]
