"""The onboard-batch flow, run for real through Prefect: every protocol at once, failures apart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from connectory_flows.batch import onboard_batch, split_source
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from connectory.catalog import Catalog
from connectory.errors import InvalidName

from ..conftest import FIXTURES
from ..servers import Reply, serve

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"
SHOP = FIXTURES / "graphql" / "shop.graphql"
CALCULATOR = FIXTURES / "wsdl" / "calculator-soap11and12.wsdl"

pytestmark = pytest.mark.usefixtures("prefect_api_url")


async def _artifact(key: str) -> str:
    async with get_client() as client:
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])), limit=1
        )
    return str(found[0].data)


def test_every_document_onboards_and_failures_do_not_stop_the_others(
    sqlite_url: str, tmp_path: Path
) -> None:
    malformed = tmp_path / "broken.json"
    malformed.write_text('{"openapi": "3.0.0",')
    sources = [
        str(EXAMPLE),
        str(malformed),
        f"shop={SHOP}",
        str(tmp_path / "missing.yaml"),
        f"calc={CALCULATOR}",
    ]
    batch = onboard_batch(sources=sources, catalog_url=sqlite_url)
    assert [o.status for o in batch.outcomes] == [
        "drafted",
        "failed",
        "drafted",
        "failed",
        "drafted",
    ]
    assert [o.onboarded.ref for o in batch.outcomes if o.onboarded] == [
        "1password-connect@1.5.7",
        "shop@1",
        "calc@1",
    ]
    broken, missing = batch.failed
    assert (broken.source, broken.bad_input) == (str(malformed), True)
    assert "not valid JSON" in (broken.error or "")
    assert "no such file" in (missing.error or "")
    with Catalog.open(sqlite_url) as catalog:
        stored = {c.name: c.protocol for c in catalog.list_connectors()}
    assert stored == {"1password-connect": "http", "shop": "graphql", "calc": "soap"}
    markdown = asyncio.run(_artifact("onboard-batch"))
    assert "5 documents: 3 drafted, 0 published, 0 unchanged, 2 failed." in markdown
    assert "| shop@1 |" in markdown

    again = onboard_batch(sources=sources[::2], publish=True, catalog_url=sqlite_url)
    assert [o.status for o in again.outcomes] == ["published"] * 3
    assert [o.onboarded.created for o in again.outcomes if o.onboarded] == [False] * 3


def test_transient_failures_are_retried_per_document(sqlite_url: str) -> None:
    body = EXAMPLE.read_bytes()
    calls: list[int] = []

    def flaky(_: object) -> Reply:
        calls.append(1)
        return Reply(503, b"busy") if len(calls) < 2 else Reply(body=body)

    with serve({"/connect.json": flaky, "/gone.json": Reply(404, b"")}) as server:
        batch = onboard_batch(
            sources=[server.url("/connect.json"), server.url("/gone.json")],
            catalog_url=sqlite_url,
        )
    assert [o.status for o in batch.outcomes] == ["drafted", "failed"]
    assert len(calls) == 2
    assert server.requests.count("/gone.json") == 1  # a 404 is not retried
    assert batch.failed[0].bad_input


def test_names_given_by_hand() -> None:
    assert split_source("shop=schema.graphql") == ("shop", "schema.graphql")
    assert split_source("https://x.example/a=b.json") == (None, "https://x.example/a=b.json")
    assert split_source("dir/a=b.json") == (None, "dir/a=b.json")
    with pytest.raises(InvalidName):
        split_source("Not A Name=x.json")
