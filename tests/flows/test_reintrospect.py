"""The reintrospect flow against real GraphQL servers on loopback, run through Prefect."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml
from connectory_flows.onboard import onboard
from connectory_flows.reintrospect import reintrospect
from graphql import GraphQLSchema, build_client_schema, build_schema
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.schedules import CronSchedule
from prefect.client.schemas.sorting import ArtifactSort
from pydantic import SecretStr

from connectory.catalog import Catalog
from connectory.errors import InputError, NotFound

from ..conftest import corpus_file
from ..graphql_server import serve_graphql
from ..protocols.graphql_support import SHOP

ROOT = Path(__file__).resolve().parents[2]
SECRET = "gh-s3cret"

pytestmark = pytest.mark.usefixtures("prefect_api_url")


async def _artifacts(key: str) -> list[str]:
    """Every version of the artifact ``key``, newest first."""
    async with get_client() as client:
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=20,
        )
    return [str(artifact.data) for artifact in found]


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
    monkeypatch.setenv(
        "CONNECTORY_GRAPHQL_HEADERS_SHOP", json.dumps({"Authorization": f"Bearer {SECRET}"})
    )
    auth = {"Authorization": f"Bearer {SECRET}"}
    with serve_graphql(_shop(), required_headers=auth) as shop:
        with serve_graphql(_shop()) as gone:
            onboard(source=shop.url, name="shop", protocol="graphql", catalog_url=sqlite_url)
            onboard(source=gone.url, name="gone", protocol="graphql", catalog_url=sqlite_url)
            onboard(source=str(SHOP), name="shopfile", protocol="graphql", catalog_url=sqlite_url)
        # "gone" stopped: it now refuses connections
        result = reintrospect(catalog_url=sqlite_url)
        assert [str(o) for o in result.outcomes] == [
            "gone: failed " + result.outcomes[0].error,  # type: ignore[operator]
            "shop: unchanged (shop@1)",
        ]
        assert "cannot connect" in (result.outcomes[0].error or "")
        shop.schema = _shop(drift=True)
        drifted = reintrospect(catalog_url=sqlite_url)
        again = reintrospect(connector="shop", catalog_url=sqlite_url)
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
    report = asyncio.run(_artifacts("reintrospect-shop"))[0]
    assert "# shop@2: the schema changed since @1" in report
    assert "| field-removed | `Query.me` |" in report
    summaries = asyncio.run(_artifacts("reintrospect"))
    assert "| shop | unchanged (shop@2) |" in summaries[0]  # the last run's
    summary = next(s for s in summaries if "| shop | drafted 2 " in s)
    assert "| gone | failed http://127.0.0.1:" in summary
    for text in (report, summary, stored.model_dump_json()):
        assert SECRET not in text


def test_headers_kept_in_a_prefect_secret_block(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.blocks.system import Secret

    Secret(value={"Authorization": f"Bearer {SECRET}", "X-Team": "block"}).save(
        "connectory-graphql-headers-blockshop", overwrite=True
    )
    Secret(value=["not", "headers"]).save("connectory-graphql-headers-badblock", overwrite=True)
    monkeypatch.setenv("CONNECTORY_GRAPHQL_HEADERS_BLOCKSHOP", json.dumps({"X-Team": "env"}))
    auth = {"Authorization": f"Bearer {SECRET}"}
    with serve_graphql(_shop(), required_headers=auth) as shop:
        # no headers given: the flow reads the block (and the environment, which wins by name)
        onboard(source=shop.url, name="blockshop", protocol="graphql", catalog_url=sqlite_url)
        onboard(
            source=shop.url,
            name="badblock",
            protocol="graphql",
            catalog_url=sqlite_url,
            headers={"Authorization": SecretStr(f"Bearer {SECRET}")},
        )
        shop.schema = _shop(drift=True)
        result = reintrospect(catalog_url=sqlite_url)
    outcomes = {o.connector: o for o in result.outcomes}
    assert outcomes["blockshop"].status == "drafted"
    assert outcomes["badblock"].status == "failed"
    assert "the Secret block connectory-graphql-headers-badblock must be a JSON object of header names" in (outcomes["badblock"].error or "")  # fmt: skip
    sent = [r["headers"] for r in shop.requests]
    assert sent[0]["authorization"] == f"Bearer {SECRET}"
    assert sent[0]["x-team"] == "env"
    assert len(sent) == 3  # badblock's reintrospection sent nothing


def test_a_named_connector_must_have_an_endpoint(sqlite_url: str) -> None:
    onboard(source=str(SHOP), name="shopfile", protocol="graphql", catalog_url=sqlite_url)
    with pytest.raises(InputError, match="was not introspected from a GraphQL endpoint"):
        reintrospect(connector="shopfile", catalog_url=sqlite_url)
    with pytest.raises(NotFound, match="no connector 'nobody'"):
        reintrospect(connector="nobody", catalog_url=sqlite_url)
    assert reintrospect(catalog_url=sqlite_url).outcomes == []


def test_onboarding_headers_are_secrets_to_prefect(sqlite_url: str) -> None:
    auth = {"X-Api-Key": SECRET}
    with serve_graphql(_shop(), required_headers=auth) as shop:
        state = onboard(
            source=shop.url,
            name="shop",
            protocol="graphql",
            catalog_url=sqlite_url,
            headers={"X-Api-Key": SecretStr(SECRET)},
            return_state=True,
        )
    assert state.is_completed()

    async def parameters() -> dict:
        async with get_client() as client:
            run = await client.read_flow_run(state.state_details.flow_run_id)  # type: ignore[arg-type]
        return run.parameters

    stored = asyncio.run(parameters())
    assert stored["headers"] == {"X-Api-Key": "**********"}
    assert SECRET not in json.dumps(stored)


@pytest.mark.slow
def test_github_drift_is_reported(sqlite_url: str) -> None:
    def github(version: str) -> GraphQLSchema:
        path = corpus_file("graphql", "github", f"schema-{version}.json")
        return build_client_schema(json.loads(path.read_text()), assume_valid=True)

    with serve_graphql(github("14.58.0")) as server:
        onboard(source=server.url, name="github", protocol="graphql", catalog_url=sqlite_url)
        server.schema = github("15.25.0")
        result = reintrospect(catalog_url=sqlite_url)
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
    assert deployment["entrypoint"] == "flows/reintrospect.py:reintrospect"
    [schedule] = deployment["schedules"]
    assert schedule.get("active", True)
    cron = CronSchedule(cron=schedule["cron"], timezone=schedule.get("timezone"))
    assert cron.cron == "0 4 * * *"
