"""The reintrospect flow against real GraphQL servers on loopback, run through Prefect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from connectory_flows.onboard import onboard
from connectory_flows.reintrospect import Reintrospected, reintrospect
from connectory_flows.reporting import ItemsFailed
from connectory_flows.secrets import supplied
from graphql import GraphQLSchema, build_client_schema, build_schema
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.schedules import CronSchedule
from pydantic import SecretStr

from connectory.catalog import Catalog
from connectory.errors import InputError, NotFound
from connectory.runtime import SecretsFile, origin
from tests.conftest import corpus_file
from tests.support.flow_records import artifacts, flow_run
from tests.support.graphql import SHOP
from tests.support.graphql_server import serve_graphql

ROOT = Path(__file__).resolve().parents[2]
SECRET = "gh-s3cret"

pytestmark = pytest.mark.usefixtures("prefect_api_url")


def _reintrospect(**parameters: Any) -> tuple[Reintrospected, FlowRun]:
    """A real run's result (also when an endpoint failed) and the run as Prefect holds it."""
    state = reintrospect(**parameters, return_state=True)
    result = state.result(raise_on_failure=False)
    if isinstance(result, ItemsFailed):
        result = result.result
    assert isinstance(result, Reintrospected), result
    return result, flow_run(state)


def _shop(drift: bool = False) -> GraphQLSchema:
    text = SHOP.read_text()
    if drift:
        text = text.replace("  me: Customer\n", "  reviews: [Review!]!\n").replace(
            "  GBP", "  CHF\n  GBP"
        )
    return build_schema(text)


def test_drift_drafts_a_version_with_its_change_report(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = {"Authorization": f"Bearer {SECRET}"}
    with serve_graphql(_shop(), required_headers=auth) as shop:
        # The headers, and the origin they may go to (a worker has no secrets file to hold it).
        kept = {**auth, "$accepted_origins": [shop.url]}
        monkeypatch.setenv("CONNECTORY_GRAPHQL_HEADERS_SHOP", json.dumps(kept))
        with serve_graphql(_shop()) as gone:
            onboard(source=shop.url, name="shop", protocol="graphql")
            onboard(source=gone.url, name="gone", protocol="graphql")
            onboard(source=str(SHOP), name="shopfile", protocol="graphql")
        # "gone" stopped: it now refuses connections
        result, run = _reintrospect()
        assert [str(o) for o in result.outcomes] == [
            "gone: failed " + result.outcomes[0].error,  # type: ignore[operator]
            "shop: unchanged (shop@1)",
        ]
        assert "cannot connect" in (result.outcomes[0].error or "")
        assert run.state is not None  # the run says so to whatever watches run states
        assert (run.state.type, run.state.message) == (
            StateType.FAILED,
            f"1 of 2 endpoints failed to re-introspect: gone ({gone.url})",
        )
        shop.schema = _shop(drift=True)
        drifted, _ = _reintrospect()
        again, run = _reintrospect(connector="shop")
    assert run.state_type == StateType.COMPLETED
    outcome = next(o for o in drifted.outcomes if o.connector == "shop")
    assert (outcome.status, outcome.version) == ("drafted", "2")
    assert outcome.changes == {"breaking": 1, "dangerous": 1, "safe": 1}
    assert [o.status for o in again.outcomes] == ["unchanged"]
    assert all(r["headers"].get("authorization") == f"Bearer {SECRET}" for r in shop.requests)
    with Catalog.open(sqlite_url) as catalog:
        assert [v.label for v in catalog.list_versions("shop")] == ["1", "2"]
        assert [v.label for v in catalog.list_versions("shopfile")] == ["1"]
        stored = catalog.get_version("shop", "2")
    assert {(c.level, c.kind, c.location) for c in stored.changes} == {
        ("breaking", "field-removed", "Query.me"),
        ("dangerous", "value-added-to-enum", "Currency.CHF"),
        ("safe", "field-added", "Query.reviews"),
    }
    report = artifacts("reintrospect-shop")[0]
    assert "# shop@2: the schema changed since @1" in report
    assert "| field-removed | `Query.me` |" in report
    summaries = artifacts("reintrospect")
    assert "| shop | unchanged (shop@2) |" in summaries[0]  # the last run's
    summary = next(s for s in summaries if "| shop | drafted 2 " in s)
    assert "| gone | failed http://127.0.0.1:" in summary
    for text in (report, summary, stored.model_dump_json()):
        assert SECRET not in text


def test_headers_kept_in_a_prefect_secret_block(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.blocks.system import Secret

    Secret(value=["not", "headers"]).save("connectory-graphql-headers-badblock", overwrite=True)
    monkeypatch.setenv("CONNECTORY_GRAPHQL_HEADERS_BLOCKSHOP", json.dumps({"X-Team": "env"}))
    auth = {"Authorization": f"Bearer {SECRET}"}
    with serve_graphql(_shop(), required_headers=auth) as shop:
        block = {"Authorization": f"Bearer {SECRET}", "X-Team": "block"}
        Secret(value={**block, "$accepted_origins": [shop.url]}).save(
            "connectory-graphql-headers-blockshop", overwrite=True
        )
        # no headers given: the flow reads the block (and the environment, which wins by name)
        onboard(source=shop.url, name="blockshop", protocol="graphql")
        with supplied(headers={"badblock": {"Authorization": SecretStr(f"Bearer {SECRET}")}}):
            onboard(source=shop.url, name="badblock", protocol="graphql")
        shop.schema = _shop(drift=True)
        result, _ = _reintrospect()
    outcomes = {o.connector: o for o in result.outcomes}
    assert outcomes["blockshop"].status == "drafted"
    assert outcomes["badblock"].status == "failed"
    assert "the Secret block connectory-graphql-headers-badblock must be a JSON object of header names" in (outcomes["badblock"].error or "")  # fmt: skip
    sent = [r["headers"] for r in shop.requests]
    assert sent[0]["authorization"] == f"Bearer {SECRET}"
    assert sent[0]["x-team"] == "env"
    assert len(sent) == 3  # badblock's reintrospection sent nothing


def test_headers_go_only_to_an_accepted_origin(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A teammate with an API token drafts a version of "shop" whose endpoint is their own server:
    the scheduled re-introspection would have sent shop's token there."""
    auth = {"Authorization": f"Bearer {SECRET}"}
    with serve_graphql(_shop(), required_headers=auth) as shop, serve_graphql(_shop()) as evil:
        monkeypatch.setenv("CONNECTORY_GRAPHQL_HEADERS_SHOP", json.dumps(auth))
        SecretsFile.default().accept("shop", [origin(shop.url)])  # as onboarding it records
        onboard(source=shop.url, name="shop", protocol="graphql")
        with Catalog.open(sqlite_url) as catalog:
            moved = catalog.get_version("shop", "1")
            endpoint = moved.metadata.model_copy(update={"endpoint": evil.url})
            catalog.draft(
                moved.model_copy(update={"metadata": endpoint, "sha256": "e" * 64}), label="2"
            )
        result, _ = _reintrospect()
        assert evil.requests == []  # nothing reached the other origin
    [outcome] = result.outcomes
    assert outcome.status == "failed"
    assert "introspection headers would go to http://127.0.0.1:" in (outcome.error or "")
    assert "connectory trust shop@VERSION" in (outcome.error or "")
    assert SECRET not in (outcome.error or "")


def test_a_named_connector_must_have_an_endpoint(sqlite_url: str) -> None:
    onboard(source=str(SHOP), name="shopfile", protocol="graphql")
    with pytest.raises(InputError, match="was not introspected from a GraphQL endpoint"):
        reintrospect(connector="shopfile")
    with pytest.raises(NotFound, match="no connector 'nobody'"):
        reintrospect(connector="nobody")
    assert reintrospect().outcomes == []


def test_headers_given_in_process_are_no_parameter() -> None:
    auth = {"X-Api-Key": SECRET}
    with (
        serve_graphql(_shop(), required_headers=auth) as shop,
        supplied(headers={"shop": {"X-Api-Key": SecretStr(SECRET)}}),
    ):
        state = onboard(source=shop.url, name="shop", protocol="graphql", return_state=True)
    assert state.is_completed()
    parameters = flow_run(state).parameters
    assert set(parameters) == {
        "source",
        "name",
        "protocol",
        "label",
        "publish",
        "require_auth",
        "auth",
        "catalog_block",  # a block's name, never the URL
    }
    assert SECRET not in json.dumps(parameters)


def test_back_to_an_older_schema_is_drift_from_the_newest_version() -> None:
    with serve_graphql(_shop()) as shop:  # schema A
        onboard(source=shop.url, name="shop", protocol="graphql")
        shop.schema = _shop(drift=True)  # B
        drafted, _ = _reintrospect()
        shop.schema = _shop()  # A again: the very document shop@1 was drafted from
        reverted, run = _reintrospect()
        still, _ = _reintrospect()
    assert [str(o) for o in drafted.outcomes] == [
        "shop: drafted 2 (1 breaking, 1 dangerous, 1 safe)"
    ]
    [outcome] = reverted.outcomes
    assert (outcome.status, outcome.version, outcome.since) == ("reverted", "1", "2")
    assert outcome.changes == {"breaking": 2, "safe": 1}
    assert str(outcome) == (
        "shop: reverted 1 (the endpoint serves the schema of shop@1 again; "
        "since @2: 2 breaking, 0 dangerous, 1 safe)"
    )
    assert run.state_type == StateType.COMPLETED
    assert [o.status for o in still.outcomes] == ["reverted"]  # until the catalogue follows
    with Catalog.open() as catalog:
        assert [v.label for v in catalog.list_versions("shop")] == ["1", "2"]
    report = artifacts("reintrospect-shop")[0]
    assert "# shop: the endpoint serves the schema of @1 again, changed since @2" in report
    assert "| field-removed | `Query.reviews` |" in report
    assert "| field-added | `Query.me` |" in report
    assert "| shop | reverted 1 (" in artifacts("reintrospect")[0]


@pytest.mark.slow
def test_github_drift_is_reported(sqlite_url: str) -> None:
    def github(version: str) -> GraphQLSchema:
        path = corpus_file("graphql", "github", f"schema-{version}.json")
        return build_client_schema(json.loads(path.read_text()), assume_valid=True)

    with serve_graphql(github("14.58.0")) as server:
        onboard(source=server.url, name="github", protocol="graphql")
        server.schema = github("15.25.0")
        result, _ = _reintrospect()
    [outcome] = result.outcomes
    assert outcome.status == "drafted"
    assert all(outcome.changes.get(level) for level in ("breaking", "dangerous", "safe"))
    with Catalog.open(sqlite_url) as catalog:
        stored = catalog.get_version("github", outcome.version)  # type: ignore[arg-type]
    assert len(stored.actions) == 272
    assert len(stored.changes) == sum(outcome.changes.values())


def test_the_deployment_runs_on_a_schedule() -> None:
    deployments = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]
    [deployment] = [d for d in deployments if d["name"] == "reintrospect"]
    assert deployment["entrypoint"] == "connectory_flows.reintrospect:reintrospect"
    [schedule] = deployment["schedules"]
    assert schedule.get("active", True)
    cron = CronSchedule(cron=schedule["cron"], timezone=schedule.get("timezone"))
    assert cron.cron == "0 4 * * *"
