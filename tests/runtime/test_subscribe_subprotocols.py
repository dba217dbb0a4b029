"""Which subprotocol a subscription speaks: the second try after a server refuses the first, the
explicit choice, and the real subscriptions-transport-ws server (Apollo Server 2/3) on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from connectory.errors import InputError, SourceError, SourceUnreachable
from connectory.runtime import Event, listen
from tests.runtime.test_subscribe import PRICES, TOKEN, _guarded, _schema, _version
from tests.support.consent import accept
from tests.support.graphql_ws_server import serve_subscriptions
from tests.support.subscriptions_transport_ws import Unavailable, installed, serve_legacy

BOTH = "graphql-transport-ws, graphql-ws"
AMOUNTS = [1.5, 2.0, 2.5]
GOOD = {"token": {"token": SecretStr(TOKEN)}}


def _amounts(events: list[Event]) -> list[float]:
    return [e.data["priceChanged"]["amount"] for e in events]


def test_a_legacy_server_is_asked_again_in_graphql_ws_with_the_same_auth(tmp_path: Path) -> None:
    version = _guarded(_version(tmp_path))
    needed = {"Authorization": f"Bearer {TOKEN}"}
    with serve_subscriptions(_schema(), mimic="subscriptions-transport-ws", required_headers=needed) as server:  # fmt: skip
        accept(version, server.url)
        events = list(listen(version, "priceChanged", {"productId": "p"}, server=server.url, credentials=GOOD))  # fmt: skip
    assert _amounts(events) == AMOUNTS
    # it accepted graphql-transport-ws and closed with 1002; the second try offered graphql-ws only
    assert [h["sec-websocket-protocol"] for h in server.handshakes] == [BOTH, "graphql-ws"]
    assert all(h["authorization"] == f"Bearer {TOKEN}" for h in server.handshakes)
    assert [m["type"] for m in server.messages] == ["connection_init", "start"]
    assert server.messages[0]["payload"]["headers"] == {"authorization": f"Bearer {TOKEN}"}


def test_the_other_way_round_a_graphql_ws_server_that_took_the_old_subprotocol(
    tmp_path: Path,
) -> None:
    version = _version(tmp_path)
    with serve_subscriptions(_schema(), mimic="graphql-ws", accept="last") as server:
        events = list(listen(version, "priceChanged", {"productId": "p"}, server=server.url))
    assert _amounts(events) == AMOUNTS
    offered = [h["sec-websocket-protocol"] for h in server.handshakes]
    assert offered == [BOTH, "graphql-transport-ws"]  # closed 4406 in graphql-ws, then asked again
    assert [m["type"] for m in server.messages] == ["connection_init", "pong", "subscribe"]


def test_a_chosen_subprotocol_is_the_only_one_offered(tmp_path: Path) -> None:
    version = _version(tmp_path)
    legacy = serve_subscriptions(_schema(), mimic="subscriptions-transport-ws")
    with legacy as server:
        chosen = list(listen(version, "priceChanged", {"productId": "p"}, server=server.url, subprotocol="graphql-ws"))  # fmt: skip
        with pytest.raises(
            SourceUnreachable,
            match=r"closed the connection \(1002\) before acknowledging it in graphql-transport-ws: "
            r"it may speak only graphql-ws \(subprotocol=, --subprotocol\)",
        ):
            list(listen(version, "priceChanged", {"productId": "p"}, server=server.url, subprotocol="graphql-transport-ws"))  # fmt: skip
    assert _amounts(chosen) == AMOUNTS
    offered = [h["sec-websocket-protocol"] for h in server.handshakes]
    assert offered == ["graphql-ws", "graphql-transport-ws"]  # no second try for a choice
    with pytest.raises(InputError, match="unknown subprotocol 'mqtt': use graphql-transport-ws or graphql-ws"):  # fmt: skip
        list(listen(version, "priceChanged", {"productId": "p"}, server="http://127.0.0.1:9/", subprotocol="mqtt"))  # fmt: skip


def test_a_server_refusing_both_and_one_refusing_the_credentials(tmp_path: Path) -> None:
    version = _version(tmp_path)
    with (
        serve_subscriptions(_schema(), misbehave="close:1002") as server,
        pytest.raises(
            SourceUnreachable,
            match=r"closed the connection \(1002\) before acknowledging it in graphql-ws, after it "
            r"had closed the connection \(1002\) in graphql-transport-ws",
        ),
    ):
        list(listen(version, "ticks", server=server.url))
    assert len(server.handshakes) == 2  # one second try, not more
    forbidden = pytest.raises(SourceUnreachable, match=r"closed the connection \(4403\) before")
    with serve_subscriptions(_schema(), misbehave="close:4403") as server, forbidden:
        list(listen(version, "ticks", server=server.url))
    assert len(server.handshakes) == 1  # forbidden is not a protocol refusal: no second try
    legacy = serve_subscriptions(_schema(), mimic="subscriptions-transport-ws", handshake_limit=1)
    gone = pytest.raises(
        SourceError,
        match=r"refused the subscription \(HTTP 503\) \(offered graphql-ws after it had closed "
        r"the connection \(1002\) in graphql-transport-ws\)",
    )
    with legacy as server, gone:
        list(listen(version, "ticks", server=server.url))


@pytest.fixture(scope="module")
def legacy_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        return installed(tmp_path_factory.mktemp("subscriptions-transport-ws"))
    except Unavailable as reason:
        pytest.skip(str(reason))


def test_the_real_subscriptions_transport_ws_server(tmp_path: Path, legacy_packages: Path) -> None:
    version = _guarded(_version(tmp_path))
    with serve_legacy(legacy_packages, PRICES, token=TOKEN) as server:
        accept(version, server.url)
        events = list(listen(version, "priceChanged", {"productId": "p1"}, server=server.url, credentials=GOOD))  # fmt: skip
        ticks = list(listen(version, "ticks", server=server.url, credentials=GOOD, count=3))
        with pytest.raises(SourceUnreachable, match=r"closed the connection \(1002\) before acknowledging it in graphql-transport-ws"):  # fmt: skip
            list(listen(version, "ticks", server=server.url, credentials=GOOD, subprotocol="graphql-transport-ws"))  # fmt: skip
        wrong = {"token": {"token": SecretStr("wrong")}}
        with pytest.raises(SourceError, match=r"refused the connection: .*unauthorised") as refused:
            list(listen(version, "ticks", server=server.url, credentials=wrong, subprotocol="graphql-ws"))  # fmt: skip
    assert [e.data for e in events] == [
        {"priceChanged": {"productId": "p1", "amount": a, "currency": "EUR"}} for a in AMOUNTS
    ]
    assert all(e.problems == [] and e.errors == [] for e in events)
    assert [e.data for e in ticks] == [{"ticks": 1}, {"ticks": 2}, {"ticks": 3}]
    offered = [h["offered"] for h in server.handshakes]
    assert offered == [BOTH, "graphql-ws", BOTH, "graphql-ws", "graphql-transport-ws", "graphql-ws"]
    assert all(h["authorised"] for h in server.handshakes[:5])
    assert "wrong" not in str(refused.value)
