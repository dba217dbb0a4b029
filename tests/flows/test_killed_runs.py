"""A run whose process is killed outright (SIGKILL) does not stay Running: the next run marks it
Crashed. A real ``connectory onboard`` is killed in the middle of its fetch, against a Prefect
server that outlives it (the session's test harness)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from uuid import uuid4

import pytest
from connectory_flows.liveness import (
    HEARTBEAT,
    PID,
    SPACE,
    abandoned,
    last_heartbeat,
    process_space,
)
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.states import Running

from tests.cli.conftest import CONNECTORY, Run
from tests.support.flow_records import flow_run, flow_runs
from tests.support.servers import Reply, serve

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openapi" / "1password-connect.json"

T = TypeVar("T")


def _eventually(read: Callable[[], T], done: Callable[[T], bool], seconds: float = 60) -> T:
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


@pytest.mark.usefixtures("prefect_api_url")
def test_a_killed_onboard_run_ends_crashed_when_the_next_run_starts(
    run: Run,
    prefect_api_url: str,
    sqlite_url: str,
    tmp_path: Path,
) -> None:
    release = threading.Event()

    def stalled(_: object) -> Reply:
        release.wait(120)
        return Reply(body=EXAMPLE.read_bytes())

    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTORY_")}
    env |= {"PREFECT_API_URL": prefect_api_url, "CONNECTORY_DATABASE_URL": sqlite_url}
    since = datetime.now(UTC)
    with serve({"/slow.json": stalled}) as server:
        assert CONNECTORY
        process = subprocess.Popen(
            [CONNECTORY, "onboard", server.url("/slow.json"), "--name", "slow"],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:  # killed in the middle of its fetch task, once the server knows that much
            _eventually(lambda: list(server.requests), bool, seconds=120)
            assert server.requests == ["/slow.json"]
            [killed] = _eventually(lambda: flow_runs("onboard", since), bool)
            running = {"fetch": StateType.RUNNING}
            assert _eventually(lambda: _task_states(killed), running.__eq__) == running
            # its first heartbeat is there: the heartbeat rule could judge it from elsewhere
            assert _eventually(lambda: _read_heartbeat(killed), bool) is not None
        finally:
            process.kill()
            process.wait()
            release.set()
    killed = flow_run(killed.id)
    assert killed.state_type == StateType.RUNNING  # and nothing else would ever change that
    assert killed.labels[PID] == process.pid
    assert killed.labels[SPACE] == process_space()

    after = run("onboard", str(EXAMPLE), "--name", "next", api_url=prefect_api_url)
    assert after.returncode == 0, after.stderr
    assert f"Marked flow run {killed.name!r} ({killed.id}) Crashed" in after.stderr
    ended = _eventually(
        lambda: flow_run(killed.id), lambda r: r.state_type != StateType.RUNNING, 30
    )
    assert ended.state is not None
    assert ended.state.type == StateType.CRASHED
    assert ended.state.message == (
        f"its process ({process.pid}) is gone: marked Crashed by a later Connectory run"
    )
    assert _task_states(killed) == {"fetch": StateType.CRASHED}
    [following] = [r for r in flow_runs("onboard", since) if r.parameters["name"] == "next"]
    assert following.state_type == StateType.COMPLETED


def _read_heartbeat(run: FlowRun) -> datetime | None:
    with get_client(sync_client=True) as client:
        return last_heartbeat(client, run)


def _task_states(run: FlowRun) -> dict[str, StateType | None]:
    """The state of each task run of ``run``, by task."""
    with get_client(sync_client=True) as client:
        found = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id]))
        )
    return {task_run.name.rsplit("-", 1)[0]: task_run.state_type for task_run in found}


def _run(labels: dict[str, object], running_since: datetime) -> FlowRun:
    return FlowRun(
        flow_id=uuid4(),
        labels=labels,
        state=Running(timestamp=running_since),  # type: ignore[arg-type]
    )


def test_which_running_runs_are_dead() -> None:
    now = datetime.now(UTC)
    here = process_space()
    gone = subprocess.Popen(["true"])
    gone.wait()
    hour_ago = now - timedelta(hours=1)
    mine = {SPACE: here, PID: os.getpid(), HEARTBEAT: 30}
    assert abandoned(_run({**mine, PID: gone.pid}, hour_ago), None, now=now, space=here) == (
        f"its process ({gone.pid}) is gone"
    )
    assert abandoned(_run(mine, hour_ago), now, now=now, space=here) is None
    elsewhere = {SPACE: "another-host", PID: os.getpid(), HEARTBEAT: 30}
    silent = now - timedelta(seconds=91)
    assert abandoned(_run(elsewhere, hour_ago), silent, now=now, space=here) == (
        "no heartbeat for 91 s (one every 30 s)"
    )
    assert (
        abandoned(_run(elsewhere, hour_ago), now - timedelta(seconds=89), now=now, space=here)
        is None
    )
    assert abandoned(_run(elsewhere, now), silent, now=now, space=here) is None  # a new state
    assert abandoned(_run(elsewhere, hour_ago), None, now=now, space=here) is None  # no events
    assert abandoned(_run({}, hour_ago), silent, now=now, space=here) is None  # not recorded
