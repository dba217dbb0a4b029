"""``connectory onboard-batch`` through the installed console script."""

from __future__ import annotations

import json
from datetime import (
    UTC,
    datetime,
)
from pathlib import Path

from prefect.client.schemas.objects import StateType

from tests.conftest import FIXTURES
from tests.support.flow_records import flow_runs

from .conftest import Run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"


def test_a_batch_with_bad_input_exits_2_and_onboards_the_rest(
    run: Run, tmp_path: Path, prefect_api_url: str
) -> None:
    (tmp_path / "broken.yaml").write_text("openapi: [")
    shop = FIXTURES / "graphql" / "shop.graphql"
    since = datetime.now(UTC)
    result = run(
        "onboard-batch", str(EXAMPLE), "broken.yaml", f"shop={shop}", "--json",
        api_url=prefect_api_url,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    outcomes = json.loads(result.stdout)
    assert [o["status"] for o in outcomes] == ["drafted", "failed", "drafted"]
    assert "broken.yaml" in outcomes[1]["error"]
    [batch_run] = flow_runs("onboard-batch", since)  # the run ended Failed, for a scheduler
    assert batch_run.state is not None
    assert (batch_run.state.type, batch_run.state.message) == (
        StateType.FAILED,
        "1 of 3 documents failed to onboard",
    )
    tables = run("onboard-batch", "broken.yaml", str(EXAMPLE))  # the table all the same
    assert tables.returncode == 2, tables.stderr
    assert "failed: " in tables.stdout
    assert "unchanged" in tables.stdout
    listed = run("list", "--json")
    assert sorted(c["name"] for c in json.loads(listed.stdout)) == [
        "1password-local-connect",
        "shop",
    ]

    refused = run("onboard-batch", "Bad Name=x.json")
    assert refused.returncode == 2
    assert "invalid" in refused.stderr.lower()
