"""No secret reaches Prefect: every run of onboard, onboard-batch and reintrospect, read back.

A catalogue URL with a password, GraphQL headers and a source URL's key are used by real runs
(through the CLI, and in-process as on a worker that reads Secret blocks); then everything the
Prefect server holds about those runs (parameters, run names, states, labels, task runs and their
inputs, logs, artifacts, events) is read back through Prefect's client and searched for them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from connectory_flows.batch import onboard_batch
from connectory_flows.onboard import onboard
from connectory_flows.reintrospect import reintrospect
from connectory_flows.reporting import ItemsFailed
from connectory_flows.secrets import CATALOG_BLOCK, HEADERS_BLOCK
from graphql import build_schema
from prefect.blocks.system import Secret

from connectory.catalog import Catalog
from tests.cli.conftest import Run
from tests.support.flow_records import held_since, text_of
from tests.support.graphql import SHOP
from tests.support.graphql_server import serve_graphql
from tests.support.servers import Reply, serve

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"
PASSWORD = "s3cret-PW"  # trust authentication takes any password
HEADER_SECRET = "hdr-s3cret-token"
SOURCE_SECRET = "src-s3cret-key"
SECRETS = (PASSWORD, HEADER_SECRET, SOURCE_SECRET)
AUTH = {"Authorization": f"Bearer {HEADER_SECRET}"}

pytestmark = [pytest.mark.postgresql, pytest.mark.usefixtures("prefect_api_url")]


def _with_password(url: str) -> str:
    return sa.make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)


def _nothing_secret_in(held: dict[str, object]) -> None:
    text = text_of(held)
    for secret in SECRETS:
        assert secret not in text
    assert "Drafted shop@1" in text  # the runs' INFO logs were read too
    assert all(held[kind] for kind in ("flow_runs", "task_runs", "logs", "artifacts", "events"))


def test_the_cli_gives_flows_no_secret_as_a_parameter(
    run: Run,
    postgresql_schema_url: str,
    prefect_api_url: str,
) -> None:
    catalog = _with_password(postgresql_schema_url)
    env = {"PREFECT_LOGGING_LEVEL": "INFO"}
    since = datetime.now(UTC)
    with (
        serve_graphql(build_schema(SHOP.read_text()), required_headers=AUTH) as shop,
        serve({"/openapi.json": Reply(body=EXAMPLE.read_bytes())}) as files,
    ):
        keyed = files.url(f"/openapi.json?api_key={SOURCE_SECRET}")
        at = {"api_url": prefect_api_url, "env": env}
        results = [
            run("--catalog", catalog, "onboard", shop.url, "-p", "graphql", "-n", "shop",
                "-H", f"Authorization: Bearer {HEADER_SECRET}", **at),
            run("--catalog", catalog, "onboard", keyed, "--name", "op", **at),
            run("--catalog", catalog, "onboard-batch", f"op2={keyed}", "missing.yaml", **at),
            run("--catalog", catalog, "reintrospect", api_url=prefect_api_url,
                env={**env, "CONNECTORY_GRAPHQL_HEADERS_SHOP": json.dumps(AUTH)}),
        ]  # fmt: skip
    assert [r.returncode for r in results] == [0, 0, 2, 0], [r.stderr for r in results]
    for result in results:
        for secret in SECRETS:
            assert secret not in result.stdout + result.stderr
    with Catalog.open(catalog) as opened:  # the runs used the catalogue given
        assert {c.name for c in opened.list_connectors()} == {"shop", "op", "op2"}
    held = held_since(since)
    _nothing_secret_in(held)
    parameters = [run["parameters"] for run in held["flow_runs"]]
    assert {"source": files.url("/openapi.json?api_key=***"), "name": "op"}.items() <= next(
        p for p in parameters if p.get("name") == "op"
    ).items()
    assert [f"op2={files.url('/openapi.json?api_key=***')}", "missing.yaml"] in [
        p.get("sources") for p in parameters
    ]


def test_flows_on_a_worker_read_secrets_from_blocks(
    postgresql_schema_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    info_logs: None,
) -> None:
    monkeypatch.delenv("CONNECTORY_DATABASE_URL")
    monkeypatch.chdir(tmp_path)
    catalog = _with_password(postgresql_schema_url)
    headers_block = HEADERS_BLOCK.format(name="shop")
    Secret(value=catalog).save(CATALOG_BLOCK, overwrite=True)
    since = datetime.now(UTC)
    try:
        with (
            serve_graphql(build_schema(SHOP.read_text()), required_headers=AUTH) as shop,
            serve({"/openapi.json": Reply(body=EXAMPLE.read_bytes())}) as files,
        ):
            # The headers, and the origin they may go to: a worker has no secrets file.
            kept = {**AUTH, "$accepted_origins": [shop.url]}
            Secret(value=kept).save(headers_block, overwrite=True)
            onboard(source=shop.url, name="shop", protocol="graphql")
            with pytest.raises(ItemsFailed):
                onboard_batch(sources=[files.url("/openapi.json"), "missing.yaml"])
            assert [o.status for o in reintrospect().outcomes] == ["unchanged"]
    finally:
        for name in (CATALOG_BLOCK, headers_block):
            Secret.delete(name)
    with Catalog.open(catalog) as opened:
        assert {c.name for c in opened.list_connectors()} == {"shop", "1password-local-connect"}
    assert not (tmp_path / "catalog").exists()  # not the embedded catalogue
    _nothing_secret_in(held_since(since))
