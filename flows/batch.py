"""The ``onboard-batch`` flow: many documents in, one draft (or published) version each, in parallel.

Each document is one task run (``onboard-document``, mapped over the sources) on the flow's task
runner, Prefect's thread pool by default (``max_workers``: how many at once). Fetching overlaps,
which is what a batch of URLs waits on; for CPU-bound batches across machines, run it with
prefect-dask's task runner. A document's task runs the ``onboard`` flow's own steps
(``onboard_steps``: fetch, parse, generate, validate, auth, draft and, with ``publish``,
publish), each a task of its own; only transient failures (network, HTTP 5xx, a busy database) are retried,
where they happened, and a document that fails does not stop the others: the result and the
``onboard-batch`` artifact list every document's outcome, failures with the error that names the
problem and where it is. A batch with a failure ends Failed (calling the flow raises
``ItemsFailed``, whose ``result`` is the batch).

A document's connector is named by its title (or file name), as ``connectory inspect`` suggests,
unless the source is given as ``NAME=SOURCE``. A document the connector already holds (same
sha256) creates nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

from prefect import (
    flow,
    task,
)
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import unmapped
from pydantic import SecretStr

from connectory.errors import (
    InputError,
    is_transient,
)
from connectory.model.version import check_name

from .liveness import settle_dead_runs
from .onboard import (
    Onboarded,
    onboard_steps,
)
from .reporting import (
    ItemOutcome,
    Outcomes,
    cell,
    collect,
    error_text,
    finished,
)
from .secrets import (
    catalog_url,
    open_catalog,
    shown,
)

__all__ = ["Batch", "DocumentOutcome", "onboard_batch", "shown_item", "split_source"]


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


@task(name="onboard-document", cache_policy=NO_CACHE)
def onboard_document(
    item: str, protocol: str | None, publish: bool, url: SecretStr
) -> DocumentOutcome:
    """One document through the ``onboard`` flow's steps, each its own task (retried there)."""
    name, source = split_source(item)
    steps = onboard_steps(source, name, protocol=protocol, label=None, publish=publish, catalog=url)
    status: Literal["drafted", "published", "unchanged"] = (
        "published" if steps.published else "drafted" if steps.created else "unchanged"
    )
    return DocumentOutcome(
        source=shown(source),
        status=status,
        onboarded=Onboarded.of(steps.version, created=steps.created, auth=steps.auth.result),
    )


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
) -> Batch | State[Batch]:
    """Onboard every source (a path, a URL, or ``NAME=SOURCE``) as a version of its connector.

    The catalogue (and the secrets of a source URL) come from ``connectory_flows.secrets``.
    When a document failed, the run ends Failed and calling the flow raises ``ItemsFailed``,
    whose ``result`` is the ``Batch``. Run with more or fewer at once:
    ``onboard_batch.with_options(task_runner=ThreadPoolTaskRunner(max_workers=N))``.
    """
    url = catalog_url()
    with open_catalog(url):  # create or migrate the store once, before the tasks open it
        pass
    futures = onboard_document.map(sources, unmapped(protocol), unmapped(publish), unmapped(url))
    outcomes = collect(
        zip(sources, futures, strict=True),
        lambda submitted: submitted[1].result(),
        lambda submitted, error: _failure(submitted[0], error),
    )
    create_markdown_artifact(
        key="onboard-batch", markdown=_summary(outcomes), description="Batch onboarding outcomes"
    )
    batch = Batch(outcomes=outcomes)
    return finished(batch, "documents failed to onboard")
