"""``connectory invoke`` through the installed console script, against a loopback server."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from connectory import inspect
from connectory.catalog import Catalog

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
