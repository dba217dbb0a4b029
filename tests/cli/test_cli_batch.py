"""``connectory onboard-batch`` through the installed console script."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import FIXTURES
from .conftest import Run

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"


def test_a_batch_with_bad_input_exits_2_and_onboards_the_rest(run: Run, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("openapi: [")
    shop = FIXTURES / "graphql" / "shop.graphql"
    result = run("onboard-batch", str(EXAMPLE), "broken.yaml", f"shop={shop}", "--json")
    assert result.returncode == 2, result.stderr
    outcomes = json.loads(result.stdout)
    assert [o["status"] for o in outcomes] == ["drafted", "failed", "drafted"]
    assert "broken.yaml" in outcomes[1]["error"]
    listed = run("list", "--json")
    assert sorted(c["name"] for c in json.loads(listed.stdout)) == ["1password-connect", "shop"]

    refused = run("onboard-batch", "Bad Name=x.json")
    assert refused.returncode == 2
    assert "invalid" in refused.stderr.lower()
