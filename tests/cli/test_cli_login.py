"""``connectory login`` for OAuth 1.0a (three-legged) and with ``--device`` (RFC 8628), through
the installed console script, against real providers on loopback."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from connectory import inspect
from connectory.catalog import Catalog
from connectory.model.auth import OAuth1Auth
from tests.runtime.test_oauth_device import device_version
from tests.support.oauth1_server import CONSUMER_KEY, CONSUMER_SECRET, items_document, serve_oauth1
from tests.support.oauth_server import PUBLIC_CLIENT, serve_oauth

from .conftest import Run

# the browser: a program that opens the address and follows the redirects
BROWSER = f'{sys.executable} -c "import httpx, sys; httpx.get(sys.argv[1], follow_redirects=True)" %s'  # fmt: skip


def test_login_signs_in_three_legged_and_invoke_signs_with_the_token(
    run: Run, sqlite_url: str, tmp_path: Path
) -> None:
    secrets_path = tmp_path / "secrets" / "credentials.json"
    with serve_oauth1() as server:
        (tmp_path / "items.json").write_text(json.dumps(items_document(server.base_url)))
        method = OAuth1Auth(
            name="oauth1",
            request_token_url=server.url("/oauth/request_token"),
            authorization_url=server.url("/oauth/authorize"),
            access_token_url=server.url("/oauth/access_token"),
        )
        version = inspect(tmp_path / "items.json", connector="items").model_copy(
            update={"auth_methods": [method], "default_auth": [{"oauth1": []}]}
        )
        with Catalog.open(sqlite_url) as catalog:
            catalog.draft(version)
        consumer = {"consumer_key": CONSUMER_KEY, "consumer_secret": CONSUMER_SECRET}
        env = {"CONNECTORY_CREDENTIALS_ITEMS": json.dumps({"oauth1": consumer})}
        assert run("trust", "items@1.0.0", "--yes").returncode == 0
        signed = run("login", "items@1.0.0", env={**env, "BROWSER": BROWSER})
        kept = json.loads(secrets_path.read_text())["items"]["oauth1"]
        done = run("invoke", "items@1.0.0", "listItems", "--json", env=env)
        device = run("login", "items@1.0.0", "--device", env=env)
        out = run("logout", "items")
        after = json.loads(secrets_path.read_text())
    assert signed.returncode == 0, signed.stderr
    assert "Signed in (an OAuth 1.0a access token)" in signed.stderr
    assert "/oauth/authorize?oauth_token=" in signed.stdout  # the address, for a browser elsewhere
    assert set(kept) == {"token", "token_secret"}
    assert kept["token"] in server.validator.access_tokens
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == 200
    assert [r["valid"] for r in server.api_requests] == [True]
    assert device.returncode == 2
    assert "methods with a device sign-in: none" in device.stderr
    assert "Signed out of oauth1" in out.stderr
    assert after == {"items": {"$accepted_origins": [server.base_url]}}  # no token left
    for result in (signed, done, device, out):
        for value in (CONSUMER_SECRET, kept["token_secret"]):
            assert value not in result.stdout + result.stderr


def test_login_with_device_shows_the_code_and_keeps_the_tokens(
    run: Run, sqlite_url: str, tmp_path: Path
) -> None:
    secrets_path = tmp_path / "secrets" / "credentials.json"
    with serve_oauth(device_interval=1) as server:
        version = device_version(tmp_path, server)
        with Catalog.open(sqlite_url) as catalog:
            catalog.draft(version)
        env = {"CONNECTORY_CREDENTIALS_ITEMS": json.dumps({"oauth": {"client_id": PUBLIC_CLIENT}})}  # fmt: skip
        assert run("trust", "items@1.0.0", "--yes").returncode == 0
        # the person opens the verification address on their phone and approves the code
        signed = run("login", "items@1.0.0", "--device", env={**env, "BROWSER": BROWSER})
        kept = json.loads(secrets_path.read_text())["items"]["oauth"]
        done = run("invoke", "items@1.0.0", "listItems", "--json", env=env)
        device_codes = [r["form"].get("device_code") for r in server.token_requests]
    assert signed.returncode == 0, signed.stderr
    assert f"open {server.url('/activate')} and enter the code" in signed.stderr
    user_code = signed.stdout.strip()
    assert len(user_code) == 8
    assert "Signed in (with a refresh token, valid for 59 min)" in signed.stderr
    assert set(kept) == {"token", "refresh_token", "expires_at"}
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == 200
    for result in (signed, done):
        for value in (kept["token"], kept["refresh_token"], *filter(None, device_codes)):
            assert value not in result.stdout + result.stderr
