"""``connectory inspect`` / ``onboard`` with WSDLs, through the installed console script."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import FIXTURES
from tests.support.servers import Reply, serve

CYBERSOURCE = FIXTURES / "wsdl" / "cybersource"
CALCULATOR = FIXTURES / "wsdl" / "calculator-soap11and12.wsdl"


def test_inspect_a_wsdl_by_path(run) -> None:
    result = run("inspect", str(CALCULATOR), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["protocol"], data["connector"]) == ("soap", "calculator-soap11and12")
    assert [a["name"] for a in data["actions"]][:2] == [
        "CalculatorSoap.Add",
        "CalculatorSoap.Subtract",
    ]
    assert data["actions"][0]["binding"]["soap_action"] == "http://tempuri.org/Add"
    assert data["definitions"][0]["format"] == "xsd"


def test_inspect_a_wsdl_by_url_reads_its_imports_from_the_same_origin(run) -> None:
    routes = {
        "/ws/transaction.wsdl": Reply(
            body=(CYBERSOURCE / "CyberSourceTransaction_1.26.wsdl").read_bytes()
        ),
        "/ws/CyberSourceTransaction_1.26.xsd": Reply(
            body=(CYBERSOURCE / "CyberSourceTransaction_1.26.xsd").read_bytes()
        ),
    }
    with serve(routes) as server:
        result = run("inspect", server.url("/ws/transaction.wsdl"), "--protocol", "wsdl", "--json")
        assert server.requests == ["/ws/transaction.wsdl", "/ws/CyberSourceTransaction_1.26.xsd"]
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [a["name"] for a in data["actions"]] == ["portXML.runTransaction"]
    assert [d["name"] for d in data["definitions"]] == [
        "transaction.wsdl#schema1",
        "CyberSourceTransaction_1.26.xsd",
    ]


def test_inspect_a_wsdl_with_a_refused_import(run, tmp_path: Path) -> None:
    wsdl = (CYBERSOURCE / "CyberSourceTransaction_1.26.wsdl").read_text()
    bad = tmp_path / "bad.wsdl"
    bad.write_text(
        wsdl.replace(
            'schemaLocation="CyberSourceTransaction_1.26.xsd"', 'schemaLocation="/etc/passwd"'
        )
    )
    result = run("inspect", str(bad))
    assert result.returncode == 2
    assert "refused to import '/etc/passwd'" in result.stderr
    assert str(bad) in result.stderr
    assert "Traceback" not in result.stderr


def test_onboarding_a_hostile_wsdl_stores_nothing(
    run, tmp_path: Path, sqlite_url, prefect_api_url
) -> None:
    bomb = tmp_path / "bomb.wsdl"
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb.write_text(
        f'<!DOCTYPE d [<!ENTITY l0 "lol">{entities}]>'
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">&l9;</wsdl:definitions>'
    )
    result = run("onboard", str(bomb), "--name", "bomb", api_url=prefect_api_url)
    assert result.returncode == 2
    assert "DOCTYPE" in result.stderr
    assert "Traceback" not in result.stderr
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        assert db.execute("SELECT count(*) FROM connectors").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM versions").fetchone() == (0,)


def test_onboard_and_show_a_wsdl(run, prefect_api_url: str) -> None:
    result = run(
        "onboard", str(CALCULATOR), "--name", "calculator", "--json", api_url=prefect_api_url
    )
    assert result.returncode == 0, result.stderr
    drafted = json.loads(result.stdout)
    shown = json.loads(run("show", f"calculator@{drafted['version']}", "--json").stdout)
    assert shown["protocol"] == "soap"
    assert len(shown["actions"]) == 8
    assert shown["actions"][4]["binding"]["soap_version"] == "1.2"
