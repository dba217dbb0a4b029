"""``connectory invoke`` through the installed console script, against a loopback server."""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from connectory import inspect
from connectory.catalog import Catalog

from ..oauth_server import PUBLIC_CLIENT, items_document, serve_oauth
from ..servers import Reply, serve
from .conftest import Run

SECRET = "cli-invoke-s3cret"


def _document(server: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Items", "version": "1.0.0"},
        "servers": [{"url": server}],
        "components": {
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}
        },
        "security": [{"key": []}],
        "paths": {
            "/items/{id}": {
                "get": {
                    "operationId": "getItem",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "the item",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "object", "required": ["id"]}
                                }
                            },
                        }
                    },
                }
            }
        },
    }


def _item(handler: BaseHTTPRequestHandler) -> Reply:
    if handler.headers.get("X-Key") != SECRET:
        return Reply(401, b"{}", {"Content-Type": "application/json"})
    return Reply(200, b'{"id": "7"}', {"Content-Type": "application/json"})


def test_invoke_an_action_with_credentials_from_the_environment(
    run: Run, sqlite_url: str, tmp_path: Path
) -> None:
    with serve({"/items/7": _item}) as server:
        (tmp_path / "items.json").write_text(json.dumps(_document(server.base_url)))
        with Catalog.open(sqlite_url) as catalog:
            catalog.draft(inspect(tmp_path / "items.json", connector="items"))
        credentials = {"CONNECTORY_CREDENTIALS_ITEMS": json.dumps({"key": {"key": SECRET}})}
        args = ("invoke", "items@1.0.0", "getItem", "--input", '{"path": {"id": "7"}}')
        done = run(*args, "--json", env=credentials)
        refused = run(*args, env={"CONNECTORY_CREDENTIALS_ITEMS": '{"key": {"key": "wrong"}}'})
        missing = run(*args)
        invalid = run("invoke", "items@1.0.0", "getItem", "--input", '{"path": {}}')
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert (answer["status"], answer["body"], answer["problems"]) == (200, {"id": "7"}, [])
    assert refused.returncode == 1
    assert "HTTP 401" in refused.stdout
    assert missing.returncode == 2
    assert "needs credentials for key" in missing.stderr
    assert invalid.returncode == 2
    assert "'id' is a required property" in invalid.stderr
    assert server.requests == ["/items/7", "/items/7"]
    for result in (done, refused, missing, invalid):
        assert SECRET not in result.stdout + result.stderr


def test_login_keeps_the_tokens_that_invoke_then_uses(
    run: Run, sqlite_url: str, tmp_path: Path
) -> None:
    secrets_path = tmp_path / "secrets" / "credentials.json"
    with serve_oauth() as server:
        (tmp_path / "items.json").write_text(json.dumps(items_document(server.base_url)))
        with Catalog.open(sqlite_url) as catalog:
            catalog.draft(inspect(tmp_path / "items.json", connector="items"))
        client = {"CONNECTORY_CREDENTIALS_ITEMS": json.dumps({"oauth": {"client_id": PUBLIC_CLIENT}})}  # fmt: skip
        # the browser: a program that opens the address and follows the redirects
        browser = f'{sys.executable} -c "import httpx, sys; httpx.get(sys.argv[1], follow_redirects=True)" %s'  # fmt: skip
        signed = run("login", "items@1.0.0", "--scope", "items:read", env={**client, "BROWSER": browser})  # fmt: skip
        kept = json.loads(secrets_path.read_text())["items"]["oauth"]
        server.expire_all()  # the access token is refused: invoke renews it with the refresh token
        done = run("invoke", "items@1.0.0", "listItems", "--json", env=client)
        renewed = json.loads(secrets_path.read_text())["items"]["oauth"]
        none = run("login", "items@1.0.0", "--method", "other", env=client)
        out = run("logout", "items")
        after = json.loads(secrets_path.read_text())
        again = run("logout", "items")
    assert signed.returncode == 0, signed.stderr
    assert "Signed in (with a refresh token, valid for 59 min)" in signed.stderr
    assert "code_challenge_method=S256" in signed.stdout  # the address, for a browser elsewhere
    assert secrets_path.stat().st_mode & 0o777 == 0o600
    assert set(kept) == {"token", "refresh_token", "expires_at"}
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == 200
    assert renewed["refresh_token"] != kept["refresh_token"]  # rotated, and kept
    assert renewed["refresh_token"] in server.refresh_tokens
    assert none.returncode == 2
    assert "no such method 'other' (methods with a sign-in: oauth)" in none.stderr
    assert "Signed out of oauth" in out.stderr
    assert after == {}  # nothing else was kept for items
    assert "No tokens of items" in again.stderr
    for result in (signed, done):
        for value in (*kept.values(), *renewed.values()):
            assert value not in result.stdout + result.stderr
