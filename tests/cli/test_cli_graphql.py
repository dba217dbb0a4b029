"""``connectory`` with GraphQL: files, live endpoints with secret headers, ``reintrospect``."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from graphql import build_schema
from prefect.client.schemas.objects import StateType

from tests.support.flow_records import flow_runs
from tests.support.graphql import SHOP
from tests.support.graphql_server import serve_graphql

from .conftest import Run

SECRET = "cli-s3cret-value"
AUTH = {"Authorization": f"Bearer {SECRET}"}


def _no_secret(*results: subprocess.CompletedProcess[str]) -> None:
    for result in results:
        assert SECRET not in result.stdout
        assert SECRET not in result.stderr


def test_inspect_an_sdl_file(run: Run, sqlite_url: str) -> None:
    result = run("inspect", str(SHOP), "--protocol", "graphql", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["protocol"], len(data["actions"]), len(data["triggers"])) == ("graphql", 9, 2)
    assert data["actions"][0]["binding"]["document"].startswith("query product($id: ID!)")
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()
    tables = run("inspect", str(SHOP))
    assert tables.returncode == 0, tables.stderr
    assert "query product" in tables.stdout
    assert "subscription" in tables.stdout


def test_inspect_an_endpoint_with_a_secret_header(run: Run) -> None:
    with serve_graphql(build_schema(SHOP.read_text()), required_headers=AUTH) as server:
        refused = run("inspect", server.url, "--protocol", "graphql")
        accepted = run(
            "inspect", server.url, "-p", "graphql", "--header", f"Authorization: Bearer {SECRET}"
        )
        from_env = run(
            "inspect", server.url, "-p", "graphql", "--name", "shop",
            env={"CONNECTORY_GRAPHQL_HEADERS_SHOP": json.dumps(AUTH)},
        )  # fmt: skip
        bad = run("inspect", server.url, "-p", "graphql", "--header", SECRET)
    assert refused.returncode == 2
    assert "HTTP 401" in refused.stderr
    assert "--header" in refused.stderr
    assert accepted.returncode == 0, accepted.stderr
    assert "9 actions, 2 triggers" in accepted.stdout
    assert from_env.returncode == 0, from_env.stderr
    assert bad.returncode == 2
    assert "expected 'Name: value'" in bad.stderr
    _no_secret(refused, accepted, from_env, bad)


def test_onboard_then_reintrospect(run: Run, sqlite_url: str, prefect_api_url: str) -> None:
    prefect = {"PREFECT_API_URL": prefect_api_url}
    since = datetime.now(UTC)
    with serve_graphql(build_schema(SHOP.read_text()), required_headers=AUTH) as server:
        onboarded = run(
            "onboard", server.url, "--protocol", "graphql", "--name", "shop",
            "-H", f"Authorization: Bearer {SECRET}", env=prefect,
        )  # fmt: skip
        assert onboarded.returncode == 0, onboarded.stderr
        assert "Drafted shop@1" in onboarded.stdout
        without_headers = run("reintrospect", env=prefect)
        with_headers = {**prefect, "CONNECTORY_GRAPHQL_HEADERS_SHOP": json.dumps(AUTH)}
        unchanged = run("reintrospect", env=with_headers)
        server.schema = build_schema(SHOP.read_text().replace("  me: Customer\n", ""))
        drafted = run("reintrospect", "shop", "--json", env=with_headers)
        server.schema = build_schema(SHOP.read_text())  # back to shop@1's schema
        reverted = run("reintrospect", env=with_headers)
        unknown = run("reintrospect", "nobody", env=with_headers)
    assert without_headers.returncode == 1
    assert "shop: failed" in without_headers.stdout
    assert "HTTP 401" in without_headers.stdout
    assert unchanged.returncode == 0, unchanged.stderr
    assert unchanged.stdout.strip() == "shop: unchanged (shop@1)"
    assert drafted.returncode == 0, drafted.stderr
    [outcome] = json.loads(drafted.stdout)
    assert (outcome["status"], outcome["version"], outcome["changes"]) == (
        "drafted", "2", {"breaking": 1},
    )  # fmt: skip
    assert reverted.returncode == 0, reverted.stderr
    assert reverted.stdout.strip() == (
        "shop: reverted 1 (the endpoint serves the schema of shop@1 again; "
        "since @2: 0 breaking, 0 dangerous, 1 safe)"
    )
    assert unknown.returncode == 2
    assert "no connector 'nobody'" in unknown.stderr
    states = [r.state_type for r in flow_runs("reintrospect", since)]
    assert states == [StateType.FAILED] + [StateType.COMPLETED] * 3 + [StateType.FAILED]
    _no_secret(onboarded, without_headers, unchanged, drafted, reverted, unknown)
    assert SECRET.encode() not in Path(sqlite_url.removeprefix("sqlite:///")).read_bytes()
    shown = run("show", "shop@2", "--json")
    assert json.loads(shown.stdout)["changes"][0]["location"] == "Query.me"
