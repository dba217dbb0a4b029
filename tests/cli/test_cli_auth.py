"""``connectory auth`` and ``onboard --auth``: authenticating a document that declares no auth."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from graphql import build_schema

from connectory import inspect
from connectory.catalog import Catalog
from tests.support.graphql import SHOP
from tests.support.graphql_server import serve_graphql
from tests.support.kernels import kernels_document, kernels_route
from tests.support.servers import serve

from .conftest import Run

SECRET = "cli-auth-s3cret"


def test_add_a_header_the_document_lacks_then_invoke(
    run: Run, sqlite_url: str, tmp_path: Path
) -> None:
    credentials = {"CONNECTORY_CREDENTIALS_KERNELS": json.dumps({"token": {"key": f"token {SECRET}"}})}  # fmt: skip
    invoke = ("invoke", "kernels@1.0.0", "listKernels", "--json")
    with serve({"/api/kernels": kernels_route(SECRET, b'[{"id": "k1"}]')}) as server:
        (tmp_path / "kernels.json").write_text(json.dumps(kernels_document(server.base_url)))
        with Catalog.open(sqlite_url) as catalog:
            catalog.draft(inspect(tmp_path / "kernels.json", connector="kernels"))
        assert run("trust", "kernels@1.0.0", "--yes").returncode == 0
        before = run(*invoke)
        unknown = run(*invoke, env=credentials)
        added = run(
            "auth", "add", "kernels@1.0.0", "--type", "api-key", "--in", "header",
            "--name", "Authorization", "--method-name", "token",
        )  # fmt: skip
        after = run(*invoke, env=credentials)
        listed = run("auth", "list", "kernels@1.0.0")
        as_json = run("auth", "list", "kernels@1.0.0", "--json")
    assert before.returncode == 1  # the call went out, without auth: HTTP 403
    assert json.loads(before.stdout)["status"] == 403
    assert unknown.returncode == 2  # credentials for a method the version lacks
    assert "name 'token', which kernels@1.0.0 has no auth method for" in unknown.stderr
    assert "connectory auth add kernels@1.0.0" in unknown.stderr
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == ("Added token (api_key) to kernels@1.0.0: every action needs it")
    assert (
        'Credentials: {"token": {"key": "..."}} in CONNECTORY_CREDENTIALS_KERNELS' in added.stderr
    )
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout)["status"] == 200
    assert json.loads(after.stdout)["body"] == [{"id": "k1"}]
    assert "token" in listed.stdout
    assert "api_key" in listed.stdout
    assert "every action" in listed.stdout
    assert json.loads(as_json.stdout) == [
        {
            "type": "api_key",
            "name": "token",
            "description": None,
            "location": "header",
            "parameter": "Authorization",
        }
    ]
    assert server.requests == ["/api/kernels", "/api/kernels"]  # the refused call sent nothing
    for result in (before, unknown, added, after, listed):
        assert SECRET not in result.stdout + result.stderr


def test_auth_add_refusals(run: Run, sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "kernels.json").write_text(json.dumps(kernels_document("https://k.example")))
    with Catalog.open(sqlite_url) as catalog:
        catalog.draft(inspect(tmp_path / "kernels.json", connector="kernels"))
    assert run("auth", "add", "kernels@1.0.0", "--type", "bearer").returncode == 0
    duplicate = run("auth", "add", "kernels@1.0.0", "--type", "bearer")
    unknown = run("auth", "add", "kernels@9.9.9", "--type", "bearer")
    no_type = run("auth", "add", "kernels@1.0.0")
    no_name = run("auth", "add", "kernels@1.0.0", "--type", "api-key", "--in", "query")
    bad_json = run("auth", "add", "kernels@1.0.0", "--json-method", '{"type": "magic"}')
    action = run("auth", "add", "kernels@1.0.0", "--type", "basic", "--action", "nope")
    assert run("publish", "kernels@1.0.0").returncode == 0
    published = run("auth", "add", "kernels@1.0.0", "--type", "basic")
    assert (duplicate.returncode, duplicate.stderr.strip()) == (
        1,
        "error: kernels@1.0.0 has an auth method named 'bearer' already: give the new one "
        "another name (its methods: bearer)",
    )
    assert unknown.returncode == 2
    assert "no version of kernels '9.9.9'" in unknown.stderr.replace("\n", " ")
    assert no_type.returncode == 2
    assert "give --type" in no_type.stderr
    assert no_name.returncode == 2
    assert "--type api-key needs --in header|query|cookie and --name" in no_name.stderr
    assert bad_json.returncode == 2
    assert "auth method (JSON)" in bad_json.stderr
    assert action.returncode == 2
    assert "listKernels" in action.stderr
    assert published.returncode == 1
    assert published.stderr.startswith(
        "error: kernels@1.0.0 is published: it cannot change; draft a new version"
    )
    for result in (duplicate, unknown, no_type, no_name, bad_json, action, published):
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_graphql_onboarded_with_auth_bearer_invokes_with_a_token_from_the_secrets_file(
    run: Run, sqlite_url: str, tmp_path: Path, prefect_api_url: str
) -> None:
    prefect = {"PREFECT_API_URL": prefect_api_url}
    header = f"Authorization: Bearer {SECRET}"
    invoke = ("invoke", "shop@1", "version", "--json")
    with serve_graphql(build_schema(SHOP.read_text()), required_headers={"Authorization": f"Bearer {SECRET}"}) as server:  # fmt: skip
        plain = run("onboard", server.url, "-p", "graphql", "--name", "plain", "-H", header, env=prefect)  # fmt: skip
        onboarded = run(
            "onboard", server.url, "-p", "graphql", "--name", "shop", "-H", header,
            "--auth", "bearer", env=prefect,
        )  # fmt: skip
        without = run(*invoke)
        kept = run("secret", "set", "shop", "bearer", "token", "--stdin", stdin=SECRET + "\n")
        done = run(*invoke)
        bad_spec = run("onboard", server.url, "-p", "graphql", "--name", "x", "--auth", "token")
    assert plain.returncode == 0, plain.stderr
    assert onboarded.returncode == 0, onboarded.stderr
    assert "Drafted shop@1" in onboarded.stdout
    shown = json.loads(run("show", "shop@1", "--json").stdout)
    assert shown["auth_methods"] == [
        {"type": "http_bearer", "name": "bearer", "description": None, "bearer_format": None}
    ]
    assert shown["default_auth"] == [{"bearer": []}]  # subscriptions too
    assert json.loads(run("show", "plain@1", "--json").stdout)["auth_methods"] == []
    assert without.returncode == 2
    assert "needs credentials for bearer" in without.stderr
    assert kept.returncode == 0, kept.stderr
    secrets_file = tmp_path / "secrets" / "credentials.json"
    assert stat.S_IMODE(os.stat(secrets_file).st_mode) == 0o600
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert (answer["status"], answer["body"], answer["problems"]) == (
        200, {"data": {"version": "text"}}, [],
    )  # fmt: skip
    assert server.requests[-1]["headers"]["authorization"] == f"Bearer {SECRET}"
    assert bad_spec.returncode == 2
    assert "unknown auth spec 'token': use bearer, basic" in bad_spec.stderr
    for result in (onboarded, without, kept, done, bad_spec):
        assert SECRET not in result.stdout + result.stderr
