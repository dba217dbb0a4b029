"""Webhook deliveries over HTTP: signatures checked, payloads checked, the inbox append-only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from connectory import inspect
from connectory.api import create_app
from connectory.catalog import Catalog
from connectory.model.version import Verification
from connectory.settings import Settings

from .test_api import _serve

TOKEN = "api-t0ken-for-hooks"
MIB = 1024 * 1024
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


def _publish_shop(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str = "shop"
) -> None:
    """NAME@1.0.0 published: orderPaid signed (SIGNED), ping unsigned; its secret set."""
    (tmp_path / "shop.json").write_text(json.dumps(DOCUMENT))
    version = inspect(tmp_path / "shop.json", connector=name)
    triggers = [
        t.model_copy(update={"verification": SIGNED}) if t.name == "orderPaid" else t
        for t in version.triggers
    ]
    with Catalog.open(sqlite_url) as catalog:
        catalog.draft(version.model_copy(update={"triggers": triggers}))
        catalog.publish(name, "1.0.0")
    variable = f"CONNECTORY_CREDENTIALS_{name.upper().replace('-', '_')}"
    monkeypatch.setenv(variable, json.dumps({"webhooks": {"secret": SECRET}}))


@pytest.fixture
def hooks(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[httpx.Client]:
    _publish_shop(sqlite_url, tmp_path, monkeypatch)
    for base in _serve(create_app(sqlite_url)):
        with httpx.Client(base_url=base) as client:
            yield client


@pytest.fixture
def guarded_hooks(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[httpx.Client]:
    """The hooks of an API with a token (TOKEN), deliveries capped at 1 MiB."""
    _publish_shop(sqlite_url, tmp_path, monkeypatch)
    app = create_app(sqlite_url, token=SecretStr(TOKEN), settings=Settings(max_delivery_bytes=MIB))
    for base in _serve(app):
        with httpx.Client(base_url=base, timeout=10) as client:
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
    ("signed", "message"),
    [  # signed when the test runs (a loaded machine may run it minutes after collecting it)
        (dict, "no X-Signature header"),
        (lambda: _signed(b'{"order": "o-1"}', secret="other"), "signature does not match"),
        (lambda: _signed(b'{"order": "o-2"}'), "signature does not match"),  # another body
        (lambda: _signed(b'{"order": "o-1"}', at=time.time() - 3600), "more than 300 s away"),
    ],
)
def test_a_delivery_that_fails_its_signature_is_refused_and_not_kept(
    hooks: httpx.Client, signed: Callable[[], dict[str, str]], message: str
) -> None:
    headers = signed()
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
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _publish_shop(sqlite_url, tmp_path, monkeypatch)
    for base in _serve(create_app(sqlite_url, settings=Settings(max_delivery_bytes=100))):
        with httpx.Client(base_url=base) as hooks:
            assert hooks.post("/hooks/shop/nothing", content=b"{}").status_code == 404
            assert hooks.post("/hooks/nobody/ping", content=b"{}").status_code == 404
            too_large = hooks.post("/hooks/shop/ping", content=b"x" * 1000)
            chunked = hooks.post("/hooks/shop/ping", content=iter([b"x" * 60] * 3))
            assert [too_large.status_code, chunked.status_code] == [413, 413]
            assert too_large.json()["error"] == "TooLarge"
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


def _head_only(client: httpx.Client, path: str, headers: dict[str, str]) -> tuple[int, str]:
    """POST only a request's head (its Content-Length promising a body that never comes) and
    read the answer: a server that reads the body before refusing never answers (status 0)."""
    url = client.base_url
    lines = [f"POST {path} HTTP/1.1", f"Host: {url.host}", *(f"{k}: {v}" for k, v in headers.items())]  # fmt: skip
    with socket.create_connection((url.host, url.port), timeout=5) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = b""
        try:
            while not answer.endswith(b"}"):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except TimeoutError:
            return 0, answer.decode()
    return int(answer.split(b" ", 2)[1]), answer.decode()


def test_a_hook_refuses_what_it_can_before_reading_the_body(guarded_hooks: httpx.Client) -> None:
    promised = {"Content-Type": "application/json", "Content-Length": str(MIB // 2)}
    fresh = {"X-Signature": "sha256=00", "X-Timestamp": str(int(time.time()))}
    no_signature = _head_only(guarded_hooks, "/hooks/shop/orderPaid", promised)
    stale = {**fresh, "X-Timestamp": str(int(time.time()) - 3600)}
    stale_answer = _head_only(guarded_hooks, "/hooks/shop/orderPaid", {**promised, **stale})
    too_much = {**promised, **fresh, "Content-Length": str(2 * MIB)}  # over the delivery cap
    over_cap = _head_only(guarded_hooks, "/hooks/shop/orderPaid", too_much)
    no_token = _head_only(guarded_hooks, "/hooks/shop/ping", promised)
    assert [no_signature[0], stale_answer[0], over_cap[0], no_token[0]] == [401, 401, 413, 401]
    assert "no X-Signature header" in no_signature[1]
    assert "more than 300 s away" in stale_answer[1]
    assert guarded_hooks.get("/connectors/shop/deliveries", headers={"Authorization": f"Bearer {TOKEN}"}).json() == []  # fmt: skip


def test_a_replayed_delivery_is_kept_once(hooks: httpx.Client) -> None:
    body = b'{"order": "o-1"}'
    headers = _signed(body)
    answers = [hooks.post("/hooks/shop/orderPaid", content=body, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 200, 200]
    assert [a.json()["duplicate"] for a in answers] == [False, True, True]
    assert len({a.json()["id"] for a in answers}) == 1
    later = hooks.post("/hooks/shop/orderPaid", content=body, headers=_signed(body, at=time.time() + 1))  # fmt: skip
    assert later.status_code == 202  # signed again (another timestamp): another delivery
    assert len(hooks.get("/connectors/shop/deliveries").json()) == 2


@pytest.mark.parametrize(
    "stamp",
    ["nan", "NaN", "+nan", "now+.0", "now_", "+now", "-now", "now5", "99999999999999999999"],
)
def test_a_timestamp_is_a_whole_number_of_seconds(hooks: httpx.Client, stamp: str) -> None:
    now = str(int(time.time()))
    stamp = stamp.replace("now_", f"{now[:4]}_{now[4:]}").replace("now", now)
    body = b'{"order": "o-1"}'
    digest = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    headers = {"X-Signature": f"sha256={digest}", "X-Timestamp": stamp}
    refused = hooks.post("/hooks/shop/orderPaid", content=body, headers=headers)
    assert refused.status_code == 401, stamp
    assert hooks.get("/connectors/shop/deliveries").json() == []


def test_a_deep_payload_is_refused_and_a_deep_row_kept_before_is_still_listed(
    hooks: httpx.Client, sqlite_url: str
) -> None:
    json_type = {"Content-Type": "application/json"}
    refused = hooks.post("/hooks/shop/ping", content=b"[" * 400 + b"]" * 400, headers=json_type)
    assert refused.status_code == 400
    assert "nested more than 128 levels deep" in refused.json()["message"]
    at_limit = hooks.post("/hooks/shop/ping", content=b"[" * 128 + b"]" * 128, headers=json_type)
    assert at_limit.status_code == 202
    database = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    with database:  # kept before the limit existed (or written by another client)
        database.execute(
            "INSERT INTO deliveries (connector, label, trigger, verified, problems, headers,"
            " payload, received_at) VALUES ('shop', '1.0.0', 'ping', 0, '[]', '{}', ?, ?)",
            ("[" * 400 + "]" * 400, datetime.now(UTC).replace(tzinfo=None).isoformat(" ")),
        )
    database.close()
    inbox = hooks.get("/connectors/shop/deliveries")
    assert inbox.status_code == 200, inbox.text
    deep, shallow = inbox.json()
    assert deep["payload"] == "[" * 400 + "]" * 400  # shown as its JSON text
    assert deep["problems"] == [
        "the stored payload is nested more than 128 levels deep: shown as its JSON text"
    ]
    assert shallow["problems"] == []


def test_without_the_token_a_hook_names_nothing_of_the_catalogue(
    guarded_hooks: httpx.Client,
) -> None:
    for path in ("/hooks/nobody/orderPaid", "/hooks/shop/nothing", "/hooks/shop/orderPaid?version=9.9.9"):  # fmt: skip
        answer = guarded_hooks.post(path, content=b"{}")
        assert answer.status_code == 404
        assert answer.json()["message"].startswith("no such hook: /hooks/")
        assert not {"known", "orderPaid, ping", "1.0.0"} & {w for w in answer.json()["message"].split(" ")}  # fmt: skip
        assert "known" not in answer.text
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    told = guarded_hooks.post("/hooks/shop/nothing", content=b"{}", headers=bearer)
    assert "(known: orderPaid, ping)" in told.json()["message"]


def test_a_deprecated_version_takes_deliveries_until_its_sunset(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = datetime.now(UTC).date()
    for name, sunset in (("shop", today + timedelta(days=30)), ("old-shop", today - timedelta(days=1))):  # fmt: skip
        _publish_shop(sqlite_url, tmp_path, monkeypatch, name)
        with Catalog.open(sqlite_url) as catalog:
            catalog.deprecate(name, "1.0.0", sunset=max(sunset, today))
            # A sunset in the past cannot be given (the store refuses it): time passed since.
            with catalog.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "UPDATE versions SET sunset = :sunset WHERE label = '1.0.0' AND "
                        "connector_id = (SELECT id FROM connectors WHERE name = :name)"
                    ),
                    {"sunset": sunset, "name": name},
                )
    for base in _serve(create_app(sqlite_url)):
        with httpx.Client(base_url=base) as client:
            taken = client.post("/hooks/shop/ping", content=b"hello")
            named_before = client.post(
                "/hooks/shop/ping", params={"version": "1.0.0"}, content=b"x"
            )
            gone = client.post("/hooks/old-shop/ping", content=b"hello")
            named = client.post("/hooks/old-shop/ping", params={"version": "1.0.0"}, content=b"x")
    assert [taken.status_code, named_before.status_code] == [202, 202], taken.text
    assert [gone.status_code, named.status_code] == [404, 404]
    assert "reached its sunset" in named.json()["message"]


def test_a_caller_without_token_or_signature_never_makes_the_server_load_a_version(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every hook request loaded the whole version before anything was checked: against a
    GitHub-sized connector, 400 ms of CPU for a request with no token and no signature, and an
    answer 70 times slower for a connector that exists than for one that does not. A hook is now
    found by the trigger's row alone; the version is loaded once the caller is known (the token,
    or a signature that checks)."""
    _publish_shop(sqlite_url, tmp_path, monkeypatch)
    app = create_app(sqlite_url, token=SecretStr(TOKEN), settings=Settings(max_delivery_bytes=MIB))
    catalog: Catalog = app.state.catalog
    loaded: list[str] = []
    load = catalog.get_version

    def counting(connector: str, label: str = "latest") -> object:
        loaded.append(f"{connector}@{label}")
        return load(connector, label)

    monkeypatch.setattr(catalog, "get_version", counting)
    body = b'{"order": "o-1"}'
    forged = {**_signed(body, secret="not-the-secret"), "Authorization": ""}
    for base in _serve(app):
        with httpx.Client(base_url=base, timeout=10) as client:
            for path, headers, status in (
                ("/hooks/shop/nope", {}, 404),
                ("/hooks/shop/ping", {}, 401),
                ("/hooks/shop/orderPaid", {}, 401),
                ("/hooks/shop/orderPaid", forged, 401),
                ("/hooks/shop/orderPaid?version=1.0.0", forged, 401),
            ):
                answer = client.post(path, content=body, headers=headers)
                assert answer.status_code == status, (path, answer.text)
            assert loaded == []
            kept = client.post("/hooks/shop/orderPaid", content=body, headers=_signed(body))
            assert kept.status_code == 202, kept.text
            assert loaded == ["shop@1.0.0"]
