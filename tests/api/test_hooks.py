"""Webhook deliveries over HTTP: signatures checked, payloads checked, the inbox append-only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from connectory import inspect
from connectory.api import create_app
from connectory.catalog import Catalog
from connectory.model import Verification

from .test_api import _serve

SECRET = "whsec-s3cret"
DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Shop", "version": "1.0.0"},
    "paths": {},
    "webhooks": {
        "orderPaid": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["order"],
                                "properties": {"order": {"type": "string"}},
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
        "ping": {"post": {"responses": {"200": {"description": "ok"}}}},
    },
}
SIGNED = Verification(
    header="X-Signature", prefix="sha256=", timestamp_header="X-Timestamp", tolerance_seconds=300
)


def _publish_shop(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """shop@1.0.0 published: orderPaid signed (SIGNED), ping unsigned; its secret set."""
    (tmp_path / "shop.json").write_text(json.dumps(DOCUMENT))
    version = inspect(tmp_path / "shop.json", connector="shop")
    triggers = [
        t.model_copy(update={"verification": SIGNED}) if t.name == "orderPaid" else t
        for t in version.triggers
    ]
    with Catalog.open(sqlite_url) as catalog:
        catalog.draft(version.model_copy(update={"triggers": triggers}))
        catalog.publish("shop", "1.0.0")
    monkeypatch.setenv("CONNECTORY_CREDENTIALS_SHOP", json.dumps({"webhooks": {"secret": SECRET}}))


@pytest.fixture
def hooks(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[httpx.Client]:
    _publish_shop(sqlite_url, tmp_path, monkeypatch)
    for base in _serve(create_app(sqlite_url)):
        with httpx.Client(base_url=base) as client:
            yield client


def _signed(body: bytes, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    stamp = str(int(time.time() if at is None else at))
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {
        "X-Signature": f"sha256={digest}",
        "X-Timestamp": stamp,
        "Content-Type": "application/json",
        "Authorization": "Bearer not-to-be-kept",
    }


def test_a_signed_delivery_is_kept_and_listed(hooks: httpx.Client) -> None:
    body = b'{"order": "o-1"}'
    answer = hooks.post("/hooks/shop/orderPaid", content=body, headers=_signed(body))
    assert answer.status_code == 202, answer.text
    assert (answer.json()["verified"], answer.json()["problems"]) == (True, [])
    wrong_shape = b'{"order": 7}'
    checked = hooks.post("/hooks/shop/orderPaid", content=wrong_shape, headers=_signed(wrong_shape))
    assert checked.status_code == 202
    assert checked.json()["problems"] == ["order: 7 is not of type 'string'"]
    unsigned = hooks.post("/hooks/shop/ping", content=b"hello")
    assert (unsigned.status_code, unsigned.json()["verified"]) == (202, False)

    inbox = hooks.get("/connectors/shop/deliveries").json()
    assert [(d["trigger"], d["payload"]) for d in inbox] == [
        ("ping", "hello"),
        ("orderPaid", {"order": 7}),
        ("orderPaid", {"order": "o-1"}),
    ]
    assert all("authorization" not in {k.lower() for k in d["headers"]} for d in inbox)
    only = hooks.get("/connectors/shop/deliveries", params={"trigger": "ping"}).json()
    assert [d["trigger"] for d in only] == ["ping"]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "no X-Signature header"),
        (_signed(b'{"order": "o-1"}', secret="other"), "signature does not match"),
        (_signed(b'{"order": "o-2"}'), "signature does not match"),  # signed another body
        (_signed(b'{"order": "o-1"}', at=time.time() - 3600), "more than 300 s away"),
    ],
)
def test_a_delivery_that_fails_its_signature_is_refused_and_not_kept(
    hooks: httpx.Client, headers: dict[str, str], message: str
) -> None:
    refused = hooks.post("/hooks/shop/orderPaid", content=b'{"order": "o-1"}', headers=headers)
    assert refused.status_code == 401
    assert message in refused.json()["message"]
    assert SECRET not in refused.text
    assert hooks.get("/connectors/shop/deliveries").json() == []


def test_no_secret_configured_refuses_signed_triggers(
    hooks: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONNECTORY_CREDENTIALS_SHOP")
    body = b'{"order": "o-1"}'
    refused = hooks.post("/hooks/shop/orderPaid", content=body, headers=_signed(body))
    assert refused.status_code == 401
    assert "no secret is configured" in refused.json()["message"]


def test_unknown_triggers_and_large_deliveries(
    hooks: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert hooks.post("/hooks/shop/nothing", content=b"{}").status_code == 404
    assert hooks.post("/hooks/nobody/ping", content=b"{}").status_code == 404
    monkeypatch.setenv("CONNECTORY_MAX_DOCUMENT_BYTES", "100")
    assert hooks.post("/hooks/shop/ping", content=b"x" * 1000).status_code == 413
    assert hooks.get("/connectors/shop/deliveries").json() == []


def test_the_inbox_is_append_only(hooks: httpx.Client, sqlite_url: str) -> None:
    hooks.post("/hooks/shop/ping", content=b"hello")
    database = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    with pytest.raises(sqlite3.DatabaseError, match="deliveries"):
        database.execute("UPDATE deliveries SET payload = '\"forged\"'")
    with pytest.raises(sqlite3.DatabaseError, match="deliveries"):
        database.execute("DELETE FROM deliveries")
    database.close()


def test_with_an_api_token_unsigned_triggers_need_it(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _publish_shop(sqlite_url, tmp_path, monkeypatch)
    token = "api-t0ken"
    basic = "Basic " + base64.b64encode(f"provider:{token}".encode()).decode()
    for base in _serve(create_app(sqlite_url, token=SecretStr(token))):
        with httpx.Client(base_url=base) as client:
            denied = client.post("/hooks/shop/ping", content=b"x")
            wrong = client.post("/hooks/shop/ping", content=b"x", headers={"Authorization": "Bearer no"})  # fmt: skip
            bearer = client.post("/hooks/shop/ping", content=b"x", headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            basic_ok = client.post("/hooks/shop/ping", content=b"x", headers={"Authorization": basic})  # fmt: skip
            body = b'{"order": "o-1"}'
            signed = client.post("/hooks/shop/orderPaid", content=body, headers={k: v for k, v in _signed(body).items() if k != "Authorization"})  # fmt: skip
    assert [r.status_code for r in (denied, wrong, bearer, basic_ok, signed)] == [401, 401, 202, 202, 202]  # fmt: skip
    assert token not in denied.text
