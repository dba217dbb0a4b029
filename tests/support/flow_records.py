"""What a Prefect server holds about flow runs, read back through Prefect's client."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterStartTime,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.objects import FlowRun
from prefect.client.schemas.sorting import ArtifactSort
from prefect.events.filters import EventFilter, EventOccurredFilter
from prefect.events.worker import EventsWorker
from prefect.logging.handlers import APILogWorker
from prefect.states import State

__all__ = ["artifacts", "flow_run", "flow_runs", "held_since"]

_PAGE = 200


def flow_run(state: State[Any] | UUID) -> FlowRun:
    """The flow run a final ``state`` (or id) is of, as the server holds it now."""
    run_id = state if isinstance(state, UUID) else state.state_details.flow_run_id
    assert run_id is not None

    async def read() -> FlowRun:
        async with get_client() as client:
            return await client.read_flow_run(run_id)

    return asyncio.run(read())


def flow_runs(flow: str, since: datetime) -> list[FlowRun]:
    """The runs of ``flow`` started since ``since``, oldest first."""

    async def read() -> list[FlowRun]:
        async with get_client() as client:
            found = await client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=[flow])),
                flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=since)),
            )
        return sorted(found, key=lambda run: run.start_time or since)

    return asyncio.run(read())


def artifacts(key: str) -> list[str]:
    """Every version of the artifact ``key``, newest first."""

    async def read() -> list[str]:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                sort=ArtifactSort.CREATED_DESC,
                limit=20,
            )
        return [str(artifact.data) for artifact in found]

    return asyncio.run(read())


async def _all(read: Callable[..., Awaitable[list[Any]]], **filters: Any) -> list[Any]:
    """Every row ``read`` finds, page by page."""
    rows: list[Any] = []
    while page := await read(**filters, limit=_PAGE, offset=len(rows)):
        rows += page
        if len(page) < _PAGE:
            break
    return rows


async def _held(since: datetime) -> dict[str, Any]:
    async with get_client() as client:
        runs = await _all(
            client.read_flow_runs,
            flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=since)),
        )
        ids = [run.id for run in runs]
        by_run = FlowRunFilter(id=FlowRunFilterId(any_=ids))
        task_runs = await _all(client.read_task_runs, flow_run_filter=by_run)
        logs = await _all(
            client.read_logs, log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=ids))
        )
        found = await _all(
            client.read_artifacts,
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=ids)),
        )
        page = await client.read_events(
            filter=EventFilter(occurred=EventOccurredFilter(since=since)), limit=50
        )
        events = list(page.events)
        while page.next_page:
            page = await client.read_events_page(page.next_page)
            events += page.events
    return {
        "flow_runs": [run.model_dump(mode="json") for run in runs],
        "task_runs": [run.model_dump(mode="json") for run in task_runs],
        "logs": [log.model_dump(mode="json") for log in logs],
        "artifacts": [artifact.model_dump(mode="json") for artifact in found],
        "events": [event.model_dump(mode="json") for event in events],
    }


def held_since(since: datetime, *, settle: float = 3.0) -> dict[str, Any]:
    """Everything the server holds about the flow runs started since ``since``: the runs (their
    parameters, names, states, labels), their task runs (inputs included), logs and artifacts,
    and every event since. Logs and events of this process are sent first; the server is given
    ``settle`` seconds to store events."""
    APILogWorker.drain_all(timeout=5)
    EventsWorker.drain_all(timeout=5)
    time.sleep(settle)
    return asyncio.run(_held(since))


def text_of(held: dict[str, Any]) -> str:
    return json.dumps(held)
