"""``connectory listen --subprotocol`` and the second try, against a server that behaves as
subscriptions-transport-ws (Apollo Server 2/3)."""

from __future__ import annotations

import json
from pathlib import Path

from connectory import inspect
from connectory.catalog import Catalog
from tests.runtime.test_subscribe import PRICES, _schema
from tests.support.graphql_ws_server import serve_subscriptions

from .conftest import Run


def test_listen_chooses_or_falls_back(run: Run, sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "prices.graphql").write_text(PRICES)
    with Catalog.open(sqlite_url) as catalog:
        ref = catalog.draft(inspect(tmp_path / "prices.graphql", connector="prices")).version.ref
    args = ("listen", ref, "priceChanged", "--input", '{"productId": "p1"}', "--json")
    with serve_subscriptions(_schema(), mimic="subscriptions-transport-ws") as server:
        fallen_back = run(*args, "--server", server.url)
        chosen = run(*args, "--server", server.url, "--subprotocol", "graphql-ws")
        refused = run(*args, "--server", server.url, "--subprotocol", "graphql-transport-ws")
        unknown = run(*args, "--server", server.url, "--subprotocol", "mqtt")
    assert fallen_back.returncode == 0, fallen_back.stderr
    assert chosen.returncode == 0, chosen.stderr
    for done in (fallen_back, chosen):
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        assert [line["data"]["priceChanged"]["amount"] for line in lines] == [1.5, 2.0, 2.5]
    offered = [h["sec-websocket-protocol"] for h in server.handshakes]
    assert offered == [
        "graphql-transport-ws, graphql-ws",  # refused (1002) ...
        "graphql-ws",  # ... so asked again
        "graphql-ws",  # --subprotocol graphql-ws
        "graphql-transport-ws",  # --subprotocol graphql-transport-ws: no second try
    ]
    assert refused.returncode != 0
    assert "closed the connection (1002)" in refused.stderr
    assert "it may speak only graphql-ws" in refused.stderr
    assert unknown.returncode == 2
    assert "unknown subprotocol 'mqtt'" in unknown.stderr
