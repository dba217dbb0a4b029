"""A team's deployment, end to end on this machine: a Prefect server (the session's), the work
pool and the deployments made by the README's commands, two process workers, PostgreSQL, and a
batch of 100 documents served over loopback whose groups both workers take.

Also: a run of a deployment without a catalogue, and with a path its worker cannot read, fails
saying so (the deployment is simulated with Prefect's runtime variables, no worker needed).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from uuid import uuid4

import pytest
from connectory_flows.batch import Naming, group_size_for, groups_by_connector, onboard_batch
from connectory_flows.reporting import ItemsFailed
from connectory_flows.secrets import catalog_url, reachable
from prefect import get_client
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.deployments import run_deployment

from connectory.catalog import Catalog
from connectory.errors import InputError
from tests.support.flow_records import artifacts, flow_runs
from tests.support.servers import Reply, serve

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).parent / "prefect")
POOL = "connectory"  # prefect.yaml's
DOCUMENTS = 100
_LIMITED = (
    "--limit",
    "1",
    "--name",
)  # one run at a time: the batch's worker leaves its group to the other


def _document(number: int) -> bytes:
    """A small valid OpenAPI document of its own connector (``scale-NNN``)."""
    return json.dumps(
        {
            "openapi": "3.0.3",
            "info": {"title": "Scale", "version": "1.0.0", "x-connectory-name": f"scale-{number}"},
            "servers": [{"url": f"https://scale-{number}.example.com"}],
            "paths": {
                f"/items/{number}": {
                    "get": {
                        "operationId": f"getItem{number}",
                        "responses": {
                            "200": {
                                "description": "The item",
                                "content": {
                                    "application/json": {
                                        "schema": {
                                            "type": "object",
                                            "properties": {"id": {"type": "integer"}},
                                        }
                                    }
                                },
                            }
                        },
                    }
                }
            },
        }
    ).encode()


def _prefect(env: dict[str, str], *args: str) -> None:
    """A ``prefect`` command, as the README gives it, from the repository's root."""
    done = subprocess.run(
        [PREFECT, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}: {done.stdout}\n{done.stderr}"


@contextmanager
def _workers(env: dict[str, str], folder: Path, names: list[str]) -> Iterator[list[Path]]:
    """Process workers of the pool, each in its own process group (ended with its flow runs)."""
    logs = [folder / f"{name}.log" for name in names]
    with ExitStack() as stack:
        for name, log in zip(names, logs, strict=True):
            out = stack.enter_context(log.open("w"))
            worker = subprocess.Popen(
                [PREFECT, "worker", "start", "--pool", POOL, "--type", "process", *_LIMITED, name],
                cwd=folder,  # not the checkout: the workers import the installed flows
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            stack.callback(_stop, worker)
        yield logs


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


@pytest.mark.postgresql
@pytest.mark.xdist_group("prefect-workers")
def test_a_batch_is_shared_by_two_workers(
    prefect_api_url: str, postgresql_schema_url: str, tmp_path: Path
) -> None:
    routes: dict[str, Reply | object] = {
        f"/doc-{number}.json": Reply(body=_document(number)) for number in range(DOCUMENTS)
    }
    routes["/broken.json"] = Reply(body=b'{"openapi": "3.0.3",')
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_api_url,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_LOGGING_LEVEL": "INFO",
        "CONNECTORY_DATABASE_URL": postgresql_schema_url,
    }
    _prefect(env, "work-pool", "create", POOL, "--type", "process", "--overwrite")
    _prefect(env, "--no-prompt", "deploy", "--name", "onboard-batch", "--name", "onboard-group")
    started = time.time()
    with serve(routes) as server, _workers(env, tmp_path, ["worker-a", "worker-b"]) as worker_logs:  # type: ignore[arg-type]
        sources = [server.url(f"/doc-{number}.json") for number in range(DOCUMENTS)]
        sources += [server.url("/broken.json"), "/nowhere/openapi.json"]
        _wait_until_online(2)  # the batch spreads over the workers it finds online
        run: FlowRun = run_deployment(  # type: ignore[assignment]
            "onboard-batch/onboard-batch",
            parameters={"sources": sources},
            timeout=240,
            poll_interval=1,
        )
    assert run.state is not None
    assert (run.state.type, run.state.message) == (
        StateType.FAILED,
        f"2 of {DOCUMENTS + 2} documents failed to onboard",
    )
    summary = artifacts("onboard-batch")[0]
    assert f"{DOCUMENTS + 2} documents: {DOCUMENTS} drafted, 0 published" in summary
    assert "broken.json | failed: " in summary
    assert "/nowhere/openapi.json is a path, and this run of the deployment" in summary
    with Catalog.open(postgresql_schema_url) as catalog:
        connectors = catalog.list_connectors()
        assert sorted(c.name for c in connectors) == sorted(f"scale-{n}" for n in range(DOCUMENTS))
        assert {len(catalog.list_versions(c.name)) for c in connectors} == {1}  # stored once
    [batch] = flow_runs("onboard-batch", since=_utc(started))
    [group] = flow_runs("onboard-group", since=_utc(started))  # one group per worker
    assert group.state_type == StateType.COMPLETED
    assert group.parent_task_run_id is not None  # a subflow run of the batch
    logs = {log.stem: log.read_text() for log in worker_logs}  # what each worker started
    [batch_worker] = [w for w, text in logs.items() if f"'{batch.name}' submitted to" in text]
    [group_worker] = [w for w, text in logs.items() if f"'{group.name}' submitted to" in text]
    assert batch_worker != group_worker  # both workers took work
    done = [line for line in logs[group_worker].splitlines() if ": drafted scale-" in line]
    assert 0 < len(done) < DOCUMENTS  # the group's documents; the batch's run onboarded the rest


def _wait_until_online(count: int) -> None:
    deadline = time.monotonic() + 120
    with get_client(sync_client=True) as client:
        while len(client.read_workers_for_work_pool(POOL)) < count:
            assert time.monotonic() < deadline, f"the {count} workers did not come online"
            time.sleep(0.5)


def _utc(timestamp: float) -> object:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp - 1, UTC)


def test_a_deployment_run_without_a_catalogue_fails_saying_so(
    prefect_api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONNECTORY_DATABASE_URL")
    monkeypatch.setenv("PREFECT__RUNTIME__DEPLOYMENT__ID", str(uuid4()))
    monkeypatch.setenv("PREFECT__RUNTIME__DEPLOYMENT__NAME", "onboard-batch")
    with pytest.raises(InputError, match="this run of the deployment onboard-batch has no cat"):
        catalog_url()
    with pytest.raises(InputError, match="there is no Secret block named team-catalogue"):
        catalog_url("team-catalogue")
    with pytest.raises(InputError, match=r"missing\.json is a path, and this run of the dep"):
        reachable("missing.json")
    assert reachable("http://127.0.0.1:1/a.json") == "http://127.0.0.1:1/a.json"
    assert reachable(__file__) == __file__  # a path this worker has
    monkeypatch.delenv("PREFECT__RUNTIME__DEPLOYMENT__ID")
    monkeypatch.delenv("PREFECT__RUNTIME__DEPLOYMENT__NAME")
    assert reachable("missing.json") == "missing.json"  # in process: read as given (or not)
    assert catalog_url().get_secret_value()  # in process: the embedded default


def test_groups_keep_a_connectors_documents_together_in_order() -> None:
    namings = {
        0: Naming(source="a1", name="alpha", declared=True),
        1: Naming(source="b", name="beta", declared=True),
        2: Naming(source="a2", name="Alpha", declared=True),  # alike: the same credentials
        3: Naming(source="c", name="gamma", declared=True),
        4: Naming(source="a3", name="alpha", declared=True),
    }
    assert groups_by_connector(namings, 2) == [[0, 2, 4], [1, 3]]
    assert groups_by_connector(namings, 5) == [[0, 2, 4, 1, 3]]
    assert [group_size_for(n, None) for n in (1, 8, 9, 100, 1000)] == [1, 1, 2, 13, 25]
    assert group_size_for(1000, 7) == 7


def test_a_failing_document_does_not_fail_its_groups_others(
    prefect_api_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    for number in range(3):
        (tmp_path / f"doc-{number}.json").write_bytes(_document(number))
    (tmp_path / "broken.json").write_text('{"openapi": "3.0.3",')
    sources = [str(tmp_path / name) for name in ("doc-0.json", "broken.json", "doc-1.json")]
    sources += [f"scale-2={tmp_path / 'doc-2.json'}", str(tmp_path / "missing.json")]
    with pytest.raises(ItemsFailed, match="2 of 5 documents failed") as failed:
        onboard_batch(sources=sources, group_size=10)  # one group
    outcomes = failed.value.result.outcomes
    assert [o.status for o in outcomes] == ["drafted", "failed", "drafted", "drafted", "failed"]
    assert outcomes[1].bad_input
    assert "not valid JSON" in (outcomes[1].error or "")
    with Catalog.open(sqlite_url) as catalog:
        assert sorted(c.name for c in catalog.list_connectors()) == [
            "scale-0",
            "scale-1",
            "scale-2",
        ]


def test_a_group_no_worker_takes_is_onboarded_by_its_batch(
    prefect_api_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    from prefect.client.schemas.actions import WorkPoolCreate

    with get_client(sync_client=True) as client:  # a deployment whose pool has no worker
        client.create_work_pool(WorkPoolCreate(name="nobody", type="process"), overwrite=True)
        flow_id = client.create_flow_from_name("onboard-group")
        client.create_deployment(
            flow_id=flow_id,
            name="idle",
            work_pool_name="nobody",
            entrypoint="connectory_flows.batch:onboard_group",
        )
    started = time.time()
    for number in range(4):
        (tmp_path / f"doc-{number}.json").write_bytes(_document(number))
    sources = [str(tmp_path / f"doc-{number}.json") for number in range(4)]
    batch = onboard_batch(sources=sources, group_size=2, spread_over="onboard-group/idle")
    assert [o.status for o in batch.outcomes] == ["drafted"] * 4  # type: ignore[union-attr]
    [group] = flow_runs("onboard-group", since=_utc(started))
    assert group.state is not None
    assert (group.state.type, group.state.message) == (
        StateType.CANCELLED,
        "no worker took it: its batch onboarded it",
    )
    assert group.parameters["items"] == [f"scale-{n}={sources[n]}" for n in (2, 3)]
