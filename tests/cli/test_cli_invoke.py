"""``connectory invoke`` through the installed console script, against a loopback server."""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from connectory import inspect
from connectory.catalog import Catalog
from tests.support.oauth_server import PUBLIC_CLIENT, items_document, serve_oauth
from tests.support.servers import Reply, serve

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
        untrusted = run(*args, env=credentials)
        trusted = run("trust", "items@1.0.0", "--yes")
        done = run(*args, "--json", env=credentials)
        refused = run(*args, env={"CONNECTORY_CREDENTIALS_ITEMS": '{"key": {"key": "wrong"}}'})
        missing = run(*args)
        invalid = run("invoke", "items@1.0.0", "getItem", "--input", '{"path": {}}')
    assert untrusted.returncode == 2  # the user has not accepted where the key would go
    assert untrusted.stderr.startswith(
        f"error: items@1.0.0 (getItem) would send secrets to {server.base_url}, not accepted "
        "for items: connectory trust items@1.0.0 shows and accepts them"
    )
    assert trusted.returncode == 0, trusted.stderr
    assert server.base_url in trusted.stdout
    assert f"items: accepted {server.base_url}" in trusted.stderr
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert (answer["status"], answer["body"], answer["problems"]) == (200, {"id": "7"}, [])
    assert refused.returncode == 1
    assert "HTTP 401" in refused.stdout
    assert missing.returncode == 2
    assert "needs credentials for key" in missing.stderr
    assert "connectory secret set items key SECRET" in missing.stderr  # where they go, concretely
    assert "CONNECTORY_CREDENTIALS_ITEMS" in missing.stderr
    assert invalid.returncode == 2
    assert "'id' is a required property" in invalid.stderr
    assert server.requests == ["/items/7", "/items/7"]
    for result in (untrusted, done, refused, missing, invalid):
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
        assert run("trust", "items@1.0.0", "--yes").returncode == 0
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
    assert after == {"items": {"$accepted_origins": [server.base_url]}}  # no secret left
    assert "No tokens of items" in again.stderr
    for result in (signed, done):
        for value in (*kept.values(), *renewed.values()):
            assert value not in result.stdout + result.stderr


JSON = {"Content-Type": "application/json"}


def _echo(handler: BaseHTTPRequestHandler) -> Reply:
    """A server that answers with the key it was sent, in its body and a header."""
    key = handler.headers.get("X-Key", "")
    return Reply(200, json.dumps({"id": "7", "you sent": key}).encode(), {**JSON, "X-Echo": key})


def test_trust_accepts_lists_and_revokes_the_origins_secrets_go_to(
    run: Run, sqlite_url: str, tmp_path: Path
) -> None:
    with serve({"/items/7": _item}) as server, serve({"/items/7": _echo}) as other:
        (tmp_path / "items.json").write_text(json.dumps(_document(server.base_url)))
        with Catalog.open(sqlite_url) as catalog:
            catalog.draft(inspect(tmp_path / "items.json", connector="items"))
        env = {"CONNECTORY_CREDENTIALS_ITEMS": json.dumps({"key": {"key": SECRET}})}
        args = ("invoke", "items@1.0.0", "getItem", "--input", '{"path": {"id": "7"}}')
        asked = run("trust", "items@1.0.0")  # no terminal to answer: nothing accepted
        accepted = run("trust", "items@1.0.0", "--yes")
        again = run("trust", "items@1.0.0")  # nothing new: nothing to ask
        elsewhere = run(*args, "--server", other.base_url, env=env)
        extra = run("trust", "items@1.0.0", "--origin", other.url("/any"), "--yes")
        echoed = run(*args, "--server", other.base_url, env=env)
        echoed_json = run(*args, "--server", other.base_url, "--json", env=env)
        listed = run("trust", "items", "--list", "--json")
        revoked = run("trust", "items", "--revoke", "--origin", other.base_url)
        after = run(*args, "--server", other.base_url, env=env)
    assert asked.returncode == 2
    assert "nothing accepted for items: pass --yes to accept" in asked.stderr
    rows = [[cell.strip() for cell in line.split("│")] for line in asked.stdout.splitlines()]
    assert [server.base_url, "new", "servers/0"] in rows
    assert accepted.returncode == 0, accepted.stderr
    assert again.returncode == 0, again.stderr
    assert "items: nothing new to accept" in again.stderr
    assert "accepted" in again.stdout
    assert elsewhere.returncode == 2
    assert (
        f"connectory trust items@1.0.0 --origin {other.base_url} shows and accepts them"
        in elsewhere.stderr
    )
    assert extra.returncode == 0, extra.stderr
    assert echoed.returncode == 0, echoed.stderr
    assert '"you sent": "***"' in echoed.stdout  # the server echoed the key: shown hidden
    assert json.loads(echoed_json.stdout)["body"] == {"id": "7", "you sent": "***"}
    assert json.loads(listed.stdout) == {
        "connector": "items",
        "accepted": sorted([server.base_url, other.base_url]),
    }
    assert f"Revoked for items: {other.base_url}" in revoked.stderr
    assert after.returncode == 2
    assert other.requests == ["/items/7", "/items/7"]  # only while it was accepted
    for result in (asked, accepted, elsewhere, echoed, echoed_json, after):
        assert SECRET not in result.stdout + result.stderr


def test_invoke_retries_and_max_wait(run: Run, sqlite_url: str, tmp_path: Path) -> None:
    from tests.support.traffic import DOCUMENT, Answer, Seen, serve_traffic

    def busy(seen: Seen) -> Answer:
        return Answer(429, {"message": "slow down"}, {"Retry-After": "0" if "q" in seen.query else "60"})  # fmt: skip

    (tmp_path / "things.json").write_text(json.dumps(DOCUMENT))
    with Catalog.open(sqlite_url) as catalog:
        catalog.draft(inspect(tmp_path / "things.json", connector="things"))
    with serve_traffic(busy) as server:
        args = ("invoke", "things@1.0.0", "listThings", "--server", server.base_url)
        too_long = run(*args, "--max-wait", "5")
        retried = run(*args, "--input", '{"query": {"q": "x"}}', "--retries", "2")
    assert too_long.returncode == 2
    assert "the server asks to wait 60 s, more than the 5 s allowed" in too_long.stderr
    assert retried.returncode == 1  # the last answer is still 429
    assert "HTTP 429" in retried.stdout
    assert len(server.seen) == 1 + 3


def test_invoke_all_pages(run: Run, sqlite_url: str, tmp_path: Path) -> None:
    from tests.support.traffic import DOCUMENT, Answer, Seen, serve_traffic

    things = [{"id": n} for n in range(5)]

    def pages(seen: Seen) -> Answer:
        at = int(seen.query.get("after", 0))
        link = {"Link": f'</things?after={at + 2}>; rel="next"'} if at + 2 < len(things) else {}
        return Answer(body=things[at : at + 2], headers=link)

    document = json.loads(json.dumps(DOCUMENT))
    document["paths"]["/things"]["get"]["responses"]["200"]["headers"] = {"Link": {"schema": {"type": "string"}}}  # fmt: skip
    (tmp_path / "things.json").write_text(json.dumps(document))
    with Catalog.open(sqlite_url) as catalog:
        catalog.draft(inspect(tmp_path / "things.json", connector="things"))
    with serve_traffic(pages) as server:
        args = ("invoke", "things@1.0.0", "listThings", "--server", server.base_url, "--all-pages")
        lines = run(*args)
        array = run(*args, "--json")
        capped = run(*args, "--max-pages", "2")
        single = run("invoke", "things@1.0.0", "addThing", "--server", server.base_url, "--all-pages")  # fmt: skip
    assert lines.returncode == 0, lines.stderr
    assert [json.loads(line) for line in lines.stdout.splitlines()] == things
    assert json.loads(array.stdout) == things
    assert capped.returncode == 2
    assert [json.loads(line) for line in capped.stdout.splitlines()] == things[:4]
    assert "more than 2 pages (max_pages, --max-pages)" in capped.stderr
    assert single.returncode == 2
    assert "addThing has no pagination" in single.stderr
