"""``connectory invoke`` of a SOAP action through the installed console script: a decimal read
from ``--input`` reaches the server with all its digits, and one in the answer is printed with
all of them (a JSON number, not a float's 17 digits)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from connectory import inspect
from connectory.catalog import Catalog
from tests.support.servers import serve
from tests.support.soap_ledger import (
    ANSWER,
    BIG_DECIMAL,
    BIG_INTEGER,
    DECLARED_FAULT,
    HUGE_COUNT,
    LEDGER_WSDL,
    ledger,
)

from .conftest import Run


def _drafted(tmp_path: Path, sqlite_url: str) -> str:
    wsdl = tmp_path / "ledger.wsdl"
    wsdl.write_text(LEDGER_WSDL, encoding="utf-8")
    with Catalog.open(sqlite_url) as catalog:
        drafted = catalog.draft(inspect(wsdl, connector="ledger"))
    return f"ledger@{drafted.version.version}"


def test_invoke_keeps_every_digit_of_a_decimal_both_ways(
    run: Run, sqlite_url: str, tmp_path: Path
) -> None:
    ref = _drafted(tmp_path, sqlite_url)
    given = '{"body": {"parameters": {"amount": 12345678901234567890.12, "count": %d}}}'
    seen: list[dict[str, Any]] = []
    with serve({"/soap": ledger(seen)}) as server:
        url = server.url("/soap")
        done = run("invoke", ref, "Ledger11Port.Convert", "-i", given % ANSWER, "--server", url, "--json")  # fmt: skip
        shown = run("invoke", ref, "Ledger12Port.Convert", "-i", given % ANSWER, "--server", url)
        fault = run("invoke", ref, "Ledger11Port.Convert", "-i", given % DECLARED_FAULT, "--server", url, "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert seen[0]["amount"] == "12345678901234567890.12"  # not 12345678901234567000
    assert f'"amount": {BIG_DECIMAL},' in done.stdout  # not 1.2345678901234567e+19
    answer = json.loads(done.stdout, parse_float=Decimal)
    assert (answer["output"], answer["problems"]) == ("output", [])
    assert answer["body"]["body"]["parameters"] == {
        "amount": Decimal(BIG_DECIMAL),
        "count": HUGE_COUNT,
        "ratio": Decimal("0.5"),
        "big": BIG_INTEGER,
    }
    assert shown.returncode == 0, shown.stderr
    assert f'"amount": {BIG_DECIMAL},' in shown.stdout
    assert seen[1]["amount"] == "12345678901234567890.12"
    assert fault.returncode == 1  # HTTP 500
    assert json.loads(fault.stdout)["body"]["fault"]["detail"] == {
        "reason": "too late",
        "minutes": 1,
    }


def test_an_input_number_a_float_holds_is_read_as_before(
    run: Run, sqlite_url: str, tmp_path: Path
) -> None:
    ref = _drafted(tmp_path, sqlite_url)
    (tmp_path / "input.json").write_text(
        json.dumps({"body": {"parameters": {"amount": 2.50, "count": ANSWER}}})
    )
    seen: list[dict[str, Any]] = []
    with serve({"/soap": ledger(seen)}) as server:
        done = run("invoke", ref, "Ledger11Port.Convert", "-i", "@input.json", "--server", server.url("/soap"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert seen[0]["amount"] == "2.5"
