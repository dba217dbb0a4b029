"""The onboard-batch flow, run for real through Prefect: every protocol at once, failures apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from connectory_flows.batch import onboard_batch, split_source
from connectory_flows.reporting import ItemsFailed
from prefect.client.schemas.objects import StateType

from connectory.catalog import Catalog
from connectory.errors import InvalidName
from tests.conftest import FIXTURES
from tests.support.flow_records import artifacts, flow_run
from tests.support.servers import Reply, serve

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"
SHOP = FIXTURES / "graphql" / "shop.graphql"
CALCULATOR = FIXTURES / "wsdl" / "calculator-soap11and12.wsdl"

pytestmark = pytest.mark.usefixtures("prefect_api_url")


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
    state = onboard_batch(sources=sources, return_state=True)
    failure = state.result(raise_on_failure=False)
    assert isinstance(failure, ItemsFailed)
    batch = failure.result
    run = flow_run(state)  # as Prefect holds it: a scheduler watching run states sees it
    assert run.state is not None
    assert (run.state.type, run.state.message) == (
        StateType.FAILED,
        "2 of 5 documents failed to onboard",
    )
    assert [o.status for o in batch.outcomes] == [
        "drafted",
        "failed",
        "drafted",
        "failed",
        "drafted",
    ]
    assert [o.onboarded.ref for o in batch.outcomes if o.onboarded] == [
        "1password-local-connect@1.5.7",
        "shop@1",
        "calc@1",
    ]
    broken, missing = batch.failed
    assert (broken.source, broken.bad_input) == (str(malformed), True)
    assert "not valid JSON" in (broken.error or "")
    assert "no such file" in (missing.error or "")
    with Catalog.open(sqlite_url) as catalog:
        stored = {c.name: c.protocol for c in catalog.list_connectors()}
    assert stored == {"1password-local-connect": "http", "shop": "graphql", "calc": "soap"}
    markdown = artifacts("onboard-batch")[0]
    assert "5 documents: 3 drafted, 0 published, 0 unchanged, 2 failed." in markdown
    assert "| shop@1 |" in markdown

    completed = onboard_batch(sources=sources[::2], publish=True, return_state=True)
    assert flow_run(completed).state_type == StateType.COMPLETED
    again = completed.result()
    assert [o.status for o in again.outcomes] == ["published"] * 3
    assert [o.onboarded.created for o in again.outcomes if o.onboarded] == [False] * 3


def test_transient_failures_are_retried_per_document(sqlite_url: str) -> None:
    body = EXAMPLE.read_bytes()
    calls: list[int] = []

    def flaky(_: object) -> Reply:
        calls.append(1)
        return Reply(503, b"busy") if len(calls) < 2 else Reply(body=body)

    with (
        serve({"/connect.json": flaky, "/gone.json": Reply(404, b"")}) as server,
        pytest.raises(ItemsFailed, match="1 of 2 documents failed") as failed,
    ):
        onboard_batch(sources=[server.url("/connect.json"), server.url("/gone.json")])
    batch = failed.value.result
    assert [o.status for o in batch.outcomes] == ["drafted", "failed"]
    assert len(calls) == 3  # the 503 retried when naming it; fetched again to onboard it
    assert server.requests.count("/gone.json") == 1  # a 404 is not retried
    assert batch.failed[0].bad_input


def test_names_given_by_hand() -> None:
    assert split_source("shop=schema.graphql") == ("shop", "schema.graphql")
    assert split_source("https://x.example/a=b.json") == (None, "https://x.example/a=b.json")
    assert split_source("dir/a=b.json") == (None, "dir/a=b.json")
    with pytest.raises(InvalidName):
        split_source("Not A Name=x.json")
