"""Runs whose process died end Crashed: no run of Connectory's flows stays Running for ever.

Prefect marks a run Crashed when its process sees the end coming (an exception, Ctrl-C, SIGTERM)
or when a worker sees the flow process it started exit, but a run executed in the process that
is killed outright (SIGKILL, the OOM killer, a machine that loses power: a CLI command, a worker
and its flows together) stays Running for ever, and with the embedded server nothing is left
that would notice. So every run of Connectory's
flows, as it starts (the ``on_running`` hook ``settle_dead_runs``, before its first task):

1. records where it runs, as labels: ``connectory.space`` (the host and, on Linux, its boot and
   process namespace), ``connectory.pid``, and its heartbeat period
   ``connectory.heartbeat-seconds`` (every flow run sends Prefect a heartbeat event,
   ``prefect.flow-run.heartbeat``, every ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` seconds: 180
   by default, at least 30);
2. marks Crashed every other Running run of Connectory's flows that is dead, with the Running
   task runs under it:

   - its process is gone: it ran in this very space and no process has its pid now;
   - its heartbeats stopped: it sent at least one, and neither a heartbeat nor a change of state
     came for ``MISSED_HEARTBEATS`` of its periods (a run elsewhere, or whose pid was reused).

So the next run (a command of the CLI, a scheduled run on a worker) settles what a killed one
left, on the embedded server as on a team's. Nothing here may fail a run: a problem is one
warning in its log.
"""

from __future__ import annotations

import os
import socket
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterState,
    FlowRunFilterStateType,
    TaskRunFilter,
    TaskRunFilterState,
    TaskRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.responses import SetStateStatus
from prefect.events.filters import (
    EventFilter,
    EventNameFilter,
    EventOccurredFilter,
    EventOrder,
    EventResourceFilter,
)
from prefect.logging.loggers import flow_run_logger
from prefect.settings import get_current_settings
from prefect.states import Crashed

__all__ = [
    "FLOWS",
    "MISSED_HEARTBEATS",
    "abandoned",
    "crash_abandoned_runs",
    "last_heartbeat",
    "process_space",
    "settle_dead_runs",
]

FLOWS = ("onboard", "onboard-batch", "reintrospect")
"""The flows whose runs are looked after."""

MISSED_HEARTBEATS = 3
"""Heartbeat periods without a sign of life after which a run is dead."""

SPACE, PID, HEARTBEAT = "connectory.space", "connectory.pid", "connectory.heartbeat-seconds"


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def process_space() -> str:
    """Where a pid means this very process: the host, its boot, its process namespace."""
    parts = [socket.gethostname()]
    if sys.platform.startswith("linux"):
        parts.append(_read("/proc/sys/kernel/random/boot_id"))
        try:
            parts.append(os.readlink("/proc/self/ns/pid"))
        except OSError:
            parts.append("")
    return "/".join(parts)


def _process_exists(pid: int) -> bool:
    if os.name != "posix":  # os.kill would end it: only heartbeats tell
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def abandoned(
    run: FlowRun, last_heartbeat: datetime | None, *, now: datetime, space: str
) -> str | None:
    """Why the Running ``run`` is dead (None when it may be alive): its process is gone from
    ``space`` (this process's), or its heartbeats stopped ``now``."""
    labels = run.labels or {}
    pid = _as_int(labels.get(PID))
    if labels.get(SPACE) == space and pid is not None and pid > 0 and not _process_exists(pid):
        return f"its process ({pid}) is gone"
    period = _as_int(labels.get(HEARTBEAT))
    if period is None or last_heartbeat is None:
        return None  # a run that never reached the API's events: its heartbeats tell nothing
    signs = [last_heartbeat] + ([run.state.timestamp] if run.state is not None else [])
    silent = now - max(signs)
    if silent > timedelta(seconds=MISSED_HEARTBEATS * period):
        return f"no heartbeat for {int(silent.total_seconds())} s (one every {period} s)"
    return None


def last_heartbeat(client: Any, run: FlowRun) -> datetime | None:
    """When the API last received a heartbeat of ``run`` (None: never)."""
    since = run.start_time or run.created or datetime.now(UTC) - timedelta(days=1)
    page = client.read_events(
        filter=EventFilter(
            occurred=EventOccurredFilter(since=since),
            event=EventNameFilter(name=["prefect.flow-run.heartbeat"]),
            resource=EventResourceFilter(id=[f"prefect.flow-run.{run.id}"]),
            order=EventOrder.DESC,
        ),
        limit=1,
    )
    return page.events[0].occurred if page.events else None


def _crash(client: Any, run: FlowRun, reason: str) -> bool:
    """Mark ``run`` and its Running task runs Crashed; False if it ended meanwhile."""
    message = f"{reason}: marked Crashed by a later Connectory run"
    proposed = client.set_flow_run_state(run.id, Crashed(message=message))
    if proposed.status != SetStateStatus.ACCEPT:
        return False
    running = client.read_task_runs(
        flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
        task_run_filter=TaskRunFilter(
            state=TaskRunFilterState(type=TaskRunFilterStateType(any_=[StateType.RUNNING]))
        ),
    )
    for task_run in running:
        client.set_task_run_state(task_run.id, Crashed(message=message))
    return True


def crash_abandoned_runs(client: Any, *, exclude: UUID | None = None) -> list[tuple[FlowRun, str]]:
    """Mark Crashed the Running runs of Connectory's flows that are dead (not ``exclude``); each
    with why. ``client``: a synchronous Prefect client."""
    runs = client.read_flow_runs(
        flow_filter=FlowFilter(name=FlowFilterName(any_=list(FLOWS))),
        flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING]))
        ),
    )
    space, crashed = process_space(), []
    for run in runs:
        if run.id == exclude:
            continue
        reason = abandoned(run, last_heartbeat(client, run), now=datetime.now(UTC), space=space)
        if reason is not None and _crash(client, run, reason):
            crashed.append((run, reason))
    return crashed


def settle_dead_runs(flow: Any, flow_run: FlowRun, state: Any) -> None:
    """The ``on_running`` hook of Connectory's flows: record where this run is, settle the runs
    that died."""
    labels: dict[str, Any] = {SPACE: process_space(), PID: os.getpid()}
    period = get_current_settings().flows.heartbeat_frequency
    if period is not None:
        labels[HEARTBEAT] = max(int(period), 30)
    logger = flow_run_logger(flow_run, flow)
    try:
        with get_client(sync_client=True) as client:
            client.update_flow_run_labels(flow_run.id, labels)
            for run, reason in crash_abandoned_runs(client, exclude=flow_run.id):
                logger.warning("Marked flow run %r (%s) Crashed: %s", run.name, run.id, reason)
    except Exception as error:  # never fail a run for this
        logger.warning("Could not look after dead flow runs: %s: %s", type(error).__name__, error)
