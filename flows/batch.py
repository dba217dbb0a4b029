"""The ``onboard-batch`` flow: many documents in, one draft (or published) version each, in groups.

First every document is named (``name-documents``, one task per group of documents): ``NAME=SOURCE``
names it; otherwise the document is fetched and parsed and named as ``connectory inspect`` names
it (``connectory.onboarding.suggest_name``: the name the document declares, ``x-connectory-name``
or its APIs.guru id, else its source's host and path or file name; never its title alone, which
unrelated APIs share). Two different sources named alike are refused there, before anything is
drafted (``InvalidName``, naming both and how to name them), unless every one of them was given
or declares that name: those are versions of one API. (A document named so is fetched twice: to
name it, then to onboard it; only the names are kept in between, not the documents.)

Then the documents are onboarded in groups (``group_size`` documents each, by default enough
groups to fill the task runner and at most 25 documents a group; see ``group_size_for``): one task run
(``onboard-documents``) per group, on the flow's task runner, Prefect's thread pool by default
(``max_workers``: how many groups at once). Within a group each document runs the ``onboard``
flow's steps (``onboard_steps``: fetch, parse, generate, validate, auth, draft and, with
``publish``, publish) as plain calls, so that Prefect's cost per task run (its state changes,
which cost more than the work itself for a small document) is paid per group, not per step of
every document. The documents of one connector are in one group, one after the other in the
order given, so that each is compared with the one before it as the publish policy says (the
catalogue serialises concurrent publishes too; the order makes the outcome the same on every
run). Only transient failures (network, HTTP 5xx, a busy database) are retried, for that
document; a document that fails does not stop the others of its group or of the batch: the
result and the ``onboard-batch`` artifact list every document's outcome, failures with the error
that names the problem and where it is. A batch with a failure ends Failed (calling the flow
raises ``ItemsFailed``, whose ``result`` is the batch). A document the connector already holds
(same sha256) creates nothing.

Across workers: with ``spread_over`` (a deployment of the ``onboard-group`` flow, e.g.
``onboard-group/onboard-group`` from ``prefect.yaml``), the documents are split into as many
groups as the deployment's pool has workers online (``group_size`` documents each, when given):
this run onboards the first group itself, and each other group is a run of that deployment, a
subflow run of the batch, which another worker takes (start each worker with ``--limit``, so that
no worker claims them all). A worker's run is a new process whose start (imports, Prefect's
client) costs as much CPU as onboarding a few dozen documents, hence few, large groups. A group's
run leaves its outcomes as a table artifact (``onboard-group``), which the batch reads back
through Prefect's API: nothing assumes that the runs share a machine. A group run that crashed
or did not finish in ``group_timeout`` seconds fails its documents, saying so. A group that no
worker has taken by the time this run finished its own is cancelled and onboarded here (every
worker busy, a worker counted online that has just stopped): no batch waits for ever on a slot. A run of a
deployment reads its sources on whichever worker runs it: give it URLs
(``secrets.reachable``).
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal
from uuid import UUID

from prefect import flow, get_client, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterId,
    WorkerFilter,
    WorkerFilterStatus,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.responses import SetStateStatus
from prefect.deployments import run_deployment
from prefect.states import Cancelled, State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import unmapped
from pydantic import BaseModel, ConfigDict, SecretStr

from connectory._gcpause import paused_gc
from connectory.documents.parse import normalise_protocol, parse
from connectory.errors import InputError, InvalidName, is_transient
from connectory.model.version import check_name, name_key
from connectory.onboarding import declared_name, fetch_source, source_name
from connectory.settings import Settings

from .liveness import settle_dead_runs
from .onboard import Onboarded, onboard_steps, retrying
from .reporting import ItemOutcome, Outcomes, cell, collect, error_text, finished
from .secrets import catalog_url, open_catalog, reachable, real_source, shown

__all__ = [
    "Batch",
    "DocumentOutcome",
    "Naming",
    "group_size_for",
    "groups_by_connector",
    "onboard_batch",
    "onboard_group",
    "refuse_collisions",
    "shown_item",
    "split_source",
]


def split_source(item: str) -> tuple[str | None, str]:
    """``NAME=SOURCE`` -> ``(NAME, SOURCE)``; a plain source (a path or URL) -> ``(None, item)``."""
    name, separator, source = item.partition("=")
    if separator and name and "/" not in name and ":" not in name:
        return check_name(name), source
    return None, item


def shown_item(item: str) -> str:
    """``item`` as the run's parameter shows it: its source ``shown`` (no secrets in a URL)."""
    name, source = split_source(item)
    return f"{name}={shown(source)}" if name else shown(source)


class DocumentOutcome(ItemOutcome):
    """What onboarding one document of the batch did."""

    source: str
    status: Literal["drafted", "published", "unchanged", "failed"]
    onboarded: Onboarded | None = None
    error: str | None = None
    bad_input: bool = False
    """The failure is the document's (retrying cannot help), not the network's or the store's."""

    def __str__(self) -> str:
        if self.onboarded is None:
            return f"{self.source}: failed: {self.error}"
        done = self.onboarded
        return f"{self.source}: {self.status} {done.ref} ({done.actions} actions)"


class Batch(Outcomes[DocumentOutcome]):
    """The flow's result: one outcome per document, in the order given."""


class Naming(BaseModel):
    """The connector a document of the batch goes to, and why."""

    model_config = ConfigDict(frozen=True)

    source: str
    """The source as the run's parameter shows it."""
    name: str
    declared: bool
    """Given (``NAME=SOURCE``) or declared by the document (``x-connectory-name``, an APIs.guru
    id): documents that share such a name are versions of one API. Else taken from the source."""

    def __str__(self) -> str:
        how = "given" if self.declared else "named after its source"
        return f"{self.source} ({how})"


def name_document(item: str, protocol: str | None) -> Naming:
    """The connector ``item`` goes to: ``NAME=SOURCE``'s, else the document's own name (fetched
    and parsed for that), else its source's (``connectory.onboarding.suggest_name``)."""
    name, source = split_source(item)
    if name is not None:
        return Naming(source=source, name=name, declared=True)
    real = reachable(real_source(source))
    if normalise_protocol(protocol) == "graphql":
        from connectory.protocols.graphql import is_graphql_endpoint

        if is_graphql_endpoint(real):  # an endpoint declares nothing: named by its URL
            return Naming(source=source, name=source_name(shown(real)), declared=False)
    raw = fetch_source(real, protocol=protocol, settings=Settings.from_env())
    declared = declared_name(parse(raw, protocol=protocol))
    if declared is not None:
        return Naming(source=source, name=declared, declared=True)
    # the source as given (a folder names it, not its root file), without its secrets
    return Naming(source=source, name=source_name(shown(real)), declared=False)


@task(name="name-documents", cache_policy=NO_CACHE)
def name_documents(items: list[str], protocol: str | None) -> list[Naming | DocumentOutcome]:
    """Each item's ``Naming`` (``name_document``, retried while it fails for a passing reason),
    or its failure."""
    named: list[Naming | DocumentOutcome] = []
    for item in items:
        try:
            named.append(retrying(partial(name_document, item, protocol), f"naming {item}"))
        except Exception as error:
            named.append(_failure(item, error))
    return named


GROUP_SIZE = 25
"""Documents a group holds at most in process unless asked otherwise (a connector's documents stay
together)."""


def group_size_for(count: int, group_size: int | None, groups: int = 8) -> int:
    """Documents per group: ``group_size`` when given, else ``groups`` groups (the task runner's
    threads) of at most ``GROUP_SIZE``."""
    if group_size is not None:
        return group_size
    return max(1, min(GROUP_SIZE, math.ceil(count / groups)))


def online_workers(deployment: str) -> int:
    """How many workers of ``deployment``'s pool are online (at least 1: this run's)."""
    with get_client(sync_client=True) as client:
        pool = client.read_deployment_by_name(deployment).work_pool_name
        if pool is None:
            return 1
        online = WorkerFilter(status=WorkerFilterStatus(any_=["ONLINE"]))
        return max(1, len(client.read_workers_for_work_pool(pool, worker_filter=online)))


def groups_by_connector(namings: dict[int, Naming], size: int) -> list[list[int]]:
    """The documents (by index) in groups of about ``size``: the documents of one connector in one
    group, in the order given; connectors in the order they first appear."""
    by_connector: dict[str, list[int]] = defaultdict(list)
    for index, naming in namings.items():
        by_connector[name_key(naming.name)].append(index)
    groups: list[list[int]] = []
    current: list[int] = []
    for indices in by_connector.values():
        if current and len(current) + len(indices) > size:
            groups.append(current)
            current = []
        current = current + indices
    if current:
        groups.append(current)
    return groups


def refuse_collisions(namings: list[Naming]) -> None:
    """Refuse (``InvalidName``) different sources that would go to one connector (or to names
    alike, that share its credentials: ``model.name_key``), unless each was given that name or
    declares it (versions of one API). Nothing has been drafted yet."""
    groups: dict[str, list[Naming]] = defaultdict(list)
    for naming in namings:
        groups[name_key(naming.name)].append(naming)
    problems = []
    examples = []
    for group in groups.values():
        sources = {naming.source: naming for naming in group}
        names = sorted({naming.name for naming in group})
        if len(sources) < 2 or (len(names) == 1 and all(n.declared for n in group)):
            continue
        listed = " and ".join(str(naming) for naming in sources.values())
        which = f"connector {names[0]!r}" if len(names) == 1 else f"connectors {names}, alike"
        problems.append(f"{listed} would all go to {which}")
        examples.append(list(sources.values())[-1])
    if not problems:
        return
    example = examples[0]
    raise InvalidName(
        "different sources of the batch would share a connector, so nothing was onboarded: "
        + "; ".join(problems)
        + f". Name each as NAME=SOURCE (e.g. {example.name}-2={example.source}), or give the "
        "document its own name in info.x-connectory-name; the versions of one API may share "
        "a name given or declared so"
    )


def onboard_document(
    item: str, protocol: str | None, publish: bool, url: SecretStr
) -> DocumentOutcome:
    """One document (``NAME=SOURCE``) through the ``onboard`` flow's steps, as plain calls."""
    name, source = split_source(item)
    steps = onboard_steps(
        source, name, protocol=protocol, label=None, publish=publish, catalog=url, direct=True
    )
    status: Literal["drafted", "published", "unchanged"] = (
        "published" if steps.published else "drafted" if steps.created else "unchanged"
    )
    return DocumentOutcome(
        source=shown(source),
        status=status,
        onboarded=Onboarded.of(steps.version, created=steps.created, auth=steps.auth.result),
    )


@task(name="onboard-documents", cache_policy=NO_CACHE)
def onboard_documents(
    items: list[str], protocol: str | None, publish: bool, url: SecretStr
) -> list[DocumentOutcome]:
    """A group of documents (``NAME=SOURCE``), one after the other, each retried while it fails
    for a passing reason; one failing does not stop the others."""
    outcomes = []
    for item in items:
        try:
            # as connectory.inspect does: the collector's full passes walk Prefect's objects too
            with paused_gc():
                outcome = retrying(
                    partial(onboard_document, item, protocol, publish, url), f"onboarding {item}"
                )
        except Exception as error:
            outcome = _failure(item, error)
        outcomes.append(outcome)
    return outcomes


def _failure(item: str, error: BaseException) -> DocumentOutcome:
    message = error_text(error)
    bad_input = isinstance(error, InputError) and not is_transient(error)
    return DocumentOutcome(
        source=shown(split_source(item)[1]), status="failed", error=message, bad_input=bad_input
    )


def _summary(outcomes: list[DocumentOutcome]) -> str:
    counts = Counter(outcome.status for outcome in outcomes)
    head = ", ".join(f"{counts[s]} {s}" for s in ("drafted", "published", "unchanged", "failed"))
    lines = [
        "# Batch onboarding",
        "",
        f"{len(outcomes)} documents: {head}.",
        "",
        "| source | outcome | version | actions | triggers | findings |",
        "|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        done = outcome.onboarded
        if done is None:
            error = cell(outcome.error or "")
            lines.append(f"| {cell(outcome.source)} | failed: {error} | | | | |")
            continue
        findings = ", ".join(f"{n} {severity}" for severity, n in sorted(done.findings.items()))
        lines.append(
            f"| {cell(outcome.source)} | {outcome.status} | {done.ref} | {done.actions} "
            f"| {done.triggers} | {findings or 'none'} |"
        )
    return "\n".join(lines) + "\n"


_GROUP_ARTIFACT = "onboard-group"


def _rows(outcomes: list[DocumentOutcome]) -> list[dict[str, Any]]:
    """A group's outcomes as table rows (its artifact): readable, and read back by the batch."""
    return [
        {
            "source": outcome.source,
            "status": outcome.status,
            "version": outcome.onboarded.ref if outcome.onboarded else "",
            "error": outcome.error or "",
            "bad_input": outcome.bad_input,
            "record": outcome.model_dump_json(),
        }
        for outcome in outcomes
    ]


@flow(
    name="onboard-group",
    validate_parameters=True,
    on_running=[settle_dead_runs],
)
def onboard_group(
    items: list[str],
    protocol: str | None = None,
    publish: bool = False,
    catalog_block: str | None = None,
) -> Batch | State[Batch]:
    """Onboard a group of an ``onboard-batch`` run spread over workers: ``items`` named already
    (``NAME=SOURCE``, the documents of a connector in order). Leaves the outcomes as the table
    artifact ``onboard-group``, and ends Failed when a document failed."""
    url = catalog_url(catalog_block)
    outcomes = onboard_documents(items, protocol, publish, url)
    for outcome in outcomes:
        log = get_run_logger().warning if outcome.status == "failed" else get_run_logger().info
        log("%s", outcome)
    create_table_artifact(
        key=_GROUP_ARTIFACT, table=_rows(outcomes), description="Outcomes of a batch's group"
    )
    return finished(Batch(outcomes=outcomes), "documents failed to onboard")


def _group_outcomes(run: FlowRun, items: list[str]) -> list[DocumentOutcome]:
    """The outcomes a finished group run left (its artifact); each item failed when it left none."""
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]),
                key=ArtifactFilterKey(any_=[_GROUP_ARTIFACT]),
            )
        )
    rows = json.loads(found[0].data) if found and isinstance(found[0].data, str) else None
    if not isinstance(rows, list) or len(rows) != len(items):
        state = run.state
        how = f"{state.name}: {state.message}" if state is not None else "without a state"
        error = RuntimeError(f"the group run {run.name} ({run.id}) ended {how}")
        return [_failure(item, error) for item in items]
    return [DocumentOutcome.model_validate_json(row["record"]) for row in rows]


@dataclass
class _Spread:
    """Groups handed to runs of a deployment (subflow runs of the batch), and their outcomes."""

    groups: list[list[str]]
    runs: list[FlowRun]
    outcomes: dict[UUID, list[DocumentOutcome]] = field(default_factory=dict)

    @classmethod
    def submit(
        cls, groups: list[list[str]], deployment: str, parameters: dict[str, Any]
    ) -> _Spread:
        """Each group as a run of ``deployment``, for the workers of its pool to take."""
        runs: list[FlowRun] = [
            run_deployment(  # type: ignore[misc]  # sync in a sync flow (Prefect types both)
                name=deployment,
                parameters={"items": items, **parameters},
                timeout=0,
                as_subflow=True,
            )
            for items in groups
        ]
        get_run_logger().info("%d more groups for the workers of %s", len(runs), deployment)
        return cls(groups, runs)

    def take_over(self, run_here: Callable[[list[str]], list[DocumentOutcome]]) -> None:
        """Onboard here (``run_here``) each group that no worker took yet (its run cancelled first,
        so that none will): with every worker busy, e.g. by batches waiting for their groups."""
        with get_client(sync_client=True) as client:
            for run, items in zip(self.runs, self.groups, strict=True):
                now = client.read_flow_run(run.id)
                if now.state is None or now.state.type != StateType.SCHEDULED:
                    continue
                cancelled: State[Any] = Cancelled(
                    message="no worker took it: its batch onboarded it"
                )
                answer = client.set_flow_run_state(run.id, cancelled, force=False)
                if answer.status == SetStateStatus.ACCEPT:
                    get_run_logger().info("group run %s taken over: no worker took it", run.name)
                    self.outcomes[run.id] = run_here(items)

    def wait(self, timeout: float) -> list[list[DocumentOutcome]]:
        """The outcomes of every group, its run's once it finished (``timeout`` seconds at most)."""
        deadline = time.monotonic() + timeout
        pending = {run.id: run for run in self.runs if run.id not in self.outcomes}
        finished_runs = {run.id: run for run in self.runs}
        with get_client(sync_client=True) as client:
            while pending and time.monotonic() < deadline:
                ids = FlowRunFilter(id=FlowRunFilterId(any_=list(pending)))
                for now in client.read_flow_runs(flow_run_filter=ids):
                    if now.state is not None and now.state.is_final():
                        finished_runs[now.id] = now
                        pending.pop(now.id, None)
                if pending:
                    time.sleep(2)
        for run in pending.values():
            get_run_logger().warning("group run %s did not finish in %g s", run.name, timeout)
        return [
            self.outcomes[run.id]
            if run.id in self.outcomes
            else _group_outcomes(finished_runs[run.id], items)
            for run, items in zip(self.runs, self.groups, strict=True)
        ]


@flow(
    name="onboard-batch",
    validate_parameters=True,
    # Prefect's TaskRunner is invariant in its future type: its own thread pool runner does not
    # type-check where a TaskRunner[PrefectFuture] is asked for.
    task_runner=ThreadPoolTaskRunner(8),  # type: ignore[arg-type]
    on_running=[settle_dead_runs],
)
def onboard_batch(
    sources: list[str],
    protocol: str | None = None,
    publish: bool = False,
    group_size: int | None = None,
    spread_over: str | None = None,
    catalog_block: str | None = None,
    group_timeout: float = 3600.0,
) -> Batch | State[Batch]:
    """Onboard every source (a path, a URL, or ``NAME=SOURCE``) as a version of its connector
    (named as the module docstring says; ``InvalidName`` before anything is drafted when two
    sources would collide), ``group_size`` documents per task run.

    With ``spread_over`` (a deployment of ``onboard-group``), one group per online worker of its
    pool: this run onboards one, each other is a run of the deployment (see the module docstring). ``catalog_block``: the Secret block holding the catalogue's URL
    (for workers without CONNECTORY_DATABASE_URL). The catalogue (and the secrets of a source
    URL) come from ``connectory_flows.secrets``. When a document failed, the run ends Failed and
    calling the flow raises ``ItemsFailed``, whose ``result`` is the ``Batch``. Run with more or
    fewer groups at once: ``onboard_batch.with_options(task_runner=ThreadPoolTaskRunner(N))``.
    """
    if group_size is not None and group_size < 1:
        raise InputError(f"group_size must be at least 1, not {group_size}")
    url = catalog_url(catalog_block)
    with open_catalog(url):  # create or migrate the store once, before the groups open it
        pass
    size = group_size_for(len(sources), None)
    chunks = [sources[start : start + size] for start in range(0, len(sources), size)]
    named = name_documents.map(chunks, unmapped(protocol))
    namings: dict[int, Naming] = {}
    failures: dict[int, DocumentOutcome] = {}
    for start, naming in zip(range(0, len(sources), size), named, strict=True):
        for index, found in enumerate(naming.result(), start):
            if isinstance(found, Naming):
                namings[index] = found
            else:
                failures[index] = found
    refuse_collisions(list(namings.values()))
    if spread_over:  # as many groups as there are workers: this run takes one of them
        size = group_size or math.ceil(len(namings) / online_workers(spread_over)) or 1
    else:
        size = group_size_for(len(sources), group_size)
    groups = groups_by_connector(namings, size)
    items = [[f"{namings[i].name}={namings[i].source}" for i in group] for group in groups]
    here = items[:1] if spread_over else items
    spread = (
        _Spread.submit(
            items[1:],
            spread_over,
            {"protocol": protocol, "publish": publish, "catalog_block": catalog_block},
        )
        if spread_over
        else None
    )
    futures = onboard_documents.map(here, unmapped(protocol), unmapped(publish), unmapped(url))
    done: dict[int, DocumentOutcome] = dict(failures)
    for group, group_items, future in zip(groups[: len(here)], here, futures, strict=True):
        try:
            done.update(zip(group, future.result(), strict=True))
        except Exception as error:  # the group's task itself failed (not one document)
            done.update((i, _failure(it, error)) for i, it in zip(group, group_items, strict=True))
    if spread is not None:
        spread.take_over(lambda found: onboard_documents(found, protocol, publish, url))
        for group, outcomes in zip(groups[1:], spread.wait(group_timeout), strict=True):
            done.update(zip(group, outcomes, strict=True))
    outcomes = collect(
        range(len(sources)),
        lambda index: done[index],
        lambda index, error: _failure(sources[index], error),
    )
    create_markdown_artifact(
        key="onboard-batch", markdown=_summary(outcomes), description="Batch onboarding outcomes"
    )
    batch = Batch(outcomes=outcomes)
    return finished(batch, "documents failed to onboard")
