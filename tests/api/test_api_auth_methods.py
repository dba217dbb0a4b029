"""``POST /connectors/{name}/versions/{label}/auth-methods``: an auth method added to a draft."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from connectory.api import create_app
from connectory.catalog import Catalog
from tests.support.samples import small_version

from .test_api import _serve

ROUTE = "/connectors/acme/versions/{}/auth-methods"
KEY = {"type": "api_key", "name": "token", "location": "header", "parameter": "Authorization"}


@pytest.fixture
def api(sqlite_url: str) -> Iterator[httpx.Client]:
    """acme@1.0.0 published, acme@1.1.0 a draft."""
    with Catalog.open(sqlite_url) as catalog:
        catalog.draft(small_version(seed="1"), label="1.0.0")
        catalog.publish("acme", "1.0.0")
        catalog.draft(small_version(seed="2"), label="1.1.0")
    for base in _serve(create_app(sqlite_url)):
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client


def test_add_an_auth_method_to_a_draft(api: httpx.Client) -> None:
    before = api.get("/connectors/acme/versions/1.1.0").json()
    added = api.post(ROUTE.format("1.1.0"), json=KEY, params={"action": ["get-thing"]})
    assert added.status_code == 201, added.text
    assert added.json() == {**KEY, "description": None}
    after = api.get("/connectors/acme/versions/1.1.0").json()
    assert [m["name"] for m in after["auth_methods"]] == ["token"]
    assert {a["name"]: a["auth"] for a in after["actions"]} == {
        "list-things": None,
        "get-thing": [{"token": []}],
    }
    assert after["content_sha256"] != before["content_sha256"]
    everywhere = api.post(
        ROUTE.format("1.1.0"), json={"type": "http_bearer", "name": "b"}, params={"required": False}
    )
    assert everywhere.status_code == 201, everywhere.text
    assert api.get("/connectors/acme/versions/1.1.0").json()["default_auth"] == [{"b": []}, {}]


def test_refusals(api: httpx.Client) -> None:
    published = api.post(ROUTE.format("1.0.0"), json=KEY)
    assert (published.status_code, published.json()["error"]) == (409, "ImmutableVersion")
    assert api.post(ROUTE.format("1.1.0"), json=KEY).status_code == 201
    duplicate = api.post(ROUTE.format("1.1.0"), json=KEY)
    assert (duplicate.status_code, duplicate.json()["error"]) == (409, "Conflict")
    assert api.post(ROUTE.format("9.9.9"), json=KEY).status_code == 404
    assert api.post("/connectors/nobody/versions/1.0.0/auth-methods", json=KEY).status_code == 404
    unknown_action = api.post(
        ROUTE.format("1.1.0"), json={**KEY, "name": "k2"}, params={"action": "nope"}
    )
    assert unknown_action.status_code == 404
    assert "get-thing" in unknown_action.json()["message"]
    bad = api.post(ROUTE.format("1.1.0"), json={"type": "magic", "name": "m"})
    assert bad.status_code == 400
    assert api.get("/connectors/acme/versions/1.0.0").json()["auth_methods"] == []
