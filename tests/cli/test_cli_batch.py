"""``connectory onboard-batch`` through the installed console script."""

from __future__ import annotations

import json
from datetime import UTC, datetime
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
    # the table all the same; piped with no width, each row is one line (the error unfolded)
    tables = run("onboard-batch", "broken.yaml", str(EXAMPLE), env={"COLUMNS": ""})
    assert tables.returncode == 2, tables.stderr
    failed_row = next(line for line in tables.stdout.splitlines() if "broken.yaml" in line)
    assert "failed" in failed_row
    assert "not valid YAML" in tables.stdout  # the error, in its own column
    assert "unchanged" in tables.stdout
    assert "2 documents: 0 drafted, 0 published, 1 unchanged, 1 failed, in " in tables.stdout
    listed = run("list", "--json")
    assert sorted(c["name"] for c in json.loads(listed.stdout)) == [
        "1password-local-connect",
        "shop",
    ]

    refused = run("onboard-batch", "Bad Name=x.json")
    assert refused.returncode == 2
    assert "invalid" in refused.stderr.lower()


def test_sources_named_alike_are_refused_before_anything_runs_with_how_to_name_them(
    run: Run, tmp_path: Path, prefect_api_url: str
) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    (tmp_path / "a" / "openapi.yaml").write_bytes(
        (FIXTURES / "openapi" / "operations-3.0.yaml").read_bytes()
    )
    (tmp_path / "b" / "openapi.yaml").write_bytes(
        (FIXTURES / "openapi" / "security-3.1.yaml").read_bytes()
    )

    refused = run(
        "onboard-batch", "a/openapi.yaml", "b/openapi.yaml", "--publish", api_url=prefect_api_url
    )

    assert refused.returncode == 2, refused.stderr
    error = refused.stderr.strip().splitlines()[-1]
    assert error.startswith("error: different sources of the batch would share a connector"), error
    assert "a/openapi.yaml (named after its source) and b/openapi.yaml" in error
    assert "connector 'openapi'" in error
    assert "NAME=SOURCE" in error
    assert json.loads(run("list", "--json").stdout) == []

    named = run(
        "onboard-batch",
        "ops=a/openapi.yaml",
        "sec=b/openapi.yaml",
        "--json",
        api_url=prefect_api_url,
    )
    assert named.returncode == 0, named.stderr
    assert [o["onboarded"]["connector"] for o in json.loads(named.stdout)] == ["ops", "sec"]
