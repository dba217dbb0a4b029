"""The HTTP API, served by uvicorn on loopback and called over HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from connectory import inspect
from connectory.api import create_app
from connectory.catalog import Catalog

from ..samples import small_version

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"
TOKEN = "api-t0ken-value"


def _serve(app: object) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def api(sqlite_url: str) -> Iterator[httpx.Client]:
    with Catalog.open(sqlite_url) as catalog:
        drafted = catalog.draft(inspect(EXAMPLE, connector="onepassword"))
        catalog.publish("onepassword", drafted.version.version or "")
    for base in _serve(create_app(sqlite_url)):
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client


def test_read_the_catalogue(api: httpx.Client) -> None:
    assert api.get("/health").json() == {"status": "ok"}
    assert [c["name"] for c in api.get("/connectors").json()] == ["onepassword"]
    assert api.get("/connectors/onepassword").json()["default_version"] == "1.5.7"
    versions = api.get("/connectors/onepassword/versions").json()
    assert [(v["label"], v["state"]) for v in versions] == [("1.5.7", "published")]
    latest = api.get("/connectors/onepassword/versions/latest").json()
    assert (latest["version"], len(latest["actions"])) == ("1.5.7", 15)


def test_errors_have_the_status_their_kind_means(api: httpx.Client) -> None:
    missing = api.get("/connectors/nobody")
    assert missing.status_code == 404
    assert missing.json()["error"] == "NotFound"
    bad = api.get("/connectors/onepassword/versions/9.9.9")
    assert bad.status_code == 404
    refused = api.delete("/connectors/onepassword/versions/1.5.7")
    assert refused.status_code == 409
    assert refused.json()["error"] == "ConfirmationRequired"


def test_create_publish_vet_deprecate_and_delete_by_hand(api: httpx.Client) -> None:
    one = small_version(connector="acme", seed="1").model_dump(mode="json", by_alias=True)
    created = api.post("/connectors/acme/versions", params={"label": "1.0.0"}, json=one)
    assert created.status_code == 201, created.text
    assert (created.json()["created"], created.json()["version"]["state"]) == (True, "draft")
    again = api.post("/connectors/acme/versions", params={"label": "1.0.0"}, json=one)
    assert again.json()["created"] is False  # same document: nothing new
    wrong = api.post("/connectors/other/versions", json=one)
    assert (wrong.status_code, wrong.json()["error"]) == (400, "InputError")
    invalid = api.post("/connectors/acme/versions", json={"connector": "acme"})
    assert invalid.status_code == 422

    vetting = {"connector": "acme", "version": "1.0.0", "reviewer": "ann", "verdict": "approved"}
    assert api.post("/connectors/acme/versions/1.0.0/vettings", json=vetting).status_code == 201
    published = api.post("/connectors/acme/versions/1.0.0/publish")
    assert published.json()["state"] == "published"
    assert [v["verdict"] for v in api.get("/connectors/acme/vettings").json()] == ["approved"]

    two = small_version(connector="acme", seed="2", actions=("list-things",))
    body = two.model_dump(mode="json", by_alias=True)
    api.post("/connectors/acme/versions", params={"label": "1.1.0"}, json=body)
    changes = api.get("/connectors/acme/versions/1.1.0/changes", params={"since": "1.0.0"})
    assert any(c["level"] == "breaking" for c in changes.json())
    refused = api.post("/connectors/acme/versions/1.1.0/publish")
    assert (refused.status_code, refused.json()["error"]) == (409, "PublishRefused")

    deprecated = api.post(
        "/connectors/acme/versions/1.0.0/deprecate", json={"sunset": "2031-01-01"}
    )
    assert (deprecated.json()["state"], deprecated.json()["sunset"]) == ("deprecated", "2031-01-01")
    gone = api.delete("/connectors/acme/versions/1.0.0", params={"confirm": True})
    assert gone.status_code == 200, gone.text
    assert api.get("/connectors/acme/versions/1.0.0").status_code == 404


def test_boards(api: httpx.Client) -> None:
    board = {"name": "sync", "uses": [{"connector": "onepassword", "version": "latest"}]}
    assert api.post("/boards", json=board).status_code == 201
    deployed = api.post("/boards/sync/deploy").json()
    assert deployed["uses"][0]["resolved_version"] == "1.5.7"
    assert [b["name"] for b in api.get("/boards").json()] == ["sync"]
    undeployed = api.post("/boards/sync/undeploy", params={"reason": "done"})
    assert undeployed.status_code == 200


def test_a_token_guards_every_route_but_health(sqlite_url: str) -> None:
    for base in _serve(create_app(sqlite_url, token=SecretStr(TOKEN))):
        with httpx.Client(base_url=base) as client:
            assert client.get("/health").status_code == 200
            denied = client.get("/connectors")
            assert denied.status_code == 401
            assert TOKEN not in denied.text
            wrong = client.get("/connectors", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            allowed = client.get("/connectors", headers={"Authorization": f"Bearer {TOKEN}"})
            assert allowed.status_code == 200
