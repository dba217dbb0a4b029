"""``connectory listen`` through the installed console script, against a WebSocket server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from connectory import inspect
from connectory.catalog import Catalog
from tests.runtime.test_subscribe import PRICES, _schema
from tests.support.graphql_ws_server import serve_subscriptions

from .conftest import Run


def test_listen_shows_and_keeps_the_events(run: Run, sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "prices.graphql").write_text(PRICES)
    with Catalog.open(sqlite_url) as catalog:
        ref = catalog.draft(inspect(tmp_path / "prices.graphql", connector="prices")).version.ref

    def tamper(result: dict[str, Any]) -> dict[str, Any]:
        return {**result, "errors": [{"message": "lagging"}]}

    with serve_subscriptions(_schema()) as server, serve_subscriptions(_schema(), tamper=tamper) as bad:  # fmt: skip
        args = ("listen", ref, "priceChanged", "--input", '{"productId": "p1"}')
        kept = run(*args, "--server", server.url, "--json", "--keep")
        ticks = run("listen", ref, "ticks", "--server", server.url, "--count", "2")
        flawed = run(*args, "--server", bad.url, "--count", "1")
        wrong = run("listen", ref, "priceChanged", "--server", server.url)
    assert kept.returncode == 0, kept.stderr
    lines = [json.loads(line) for line in kept.stdout.splitlines()]
    assert [line["data"]["priceChanged"]["amount"] for line in lines] == [1.5, 2.0, 2.5]
    assert ticks.returncode == 0, ticks.stderr
    assert json.loads("[" + ticks.stdout.replace("}\n{", "},{") + "]") == [{"ticks": 1}, {"ticks": 2}]  # fmt: skip
    assert flawed.returncode == 1
    assert "error: lagging" in flawed.stderr
    assert wrong.returncode == 2
    assert "the variables do not fit the subscription" in wrong.stderr
    shown = json.loads(run("deliveries", "prices", "--json").stdout)
    assert [d["payload"]["priceChanged"]["amount"] for d in shown] == [2.5, 2.0, 1.5]
    assert {(d["trigger"], d["verified"]) for d in shown} == {("priceChanged", False)}
