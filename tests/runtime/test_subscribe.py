"""Listening to GraphQL subscription triggers against a real WebSocket server on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSchema, build_schema
from pydantic import SecretStr

from connectory import inspect
from connectory.errors import DocumentError, InputError, SourceError, SourceUnreachable
from connectory.model.auth import BearerAuth
from connectory.model.version import ConnectorVersion
from connectory.runtime import listen
from connectory.settings import Settings
from tests.support.consent import accept
from tests.support.graphql_ws_server import serve_subscriptions

PRICES = """
type Query { ping: String }
enum Currency { EUR USD }
type Price { productId: ID! amount: Float! currency: Currency! }
type Subscription {
  "Each new price of a product."
  priceChanged(productId: ID!): Price!
  "A tick every 20 ms, for ever."
  ticks: Int!
}
"""
TOKEN = "ws-token-never-shown"


def _schema() -> GraphQLSchema:
    schema = build_schema(PRICES)
    fields = schema.subscription_type.fields  # type: ignore[union-attr]

    async def prices(_root: Any, _info: Any, productId: str) -> AsyncIterator[dict[str, Any]]:
        for amount in (1.5, 2.0, 2.5):
            yield {"productId": productId, "amount": amount, "currency": "EUR"}

    async def ticks(_root: Any, _info: Any) -> AsyncIterator[int]:
        tick = 0
        while True:
            tick += 1
            yield tick
            await asyncio.sleep(0.02)

    for name, source in (("priceChanged", prices), ("ticks", ticks)):
        fields[name].subscribe = source
        fields[name].resolve = lambda event, _info, **_: event
    return schema


def _version(tmp_path: Path) -> ConnectorVersion:
    (tmp_path / "prices.graphql").write_text(PRICES)
    return inspect(tmp_path / "prices.graphql", connector="prices")


def _guarded(version: ConnectorVersion) -> ConnectorVersion:
    return version.model_copy(
        update={"auth_methods": [BearerAuth(name="token")], "default_auth": [{"token": []}]}
    )


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
def test_events_come_until_the_server_completes(tmp_path: Path, protocol: str) -> None:
    version = _version(tmp_path)
    with serve_subscriptions(_schema(), protocols=(protocol,)) as server:
        events = list(listen(version, "priceChanged", {"productId": "p1"}, server=server.url))
        sent = [m["type"] for m in server.messages]
    assert [e.data for e in events] == [
        {"priceChanged": {"productId": "p1", "amount": a, "currency": "EUR"}}
        for a in (1.5, 2.0, 2.5)
    ]
    assert all(e.problems == [] and e.errors == [] for e in events)
    subscribe = "subscribe" if protocol == "graphql-transport-ws" else "start"
    assert sent == ["connection_init", "pong", subscribe]  # the server's ping was answered
    subscribe_message = server.messages[2]["payload"]
    assert subscribe_message["variables"] == {"productId": "p1"}
    assert subscribe_message["operationName"] == "priceChanged"


def test_count_ends_an_endless_subscription_and_tells_the_server(tmp_path: Path) -> None:
    version = _version(tmp_path)
    with serve_subscriptions(_schema()) as server:
        events = list(listen(version, "ticks", server=server.url, count=3))
        timed = list(listen(version, "ticks", server=server.url, seconds=0.2))
        for _ in range(100):  # the server reads what each listener said on its own time
            stops = [m for m in server.messages if m["type"] == "complete"]
            if len(stops) == 2:
                break
            time.sleep(0.05)
    assert [e.data for e in events] == [{"ticks": 1}, {"ticks": 2}, {"ticks": 3}]
    assert timed  # some ticks came, then the time was up
    assert len(stops) == 2  # each listener said it was done


def test_variables_are_checked_before_anything_is_opened(tmp_path: Path) -> None:
    version = _version(tmp_path)
    with serve_subscriptions(_schema()) as server:
        with pytest.raises(
            InputError,
            match=r"Variable '\$productId' has invalid value: Expected a value of non-null type",
        ):
            list(listen(version, "priceChanged", {}, server=server.url))
        with pytest.raises(InputError, match=r"Variable '\$productId' has invalid value"):
            list(listen(version, "priceChanged", {"productId": {"x": 1}}, server=server.url))
        assert server.handshakes == []


def test_the_handshake_carries_the_auth(tmp_path: Path) -> None:
    version = _guarded(_version(tmp_path))
    needed = {"Authorization": f"Bearer {TOKEN}"}
    with serve_subscriptions(_schema(), required_headers=needed) as server:
        accept(version, server.url)
        good = {"token": {"token": SecretStr(TOKEN)}}
        events = list(listen(version, "priceChanged", {"productId": "p"}, server=server.url, credentials=good))  # fmt: skip
        wrong = {"token": {"token": SecretStr("wrong")}}
        with pytest.raises(SourceError, match=r"refused the subscription \(HTTP 401\)") as refused:
            list(listen(version, "priceChanged", {"productId": "p"}, server=server.url, credentials=wrong))  # fmt: skip
        with pytest.raises(InputError, match="priceChanged needs credentials for token"):
            list(listen(version, "priceChanged", {"productId": "p"}, server=server.url))
        init = server.messages[0]
    assert len(events) == 3
    assert init["payload"]["headers"] == {"authorization": f"Bearer {TOKEN}"}
    assert TOKEN not in str(refused.value)


def test_what_the_server_pushes_is_checked_against_the_payload_schema(tmp_path: Path) -> None:
    version = _version(tmp_path)

    def tamper(result: dict[str, Any]) -> dict[str, Any]:
        result["data"]["priceChanged"]["amount"] = "cheap"
        return {**result, "errors": [{"message": "price feed lagging"}]}

    with serve_subscriptions(_schema(), tamper=tamper) as server:
        first = next(iter(listen(version, "priceChanged", {"productId": "p"}, server=server.url)))
    assert first.problems == ["priceChanged/amount: 'cheap' is not of type 'number'"]
    assert first.errors == ["price feed lagging"]


def test_a_refused_operation_and_an_endpoint_that_is_gone(tmp_path: Path) -> None:
    version = _version(tmp_path)
    other = build_schema("type Query { ping: String } type Subscription { other: Int }")
    with serve_subscriptions(other) as server:  # the schema drifted: no priceChanged now
        with pytest.raises(SourceError, match=r"refused the subscription: .*Cannot query field 'priceChanged'"):  # fmt: skip
            list(listen(version, "priceChanged", {"productId": "p"}, server=server.url))
        url = server.url
    with pytest.raises(SourceUnreachable, match="cannot connect"):
        list(listen(version, "priceChanged", {"productId": "p"}, server=url))
    with pytest.raises(InputError, match="has no endpoint"):
        list(listen(version, "priceChanged", {"productId": "p"}))


def test_a_server_that_never_acknowledges_or_talks_nonsense(tmp_path: Path) -> None:
    version = _version(tmp_path)
    quick = Settings(connect_timeout=0.5)
    silent = pytest.raises(SourceUnreachable, match=r"did not acknowledge the connection within 0\.5 s")  # fmt: skip
    with serve_subscriptions(_schema(), misbehave="no-ack") as server, silent:
        list(listen(version, "ticks", server=server.url, settings=quick))
    garbage = pytest.raises(DocumentError, match="the server sent a message that is not JSON")
    with serve_subscriptions(_schema(), misbehave="not-json") as server, garbage:
        list(listen(version, "ticks", server=server.url))


def test_a_message_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    version = _version(tmp_path)

    def inflate(result: dict[str, Any]) -> dict[str, Any]:
        return {**result, "extensions": {"padding": "x" * 5000}}

    small = Settings(max_document_bytes=1000)
    too_large = pytest.raises(SourceError, match="a message larger than 1,000 bytes")
    with serve_subscriptions(_schema(), tamper=inflate) as server, too_large:
        list(listen(version, "priceChanged", {"productId": "p"}, server=server.url, settings=small))  # fmt: skip
