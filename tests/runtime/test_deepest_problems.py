"""What does not fit an answer's schema is named at the deepest field at fault, inside nullable
objects (``anyOf: [{...}, {type: null}]``): a GraphQL answer and a subscription's events, from
real servers on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from graphql import build_schema, graphql_sync

from connectory import inspect
from connectory.runtime import invoke, listen
from tests.support.graphql_server import serve_graphql
from tests.support.graphql_ws_server import serve_subscriptions

FIXTURES = Path(__file__).parents[1] / "fixtures"

ACCOUNTS = """
type Query { viewer: Viewer }
type Repo { name: String! stars: Int! }
type Viewer { login: String! email: String repo: Repo }
type Subscription { viewerChanged: Viewer }
"""


def test_a_graphql_answer_names_the_field_inside_the_nullable_object() -> None:
    shop = FIXTURES / "graphql" / "shop.graphql"
    version = inspect(shop, protocol="graphql", connector="shop")
    schema = build_schema(shop.read_text())

    def answer(body: dict[str, Any]) -> tuple[int, bytes]:
        result = graphql_sync(schema, body["query"], variable_values=body.get("variables"),
                              root_value={"product": _product})  # fmt: skip
        data = result.formatted
        data["data"]["product"]["price"]["amount"] = "cheap"  # product is nullable, price not
        return 200, json.dumps(data).encode()

    with serve_graphql(schema) as server:
        server.reply = answer
        done = invoke(version, "product", {"id": "p1"}, server=server.url)
    assert done.status == 200
    assert done.problems == ["product/price/amount: 'cheap' is not of type 'number'"]


def _product(_info: Any, id: str) -> dict[str, Any]:
    return {
        "id": id, "name": "Lamp", "description": None, "tags": [], "createdAt": None,
        "homepage": None, "metadata": None, "price": {"amount": 9.5, "currency": "EUR"},
    }  # fmt: skip


def test_an_event_names_the_field_two_nullable_objects_down(tmp_path: Path) -> None:
    (tmp_path / "accounts.graphql").write_text(ACCOUNTS)
    version = inspect(tmp_path / "accounts.graphql", connector="accounts")
    schema = build_schema(ACCOUNTS)

    async def changes(_root: Any, _info: Any) -> AsyncIterator[dict[str, Any]]:
        yield {"login": "ada", "email": None, "repo": {"name": "engine", "stars": 3}}
        await asyncio.sleep(0)

    field = schema.subscription_type.fields["viewerChanged"]  # type: ignore[union-attr]
    field.subscribe = changes
    field.resolve = lambda event, _info: event

    def tamper(result: dict[str, Any]) -> dict[str, Any]:
        result["data"]["viewerChanged"]["repo"]["stars"] = "many"
        result["data"]["viewerChanged"]["email"] = 7
        return result

    with serve_subscriptions(schema, tamper=tamper) as server:
        [event] = list(listen(version, "viewerChanged", server=server.url))
    assert sorted(event.problems) == [
        "viewerChanged/email: 7 is not of type 'string', 'null'",
        "viewerChanged/repo/stars: 'many' is not of type 'integer'",
    ]
